"""The raw JSON of one identity, exactly as the server holds it (read-only, copyable)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import TextArea

from identity_tui.core.display import one_line
from identity_tui.core.jsontext import output_json
from identity_tui.core.models import Identity
from identity_tui.tui.screens.dialog import Dialog


def identity_json(identity: Identity) -> str:
    """Pretty JSON with every control and bidi character escaped, at any nesting depth, and valid whatever
    the server sent (an infinite number is written 1e999, as the commands write it), so ``c`` copies JSON.

    The properties are written by hand: pydantic refuses to serialize a value nested past ~255 levels,
    and a server may send one.
    """
    data = identity.model_dump(mode="json", exclude={"properties"})
    data["properties"] = [p.wire() for p in identity.properties]
    return output_json(data, indent=2)


class RawJsonScreen(Dialog[None]):
    """Shows the JSON in a read-only text area; c copies it, esc closes."""

    BOX_ID = "json-box"
    COPIED = "Copied the JSON"

    BINDINGS = [
        Binding("escape,q,y", "close", "Close", id="json.close"),
        Binding("c", "copy", "Copy JSON", id="json.copy"),
    ]

    def __init__(self, identity: Identity) -> None:
        text = identity_json(identity)
        super().__init__(f"JSON · {one_line(identity.name, 50)}", hint="c copy · esc close", copy=text)
        self.identity = identity
        self.text = text

    def compose_body(self) -> ComposeResult:
        yield TextArea(self.text, read_only=True, show_line_numbers=False, id="json-text")
