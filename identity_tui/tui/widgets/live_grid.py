"""The property grid with its live row of editors above it, in two layers: what the edit form shows its rows in."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Container

from identity_tui.tui.widgets.live_row import EditableRows, LiveRow
from identity_tui.tui.widgets.property_grid import PropertyGrid


class LiveGrid(Container):
    """The grid with its live row above it, in two layers; the live row follows the cursor row."""

    DEFAULT_CSS = """
    LiveGrid {
        layers: grid live;
        height: 1fr;
        & > PropertyGrid {
            layer: grid;
        }
    }
    """

    def __init__(self, source: EditableRows, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = PropertyGrid(source)
        self.grid.can_focus = False  # the keyboard is in the live row; the grid only shows the rows
        self.live = LiveRow(self.grid)

    def compose(self) -> ComposeResult:
        yield self.grid
        yield self.live

    def row_changed(self, row_id: int) -> None:
        """One row's view changed: the grid redraws it, and the live row's mark follows."""
        self.grid.row_changed(row_id)
        if row_id == self.live.row_id:
            self.live.refresh_mark()

    @on(PropertyGrid.Moved)
    def _moved(self, event: PropertyGrid.Moved) -> None:
        event.stop()
        self.live.follow()

    @on(PropertyGrid.Clicked)
    def _clicked(self, event: PropertyGrid.Clicked) -> None:
        """A row clicked: the live row takes it, and the keyboard goes to its key unless already in the row."""
        event.stop()
        live = self.live
        live.follow()
        if live.part_of(self.screen.focused) is None:
            self.screen.set_focus(live.key_input, scroll_visible=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self.live.follow)

