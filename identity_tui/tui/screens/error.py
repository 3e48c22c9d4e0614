"""The dialog for an error nobody expected: the details are shown and copyable, never dumped on the terminal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TextArea

from identity_tui.tui.screens.dialog import Dialog


class ErrorScreen(Dialog[None]):
    """An unexpected error's traceback; c copies it, esc closes and the app goes on."""

    BOX_ID = "error-box"
    COPIED = "Copied the error details"

    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="error.close"),
        Binding("c", "copy", "Copy details", id="error.copy"),
    ]

    def __init__(self, details: str) -> None:
        super().__init__("Something went wrong", hint="c copy · esc close", copy=details)
        self.details = details

    def compose_body(self) -> ComposeResult:
        yield Static(
            Text("This is a bug in identity-tui. Nothing was lost; press c to copy the details for a report."),
        )
        yield TextArea(self.details, read_only=True, id="error-text")
