"""The dialog for an error nobody expected: the details are shown and copyable, never dumped on the terminal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class ErrorScreen(ModalScreen):
    """An unexpected error's traceback; c copies it, esc closes and the app goes on."""

    BINDINGS = [
        Binding("escape,enter", "dismiss", "Close", id="error.close"),
        Binding("c", "copy", "Copy details", id="error.copy"),
    ]

    def __init__(self, details: str) -> None:
        super().__init__()
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box", classes="dialog"):
            yield Static(Text("Something went wrong", style="bold"), classes="dialog-title")
            yield Static(
                Text("This is a bug in identity-tui. Nothing was lost; press c to copy the details for a report."),
            )
            yield TextArea(self.details, read_only=True, id="error-text")
            yield Static(Text("c copy · esc close"), classes="dialog-hint")

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.details)
        self.notify("Copied the error details", timeout=3)

    def action_dismiss(self) -> None:
        self.dismiss()
