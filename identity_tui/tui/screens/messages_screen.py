"""What the app said in this session: every notice, newest first (a toast is gone in seconds)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from identity_tui.core.display import printable
from identity_tui.tui.screens.dialog import Dialog


def messages_text(notices: Iterable[str]) -> str:
    """The notices, newest first, one paragraph each, shown literally."""
    said = [printable(n, keep_newlines=True) for n in reversed(list(notices))]
    return "\n\n".join(said) if said else "Nothing was said yet in this session."


class MessagesScreen(Dialog[None]):
    """The session's notices; c copies them, esc closes."""

    BOX_ID = "preview-box"
    COPIED = "Copied the messages"

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="messages.close"),
        Binding("c", "copy", "Copy", id="messages.copy"),
    ]

    def __init__(self, notices: Iterable[str]) -> None:
        text = messages_text(notices)
        super().__init__("Messages of this session, newest first", hint="c copy · esc close", copy=text)
        self.text = text

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="preview-scroll"):
            yield Static(Text(self.text), id="messages-body")

    def on_mount(self) -> None:
        self.query_one("#preview-scroll").focus()
