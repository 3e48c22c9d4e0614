"""The identity list: a DataTable holding one page, with k9s-style movement keys."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from identity_tui.core.display import one_line
from identity_tui.core.models import Identity

COLUMNS = (
    ("name", "Name"),
    ("identifier_key", "Identifier key"),
    ("type", "Type"),
    ("project", "Project"),
    ("props", "Props"),
    ("id", "Id"),
)


class IdentityTable(DataTable, inherit_bindings=False):
    """One page of identities; page keys are left to the screen, which pages the server."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", show=False, id="table.open"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("g,home", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G,end", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.identities: list[Identity] = []

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show_page(self, identities: list[Identity]) -> None:
        """Replace the rows with ``identities``, cursor on the first."""
        self.identities = list(identities)
        self.clear()
        for identity in identities:
            self.add_row(*cells(identity), key=identity.id)
        if identities:
            self.move_cursor(row=0, column=0, animate=False)

    @property
    def selected(self) -> Identity | None:
        """The identity under the cursor."""
        if not self.identities or not 0 <= self.cursor_row < len(self.identities):
            return None
        return self.identities[self.cursor_row]


def cells(identity: Identity) -> tuple[Text, ...]:
    """A row's cells as plain Text: names from the server are never read as markup."""
    return (
        Text(one_line(identity.name, 40)),
        Text(one_line(identity.identifier_key, 32)),
        Text(identity.identity_type.value),
        Text(one_line(identity.project_id or "—", 16)),
        Text(str(len(identity.properties)), justify="right"),
        Text(identity.short_id, style="dim"),
    )
