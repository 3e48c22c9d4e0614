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
        self._widths: dict[str, int] = {}

    def on_mount(self) -> None:
        self._fit(self.size.width or 80)

    def on_resize(self) -> None:
        if self._fit(self.size.width):
            row = self.cursor_row
            self._fill()
            if self.identities:
                self.move_cursor(row=min(row, len(self.identities) - 1), animate=False)

    def _fit(self, width: int) -> bool:
        """Size the columns to the terminal so nothing scrolls sideways; True when they changed."""
        widths = column_widths(width)
        if widths == self._widths:
            return False
        self._widths = widths
        self.clear(columns=True)
        for key, label in COLUMNS:
            self.add_column(Text(label), key=key, width=widths[key])
        return True

    def show_page(self, identities: list[Identity]) -> None:
        """Replace the rows with ``identities``, cursor on the first."""
        self.identities = list(identities)
        self._fill()
        if identities:
            self.move_cursor(row=0, column=0, animate=False)

    def _fill(self) -> None:
        self.clear()
        for identity in self.identities:
            self.add_row(*cells(identity, self._widths), key=identity.id)

    @property
    def selected(self) -> Identity | None:
        """The identity under the cursor."""
        if not self.identities or not 0 <= self.cursor_row < len(self.identities):
            return None
        return self.identities[self.cursor_row]


def column_widths(width: int) -> dict[str, int]:
    """Column widths for a table ``width`` cells wide: fixed small columns, the rest shared."""
    fixed = {"type": 5, "props": 5, "id": 8}
    # Each column takes its width plus one cell of padding on either side; keep one for the scrollbar.
    free = max(30, width - 2 - sum(fixed.values()) - 2 * len(COLUMNS))
    project = max(7, min(20, free // 6))
    rest = free - project
    name = max(10, rest * 2 // 5)
    key = max(10, rest - name)
    return {"name": name, "identifier_key": key, "project": project, **fixed}


def cells(identity: Identity, widths: dict[str, int] | None = None) -> tuple[Text, ...]:
    """A row's cells as plain Text: names from the server are never read as markup."""
    w = widths or column_widths(120)
    return (
        Text(one_line(identity.name, w["name"])),
        Text(one_line(identity.identifier_key, w["identifier_key"])),
        Text(identity.identity_type.value),
        Text(one_line(identity.project_id or "—", w["project"])),
        Text(str(len(identity.properties)), justify="right"),
        Text(identity.short_id, style="dim"),
    )
