"""The filter dialog: identifier key (exact), type, project and order, applied by the server, and a key
prefix or part and property expressions (the --where grammar), which the list scans the server's pages for."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from identity_tui.core.where import WhereError
from identity_tui.tui.property_scan import SEPARATOR, split, where_sentence
from identity_tui.tui.screens.list_model import Filters
from identity_tui.tui.widgets.buttons import KeyButton

TYPES = [("any", ""), ("org", "org"), ("user", "user"), ("other", "other")]
ORDERS = [("newest first", "desc"), ("oldest first", "asc")]
KEY_MATCH_OPTIONS = [("is exactly", "exact"), ("starts with", "prefix"), ("contains", "contains")]


def form_row(label: str, field: Widget) -> Horizontal:
    """One line of the dialog: the field's name, then the field."""
    return Horizontal(Label(label), field, classes="form-row")


class FilterScreen(ModalScreen[Filters | None]):
    """Edits the non-name filters; enter applies, esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
        # Enter applies from every field; an open dropdown and a focused button keep enter for themselves.
        Binding("enter", "submit", "Apply", show=False, priority=True, id="filters.enter"),
    ]

    DEFAULT_CSS = """
    FilterScreen #f-where-error { display: none; color: $error; height: auto; margin-bottom: 1; }
    FilterScreen #f-where-error.shown { display: block; }
    FilterScreen .form-row Select#f-key-match { width: 17; margin-left: 1; }
    """

    def __init__(self, filters: Filters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        f = self.filters
        with Vertical(id="filters-box", classes="dialog"):
            yield Static(Text("Filters", style="bold"), classes="dialog-title")
            yield Horizontal(
                Label("Identifier key"),
                Input(f.identifier_key, id="f-key", compact=True),
                Select(KEY_MATCH_OPTIONS, value=f.key_match, allow_blank=False, id="f-key-match", compact=True),
                classes="form-row",
            )
            yield form_row("Type", Select(TYPES, value=f.identity_type, allow_blank=False, id="f-type", compact=True))
            yield form_row("Project id (exact)", Input(f.project_id, id="f-project", compact=True))
            yield form_row("Order", Select(ORDERS, value=f.order, allow_blank=False, id="f-order", compact=True))
            where = f"{SEPARATOR} ".join(f.where)
            where_input = Input(where, placeholder="plan=gold; seats>=10", id="f-where", compact=True)
            yield form_row("Property", where_input)
            yield Static("", id="f-where-error")
            with Horizontal(classes="buttons"):
                yield KeyButton("Apply", id="apply", variant="primary")
                yield KeyButton("Clear", id="clear")
                yield KeyButton("Cancel", id="cancel")
            yield Static(
                Text("Key: starts with / contains scan the pages, ignoring case.\n"
                     "Property: plan=gold · seats>=10 · name~acme · region? · !region\n"
                     f"several separated by {SEPARATOR} all hold · enter apply · esc cancel"),
                classes="dialog-hint",
            )

    def _result(self) -> Filters:
        """The filters as typed; WhereError when a property expression does not parse."""
        where = split(self.query_one("#f-where", Input).value)
        return replace(
            self.filters,
            identifier_key=self.query_one("#f-key", Input).value.strip(),
            key_match=str(self.query_one("#f-key-match", Select).value or "exact"),
            identity_type=str(self.query_one("#f-type", Select).value or ""),
            project_id=self.query_one("#f-project", Input).value.strip(),
            order=str(self.query_one("#f-order", Select).value or "desc"),
            where=where,
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
        # The app's key gate hands enter on only once the keys typed ahead of it are in their box.
        self.action_apply()

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        try:
            result = self._result()
        except WhereError as exc:  # nothing is applied: the sentence says what is wrong
            error = self.query_one("#f-where-error", Static)
            error.update(Text(where_sentence(exc)))
            error.add_class("shown")
            self.query_one("#f-where", Input).focus()
            return
        self.dismiss(result)

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(Filters(name=self.filters.name))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
