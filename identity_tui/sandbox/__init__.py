"""An embedded, Letta-compatible identities server for tests, demos and screenshots (stdlib + httpx only)."""

from identity_tui.sandbox.sandbox import LoggedRequest, Sandbox

__all__ = ["LoggedRequest", "Sandbox"]
