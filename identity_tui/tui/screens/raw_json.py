"""The raw JSON of one identity, exactly as the server holds it (read-only, copyable)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from identity_tui.core.display import one_line
from identity_tui.core.form import json_text
from identity_tui.core.models import Identity


def identity_json(identity: Identity) -> str:
    """Pretty JSON with every control and bidi character escaped, at any nesting depth.

    The properties are written by hand: pydantic refuses to serialize a value nested past ~255 levels,
    and a server may send one.
    """
    data = identity.model_dump(mode="json", exclude={"properties"})
    data["properties"] = [p.wire() for p in identity.properties]
    return json_text(data)


class RawJsonScreen(ModalScreen):
    """Shows the JSON in a read-only text area; c copies it, esc closes."""

    BINDINGS = [
        Binding("escape,q,y", "dismiss", "Close", id="json.close"),
        Binding("c", "copy", "Copy JSON", id="json.copy"),
    ]

    def __init__(self, identity: Identity) -> None:
        super().__init__()
        self.identity = identity
        self.text = identity_json(identity)

    def compose(self) -> ComposeResult:
        with Vertical(id="json-box", classes="dialog"):
            yield Static(Text(f"JSON · {one_line(self.identity.name, 50)}", style="bold"), classes="dialog-title")
            yield TextArea(self.text, read_only=True, show_line_numbers=False, id="json-text")
            yield Static(Text("c copy · esc close"), classes="dialog-hint")

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied the JSON", timeout=3)

    def action_dismiss(self) -> None:
        self.dismiss()
