"""The form ``p`` opens on marked identities: one typed property to set on every one of them, or to remove.

It answers a ``PropertyChange`` (the value already checked as the edit form checks it) or None on esc; the
batch dialog then shows what it changes on each identity before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from identity_tui.core.batch_plan import Unfit, parse_typed
from identity_tui.core.kinds import PropertyType
from identity_tui.core.words import plural
from identity_tui.tui.screens.dialog import Dialog

SET, REMOVE = "set", "remove"
# What the value field asks for, by the type chosen.
PLACEHOLDERS = {PropertyType.STRING: "any text", PropertyType.NUMBER: "a number, like 10 or 2.5",
                PropertyType.BOOLEAN: "true or false", PropertyType.JSON: 'a JSON object, like {"net": 30}'}


@dataclass(frozen=True)
class PropertyChange:
    """Set ``key`` to ``value`` of ``type`` on each marked identity, or (``type`` None) remove it."""

    key: str
    type: PropertyType | None = None
    value: object = None

    def words(self) -> str:
        if self.type is None:
            return f"remove property {self.key!r}"
        return f"set property {self.key!r} ({self.type.value})"


class BatchPropertyScreen(Dialog["PropertyChange | None"]):
    """Key, type and value (or remove): enter in the value (or ctrl+s) answers the change."""

    BOX_ID = "batch-form-box"

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="batch_form.cancel"),
        Binding("ctrl+s,f2", "submit", "Plan", id="batch_form.submit"),
    ]

    def __init__(self, marked: int) -> None:
        super().__init__(f"A property on {plural(marked, 'marked identity', 'marked identities')}",
                         hint="enter in the value or ctrl+s shows the plan (nothing is sent yet) · tab next · esc cancel")

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Action")
            yield Select([("Set the property", SET), ("Remove the property", REMOVE)], value=SET,
                         allow_blank=False, compact=True, id="batch-action")
        with Horizontal(classes="form-row"):
            yield Label("Key")
            yield Input(placeholder="property key", id="batch-key", compact=True)
        with Horizontal(classes="form-row", id="batch-type-row"):
            yield Label("Type")
            yield Select([(t.value, t.value) for t in PropertyType], value=PropertyType.STRING.value,
                         allow_blank=False, compact=True, id="batch-type")
        with Horizontal(classes="form-row", id="batch-value-row"):
            yield Label("Value")
            yield Input(placeholder=PLACEHOLDERS[PropertyType.STRING], id="batch-value", compact=True)
        yield Static("", id="batch-form-message")

    def on_mount(self) -> None:
        self.query_one("#batch-key", Input).focus()

    @on(Select.Changed, "#batch-action")
    def _action_changed(self, event: Select.Changed) -> None:
        setting = event.value == SET
        self.query_one("#batch-type-row").display = setting
        self.query_one("#batch-value-row").display = setting

    @on(Select.Changed, "#batch-type")
    def _type_changed(self, event: Select.Changed) -> None:
        self.query_one("#batch-value", Input).placeholder = PLACEHOLDERS[PropertyType(str(event.value))]

    def _say(self, text: str) -> None:
        self.query_one("#batch-form-message", Static).update(Text(text))

    @on(Input.Submitted, "#batch-key")
    def _key_entered(self) -> None:
        if self.query_one("#batch-action", Select).value == SET:
            self.query_one("#batch-value", Input).focus()
        else:
            self.action_submit()

    @on(Input.Submitted, "#batch-value")
    def action_submit(self) -> None:
        """Check what was typed and answer the change (or say what is wrong, in one sentence)."""
        key = self.query_one("#batch-key", Input).value
        if not key.strip():
            self._say("Give the property's key.")
            self.query_one("#batch-key", Input).focus()
            return
        if self.query_one("#batch-action", Select).value == REMOVE:
            self.dismiss(PropertyChange(key))
            return
        ptype = PropertyType(str(self.query_one("#batch-type", Select).value))
        try:
            value = parse_typed(ptype, self.query_one("#batch-value", Input).value)
        except Unfit as exc:
            self._say(str(exc))
            self.query_one("#batch-value", Input).focus()
            return
        self.dismiss(PropertyChange(key, ptype, value))
