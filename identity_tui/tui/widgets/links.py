"""A focusable list of agents or memory blocks: the links of an identity, or the picker's results."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from identity_tui.core.display import one_line
from identity_tui.core.paths import link_path

NOUNS = {"agent": ("agent", "agents"), "block": ("memory block", "memory blocks")}


def target_label(kind: str, item: dict[str, Any], width: int = 40) -> str:
    """How an agent (its name) or a block (its label) is named, on one printable line."""
    first = "name" if kind == "agent" else "label"
    return one_line(str(item.get(first) or item.get("name") or item.get("id") or ""), width)


def request_line(kind: str, target_id: str, identity_id: str, attach: bool) -> str:
    """The one request a link change sends, as a person reads it in a preview."""
    return f"PATCH {link_path(kind, one_line(target_id, 60), one_line(identity_id, 60), attach=attach)}"


class LinkTable(DataTable):
    """Agents or blocks, one a row (name or label, then the id, or the block's value); text shown literally."""

    DEFAULT_CSS = """
    LinkTable {
        height: auto;
        max-height: 10;
    }
    """

    def __init__(self, kind: str, *, detail: str = "id", width: int = 40, id: str | None = None) -> None:
        super().__init__(cursor_type="row", id=id)
        self.kind = kind
        self.detail = detail  # "id", or "value" for the picker's block results
        self.width = width  # of the second column
        self.items: list[dict[str, Any]] = []
        self.marked: set[str] = set()

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.add_column(Text("Name" if self.kind == "agent" else "Label"), key="label")
        self.add_column(Text("Id" if self.detail == "id" else "Value"), key="detail")
        self.add_column(Text(""), key="mark")

    def set_kind(self, kind: str, detail: str) -> None:
        """Show agents or blocks from now on (the rows are dropped)."""
        self.kind, self.detail = kind, detail
        self.items = []
        self.clear(columns=True)
        self._add_columns()

    def show(self, items: list[dict[str, Any]], *, append: bool = False) -> None:
        """Show ``items`` (or add them below the rows there)."""
        if not append:
            self.clear()
            self.items = []
        for item in items:
            self.items.append(item)
            detail = item.get("id") if self.detail == "id" else item.get("value")
            mark = "linked" if item.get("id") in self.marked else ""
            self.add_row(
                Text(target_label(self.kind, item, 24 if self.width < 40 else 40)),
                Text(one_line(str(detail or ""), self.width), style="dim"),
                Text(mark, style="italic"),
            )

    @property
    def selected(self) -> dict[str, Any] | None:
        """The agent or block under the cursor."""
        if not self.items or not 0 <= self.cursor_row < len(self.items):
            return None
        return self.items[self.cursor_row]
