"""One live row of editors over the property grid's cursor row (a prototype of the grid's step 3).

A ``ScrollView`` cannot hold child widgets, so the editors are a sibling of the grid in a layered
container: ``LiveRow`` sits above the grid with ``position: absolute`` and is moved onto
``PropertyGrid.cursor_region()`` whenever the cursor row moves on screen. The same widgets are
retargeted to each row; nothing is mounted per row. Typing is reported with ``LiveRow.Edited``: the
form changes its model and tells the grid, whose row then shows the new text.

Not yet here: the type list and the boolean and JSON editors, a tall live row, read-only rows.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from identity_tui.tui.widgets.property_grid import MARK, TYPE_WIDTH, PropertyGrid, RowSource, columns
from identity_tui.tui.widgets.value_editors import FieldInput, text_input


class LiveRow(Horizontal):
    """The key and value editors of the cursor row, drawn over the grid's line for it."""

    DEFAULT_CSS = """
    LiveRow {
        position: absolute;
        layer: live;
        height: 1;
        width: 1fr;
        background: $surface;
        & > .live-mark {
            width: 3;
            padding-left: 1;
            color: $warning;
            text-style: bold;
        }
        & > .live-key {
            margin-right: 1;
        }
        & > .live-type {
            width: 12;
            margin-right: 1;
        }
        & > .live-value {
            width: 1fr;
        }
        & > Input:focus {
            background: $primary 35%;
        }
    }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="live.up"),
        Binding("down", "move(1)", "Down", show=False, id="live.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="live.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="live.page_down"),
    ]

    class Edited(Message):
        """The person changed ``part`` ("key" or "value") of row ``row_id`` to ``text``."""

        def __init__(self, live: LiveRow, row_id: int, part: str, text: str) -> None:
            super().__init__()
            self.live = live
            self.row_id = row_id
            self.part = part
            self.text = text

        @property
        def control(self) -> LiveRow:
            return self.live

    def __init__(self, grid: PropertyGrid, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid
        self.row_id: int | None = None  # the row the editors hold, None before the first
        self._shown = False
        self.mark = Static(" ", classes="live-mark")
        self.key_input: FieldInput = text_input(placeholder="key", classes="live-key")  # type: ignore[assignment]
        self.type_label = Static("", classes="live-type")
        self.value_input: FieldInput = text_input(placeholder="value", classes="live-value")  # type: ignore[assignment]

    def compose(self) -> ComposeResult:
        yield self.mark
        yield self.key_input
        yield self.type_label
        yield self.value_input

    # -- following the cursor row -------------------------------------------------------------------

    @property
    def shown(self) -> bool:
        """Whether the live row is over its row; False while that row is off screen."""
        return self._shown

    def follow(self) -> None:
        """Hold the grid's cursor row and sit over it.

        While that row is off screen the live row waits just below the container, out of sight but
        still displayed: hiding it would move the focus away (a hidden widget cannot hold it).
        """
        grid = self.grid
        container = self.parent
        if not len(grid.source) or container is None:
            self.display = False
            return
        self.display = True
        self.load(grid.cursor)
        grid.cursor_covered = True
        region = grid.cursor_region()
        area = container.content_region  # type: ignore[attr-defined]
        self._shown = region is not None
        if region is None:
            self.styles.offset = (0, area.height)
            return
        self.styles.offset = (region.x - area.x, region.y - area.y)
        self.styles.width = region.width
        self.styles.height = region.height
        self.key_input.styles.width = columns(region.width).key_width

    def load(self, index: int) -> None:
        """Show row ``index`` in the editors, unless they hold it already (so typing is never undone)."""
        view = self.grid.source.view(index)
        self.mark.update(MARK if view.modified else " ", layout=False)
        if view.row_id == self.row_id:
            return
        self.row_id = view.row_id
        self.type_label.update(view.type.value[:TYPE_WIDTH], layout=False)
        for field, text in ((self.key_input, view.key), (self.value_input, view.text)):
            with field.prevent(Input.Changed):
                field.value = text
            field.cursor_position = len(text)

    # -- keys ---------------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        """Up or down a row, in the same column: the editors take the new row at once, so keys typed
        right after land in it."""
        self.grid.move_cursor(delta)
        self.follow()

    def action_page(self, direction: int) -> None:
        """A page up or down, in the same column."""
        if direction < 0:
            self.grid.page_up()
        else:
            self.grid.page_down()
        self.follow()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.row_id is None:
            return
        part = "key" if event.input is self.key_input else "value"
        self.post_message(self.Edited(self, self.row_id, part, event.value))
        if not self._shown:
            # Typed into a row scrolled out of sight (by the mouse): bring the row back.
            self.grid.scroll_to_cursor()
            self.follow()


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

    def __init__(self, source: RowSource, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = PropertyGrid(source)
        self.live = LiveRow(self.grid)

    def compose(self) -> ComposeResult:
        yield self.grid
        yield self.live

    def on_mount(self) -> None:
        self.live.key_input.focus()

    def row_changed(self, row_id: int) -> None:
        """One row's view changed: the grid redraws it, and the live row's mark follows."""
        self.grid.row_changed(row_id)
        if row_id == self.live.row_id:
            self.live.follow()

    @on(PropertyGrid.Moved)
    def _moved(self, event: PropertyGrid.Moved) -> None:
        event.stop()
        self.live.follow()

    def on_resize(self) -> None:
        self.call_after_refresh(self.live.follow)
