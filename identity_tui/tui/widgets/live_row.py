"""One live row of editors over the property grid's cursor row.

A ``ScrollView`` cannot hold child widgets, so the editors are a sibling of the grid in a layered
container: ``LiveRow`` sits above the grid with ``position: absolute`` and is moved onto
``PropertyGrid.cursor_region()`` whenever the cursor row moves on screen. The same widgets are
retargeted to each row; nothing is mounted per row. Every editor is there from the start (key, the
type list, and one value editor per type, only the row's type shown), so a change of row or type is a
few attribute changes, done at once inside the key's handler: keys typed straight after land in the new
row.

What the editors hold is written to the source (``flush``) before they take another row, on every
change, and whenever the form reads its values; ``LiveRow.Edited`` then says which row changed, for the
grid to redraw it.
"""

from __future__ import annotations

from typing import Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static, Switch, TextArea

from identity_tui.core.kinds import PropertyType
from identity_tui.tui.widgets.property_grid import MARK, PropertyGrid, RowSource, columns
from identity_tui.tui.widgets.value_editors import (
    FieldInput,
    JsonValueEditor,
    LiveBoolEditor,
    TextValueEditor,
    text_input,
)

TYPE_OPTIONS = [(t.value, t.value) for t in PropertyType]
TEXT_TYPES = (PropertyType.STRING, PropertyType.NUMBER)
# A JSON value gets this many lines at least and at most; the text scrolls inside beyond that.
JSON_LINES = (2, 8)
NUMBER_HINT = "a number, e.g. 42 or 4.5"
OUT_OF_SIGHT = 10_000  # lines below its container: where the live row waits while it has no row on screen


class RowWriter(Protocol):
    """Where the live row writes what is typed: the form's model."""

    def set_key(self, row_id: int, key: str) -> None: ...

    def set_text(self, row_id: int, text: str) -> None: ...

    def set_switch(self, row_id: int, on: bool) -> None: ...

    def set_type(self, row_id: int, ptype: PropertyType | str) -> None: ...


class EditableRows(RowSource, RowWriter, Protocol):
    """Rows to draw and to write to."""


class LiveRow(Horizontal):
    """The key, type and value editors of the cursor row, drawn over the grid's lines for it."""

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
        & > .prop-key {
            width: 12;
        }
        & > .prop-type {
            width: 12;
            margin: 0 1;
        }
        & > .value-editor {
            width: 1fr;
        }
        & > .bool-editor {
            height: 1;
        }
        & > JsonValueEditor {
            padding: 0;  /* its text starts in the grid's value column, as a one-line value's does */
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
        Binding("ctrl+home", "edge(-1)", "First row", show=False, id="live.first_row"),
        Binding("ctrl+end", "edge(1)", "Last row", show=False, id="live.last_row"),
    ]

    class Edited(Message):
        """What the editors hold was written to row ``row_id`` of the source."""

        def __init__(self, live: LiveRow, row_id: int) -> None:
            super().__init__()
            self.live = live
            self.row_id = row_id

        @property
        def control(self) -> LiveRow:
            return self.live

    def __init__(self, grid: PropertyGrid, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid
        self.row_id: int | None = None  # the row the editors hold, None before the first
        self.ptype = PropertyType.STRING  # the type whose editor shows
        self.readonly = False
        self._shown = False
        self.mark = Static(" ", classes="live-mark")
        self.key_input: FieldInput = text_input(placeholder="key", classes="prop-key")  # type: ignore[assignment]
        self.type_select: Select[str] = Select(TYPE_OPTIONS, value=PropertyType.STRING.value, allow_blank=False,
                                               compact=True, classes="prop-type")
        self.text_editor = TextValueEditor(PropertyType.STRING, "")
        self.bool_editor = LiveBoolEditor(self._toggled)
        self.json_editor = JsonValueEditor({})
        self.bool_editor.display = self.json_editor.display = False

    def compose(self) -> ComposeResult:
        yield self.mark
        yield self.key_input
        yield self.type_select
        yield self.text_editor
        yield self.bool_editor
        yield self.json_editor

    @property
    def source(self) -> EditableRows:
        return self.grid.source  # type: ignore[return-value]

    # -- parts --------------------------------------------------------------------------------------

    @property
    def value_input(self) -> Widget:
        """The value editor shown now: the widget that takes the keyboard for the value."""
        if self.ptype is PropertyType.BOOLEAN:
            return self.bool_editor.switch
        if self.ptype is PropertyType.JSON:
            return self.json_editor
        return self.text_editor

    @property
    def editor(self) -> TextValueEditor | LiveBoolEditor | JsonValueEditor:
        """The value editor of the row's type (the boolean one holds its switch)."""
        if self.ptype is PropertyType.BOOLEAN:
            return self.bool_editor
        if self.ptype is PropertyType.JSON:
            return self.json_editor
        return self.text_editor

    def part(self, name: str) -> Widget:
        """The focusable widget of ``key``, ``type`` or ``value``."""
        if name == "key":
            return self.key_input
        if name == "type":
            return self.type_select
        return self.value_input

    def part_of(self, widget: Widget | None) -> str | None:
        """Which part ``widget`` is (or sits in): "key", "type", "value", or None outside the live row."""
        if widget is None:
            return None
        for name in ("key", "type", "value"):
            target = self.part(name)
            if widget is target or target in widget.ancestors:
                return name
        return None

    def make_read_only(self) -> None:
        """Read-only: every row can be focused and read, not changed."""
        self.readonly = True
        self.key_input.read_only = True
        self.text_editor.read_only = True
        self.json_editor.read_only = True
        self.type_select.disabled = True
        self.bool_editor.switch.disabled = True

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
        if not len(grid.source):
            self.flush()
            self.row_id = None
            self.display = False
            return
        if container is None:
            return
        self.display = True
        self.load(grid.cursor)
        self.place()

    def place(self) -> None:
        """Sit over the cursor row's reserved lines (below the container while they are off screen)."""
        grid = self.grid
        container = self.parent
        if container is None:
            return
        region = grid.cursor_region()
        area = container.content_region  # type: ignore[attr-defined]
        self._shown = region is not None
        grid.cursor_covered = self._shown  # the grid draws the row itself until the editors stand over it
        if region is None:
            # Below the container; before the first layout it has no height, and far below is out of sight.
            self.styles.offset = (0, area.height or OUT_OF_SIGHT)
            return
        self.styles.offset = (region.x - area.x, region.y - area.y)
        self.styles.width = region.width
        self.styles.height = region.height
        self.key_input.styles.width = columns(region.width).key_width
        self.call_after_refresh(self.show_cursor)

    def show_cursor(self) -> None:
        """Put the terminal's cursor where the focused field's is (the live row's editors, or any other).

        A text field tells the app where its cursor is only when its cursor moves, from where it was laid
        out then: after the live row moved to another row the terminal's cursor would stay behind. And a
        field given a value says so even without the focus: the live row loading a row under a focused
        name would leave the cursor in the live row.
        """
        focused = self.screen.focused if self.is_attached else None
        if isinstance(focused, (Input, TextArea)):
            self.app.cursor_position = focused.cursor_screen_offset

    def forget(self) -> None:
        """The row held is gone (deleted, or a new list): take the cursor row afresh, writing nothing."""
        self.row_id = None

    def load(self, index: int, *, force: bool = False) -> None:
        """Show row ``index`` in the editors, unless they hold it already (so typing is never undone).

        What the editors held for their row is written to it first. ``force`` shows the row again even
        when held (its type changed, or a value came from elsewhere).
        """
        source = self.source
        if not force and self.row_id is not None and self.row_id != source.view(index).row_id:
            self.flush()
        view = source.view(index)
        self.mark.update(MARK if view.modified else " ", layout=False)
        if view.row_id == self.row_id and not force:
            return
        had_value = self.part_of(self.screen.focused if self.is_attached else None) == "value"
        self.row_id = view.row_id
        with self.key_input.prevent(Input.Changed):
            self.key_input.value = view.key
        self.key_input.cursor_position = len(view.key)
        if self.type_select.value != view.type.value:
            with self.type_select.prevent(Select.Changed):
                self.type_select.value = view.type.value
        self.ptype = view.type
        if view.type in TEXT_TYPES:
            editor = self.text_editor
            editor.ptype = view.type
            editor.placeholder = NUMBER_HINT if view.type is PropertyType.NUMBER else "text"
            with editor.prevent(Input.Changed):
                editor.shown_text = view.text
                editor.value = view.text
            editor.cursor_position = len(view.text)
        elif view.type is PropertyType.BOOLEAN:
            self.bool_editor.show_word(view.text)
        else:
            editor_json = self.json_editor
            with editor_json.prevent(TextArea.Changed):
                editor_json.load_text(view.text)
                editor_json.shown_text = view.text
        shown = self.editor
        if had_value and self.is_attached:
            # At once, and before the old editor hides: a hidden widget would hand the focus elsewhere.
            self.screen.set_focus(self.value_input, scroll_visible=False)
        for editor_widget in (self.text_editor, self.bool_editor, self.json_editor):
            editor_widget.display = editor_widget is shown
        self._fit_height()
        # A text field that is given a value moves the terminal's cursor to itself, focused or not: when the
        # focus is elsewhere (the name, while the cursor row changes under it), the cursor goes back there.
        self.show_cursor()

    def _fit_height(self) -> None:
        """A JSON value takes as many lines as it has (within ``JSON_LINES``); any other row one."""
        if self.ptype is PropertyType.JSON:
            low, high = JSON_LINES
            height = min(high, max(low, self.json_editor.document.line_count))
        else:
            height = 1
        self.json_editor.styles.height = height
        if self.grid.live_height != height:
            self.grid.live_height = height  # the grid moves the rows below and says so: ``place`` follows

    def refresh_mark(self) -> None:
        """The held row's ● again (its modified parts changed)."""
        if self.row_id is not None and len(self.grid.source):
            view = self.source.view(self.grid.cursor)
            if view.row_id == self.row_id:
                self.mark.update(MARK if view.modified else " ", layout=False)

    # -- writing ------------------------------------------------------------------------------------

    def flush(self) -> bool:
        """Write what the editors hold into their row; True when there is a row to write to."""
        row_id = self.row_id
        if row_id is None or self.readonly:
            return False
        source = self.source
        try:
            source.set_key(row_id, self.key_input.value)
            if self.ptype in TEXT_TYPES:
                source.set_text(row_id, self.text_editor.value)
            elif self.ptype is PropertyType.JSON:
                source.set_text(row_id, self.json_editor.text)
        except KeyError:
            self.row_id = None  # the row went meanwhile
            return False
        return True

    def _toggled(self, on: bool) -> None:
        row_id = self.row_id
        if row_id is None or self.readonly or self.ptype is not PropertyType.BOOLEAN:
            return
        self.source.set_switch(row_id, on)
        self.post_message(self.Edited(self, row_id))

    def set_type(self, ptype: PropertyType) -> None:
        """Give the held row type ``ptype``, converting its value, and show the editor for it."""
        row_id = self.row_id
        if row_id is None or self.readonly:
            return
        self.flush()
        self.source.set_type(row_id, ptype)
        self.load(self.grid.cursor, force=True)
        self.post_message(self.Edited(self, row_id))

    def load_text(self, text: str) -> None:
        """Put ``text`` in the value editor (from $EDITOR) and write it to the row."""
        if self.ptype is PropertyType.JSON:
            self.json_editor.load_text(text)
        elif self.ptype in TEXT_TYPES:
            self.text_editor.value = text
            self.text_editor.cursor_position = len(text)
        self._changed()

    def _changed(self) -> None:
        if self.flush() and self.row_id is not None:
            self.post_message(self.Edited(self, self.row_id))
            if self.ptype is PropertyType.JSON:
                self._fit_height()
            if not self._shown:
                # Typed into a row scrolled out of sight (by the mouse): bring the row back.
                self.grid.scroll_to_cursor()
                self.place()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _typed(self, event: Message) -> None:
        event.stop()
        self._changed()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        """Enter in a key or a one-line value: the row below, in the same column, as in a spreadsheet."""
        event.stop()
        self.move(1)

    @on(Switch.Changed)
    def _switched(self, event: Switch.Changed) -> None:
        event.stop()  # written already, by the switch itself

    @on(Select.Changed)
    def _type_chosen(self, event: Select.Changed) -> None:
        event.stop()
        chosen = PropertyType(str(self.type_select.value))
        if chosen is not self.ptype:
            self.set_type(chosen)

    # -- keys ---------------------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        """Up or down ``delta`` rows, in the same column: the editors take the new row at once."""
        self.flush()
        self.grid.move_cursor(delta)
        self.follow()

    def action_move(self, delta: int) -> None:
        """Up or down a row, in the same column."""
        self.move(delta)

    def action_edge(self, direction: int) -> None:
        """The first or the last row, in the same column."""
        self.flush()
        if direction < 0:
            self.grid.cursor_first()
        else:
            self.grid.cursor_last()
        self.follow()

    def action_page(self, direction: int) -> None:
        """A page up or down, in the same column."""
        self.flush()
        if direction < 0:
            self.grid.page_up()
        else:
            self.grid.page_down()
        self.follow()
