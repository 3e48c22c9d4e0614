"""identity-tui: a keyboard-first terminal app to manage Letta identities."""

__version__ = "0.1.0"
