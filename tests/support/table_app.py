"""The identity table alone in a small app, and the rows it shows: for the table's own tests."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App, ComposeResult

from identity_tui.core.kinds import IdentityType
from identity_tui.tui.widgets.identity_table import IdentityTable

# 80x24 holds the header and 23 rows.
SIZE = (80, 24)
VISIBLE = 23


@dataclass(frozen=True)
class Row:
    """The fields the table reads from a row."""

    id: str
    name: str
    identifier_key: str
    identity_type: IdentityType
    project_id: str | None
    property_count: int

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("identity-")[:8]


def rows(n: int, tag: str = "a") -> list[Row]:
    return [
        Row(
            id=f"identity-{tag}{i:07d}-0000",
            name=f"Person {tag}{i}",
            identifier_key=f"person.{tag}{i}@example.test",
            identity_type=IdentityType.USER if i % 2 else IdentityType.ORG,
            project_id="proj-sales" if i % 3 == 0 else None,
            property_count=i % 7,
        )
        for i in range(n)
    ]


class TableApp(App):
    """The table alone, holding ``page``; records every RowSelected."""

    def __init__(self, page: list[Row]) -> None:
        super().__init__()
        self.page = page
        self.chosen: list[IdentityTable.RowSelected] = []

    def compose(self) -> ComposeResult:
        yield IdentityTable()

    def on_mount(self) -> None:
        self.query_one(IdentityTable).show_page(self.page)

    def on_identity_table_row_selected(self, event: IdentityTable.RowSelected) -> None:
        self.chosen.append(event)


def line(table: IdentityTable, y: int) -> str:
    return table.render_line(y).text


def cursor_on_screen(table: IdentityTable) -> bool:
    """True when the cursor row's name is drawn on one of the visible lines."""
    name = table.selected.name
    return any(name + " " in line(table, y) for y in range(1, table.size.height))
