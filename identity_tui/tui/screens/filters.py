"""The filter dialog: identifier key (exact), type, project and order, all applied by the server."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from identity_tui.tui.screens.list import Filters

TYPES = [("any", ""), ("org", "org"), ("user", "user"), ("other", "other")]
ORDERS = [("newest first", "desc"), ("oldest first", "asc")]


class FilterScreen(ModalScreen[Filters | None]):
    """Edits the non-name filters; enter applies, esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
        # Enter applies from every field; an open dropdown and a focused button keep enter for themselves.
        Binding("enter", "submit", "Apply", show=False, priority=True, id="filters.enter"),
    ]

    def __init__(self, filters: Filters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        f = self.filters
        with Vertical(id="filters-box", classes="dialog"):
            yield Static(Text("Filters", style="bold"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Identifier key (exact)")
                yield Input(f.identifier_key, id="f-key", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Type")
                yield Select(TYPES, value=f.identity_type, allow_blank=False, id="f-type", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Project id (exact)")
                yield Input(f.project_id, id="f-project", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Order")
                yield Select(ORDERS, value=f.order, allow_blank=False, id="f-order", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="apply", variant="primary")
                yield Button("Clear", id="clear")
                yield Button("Cancel", id="cancel")
            yield Static(Text("enter apply · esc cancel"), classes="dialog-hint")

    def _result(self) -> Filters:
        return replace(
            self.filters,
            identifier_key=self.query_one("#f-key", Input).value.strip(),
            identity_type=str(self.query_one("#f-type", Select).value or ""),
            project_id=self.query_one("#f-project", Input).value.strip(),
            order=str(self.query_one("#f-order", Select).value or "desc"),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit" and self._enter_is_taken():
            return False
        return True

    def _enter_is_taken(self) -> bool:
        """Whether enter belongs to the focused widget: an open dropdown picks, a button presses."""
        if isinstance(self.focused, Button):
            return True
        return any(select.expanded for select in self.query(Select))

    def action_submit(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        self.dismiss(self._result())

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(Filters(name=self.filters.name))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
