"""The property grid alone in a small app, over a fake row source that counts what is read from it."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App, ComposeResult

from identity_tui.core.kinds import PropertyType
from identity_tui.core.property_rows import RowView
from identity_tui.tui.widgets.property_grid import PropertyGrid

TYPES = (PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON)


def plain_row(i: int) -> RowView:
    """Row ``i``: key ``key00000`` and so on, each with its own value text; unchanged, no errors."""
    ptype = TYPES[i % 4]
    text = {
        PropertyType.STRING: f"value {i}",
        PropertyType.NUMBER: str(i * 7),
        PropertyType.BOOLEAN: "true" if i % 2 else "false",
        PropertyType.JSON: f'{{"n": {i}}}',
    }[ptype]
    return RowView(i + 100, 0, f"key{i:05d}", ptype, text, frozenset(), ())


class FakeSource:
    """Rows held in a list; ``views`` counts the calls to ``view``, ``viewed`` says which rows."""

    def __init__(self, rows: list[RowView]) -> None:
        self.rows = list(rows)
        self.views = 0
        self.viewed: list[int] = []

    @classmethod
    def of(cls, count: int) -> FakeSource:
        return cls([plain_row(i) for i in range(count)])

    def __len__(self) -> int:
        return len(self.rows)

    def view(self, index: int) -> RowView:
        self.views += 1
        self.viewed.append(index)
        return self.rows[index]

    def index_of(self, row_id: int) -> int:
        for i, row in enumerate(self.rows):
            if row.row_id == row_id:
                return i
        raise KeyError(row_id)

    def change(self, index: int, **parts: object) -> int:
        """Change row ``index`` as the model would (a new version); its row id, for ``row_changed``."""
        row = self.rows[index]
        self.rows[index] = replace(row, version=row.version + 1, **parts)  # type: ignore[arg-type]
        return row.row_id

    # What the live row writes: a changed part is marked modified, as the model would.

    def _write(self, row_id: int, part: str, **parts: object) -> None:
        index = self.index_of(row_id)
        row = self.rows[index]
        if any(getattr(row, name) != value for name, value in parts.items()):
            self.change(index, modified=row.modified | {part}, **parts)

    def set_key(self, row_id: int, key: str) -> None:
        self._write(row_id, "key", key=key)

    def set_text(self, row_id: int, text: str) -> None:
        self._write(row_id, "value", text=text)

    def set_switch(self, row_id: int, on: bool) -> None:
        self._write(row_id, "value", text="true" if on else "false")

    def set_type(self, row_id: int, ptype: PropertyType | str) -> None:
        self._write(row_id, "type", type=PropertyType(ptype))

    def forget(self) -> None:
        """Start counting afresh."""
        self.views = 0
        self.viewed.clear()


class GridApp(App[None]):
    """The grid alone, focused, over ``source``."""

    def __init__(self, source: FakeSource, grid: PropertyGrid | None = None) -> None:
        super().__init__()
        self.source = source
        self.grid = grid or PropertyGrid(source)

    def compose(self) -> ComposeResult:
        yield self.grid
