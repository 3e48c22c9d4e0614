"""The property list drawn a line at a time: any number of rows at the cost of the few on screen.

Rows are data (a ``RowSource`` hands out one ``RowView`` per row); nothing is mounted per row. A row is
one line, plus an error line under it when it has errors; the cursor row also reserves ``live_height``
lines, so that one live editor can sit over it (see ``cursor_region``). Only the lines on screen are
drawn, each straight to a strip kept in an LRU, as the identity table does.

A row's height is learnt when its view is first fetched: until then a row is taken to be one line,
so the source is never read whole to open or to scroll.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import ClassVar, NamedTuple, Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from identity_tui.core.fields import PARTS
from identity_tui.core.property_rows import RowView
from identity_tui.core.row_find import matched_part, one_line_json, search_pattern
from identity_tui.core.kinds import PropertyType
from identity_tui.tui.widgets.value_editors import visible_text

MARK = "●"
HEADER_HEIGHT = 1
# The form's columns today (edit.tcss): one cell of margin and a two-cell mark, the key a quarter of the
# width (at least 12), a 12-cell type with a cell either side, and the value in the rest.
KEY_X = 3
KEY_MIN = 12
TYPE_WIDTH = 12
ERROR_INDENT = 3


class RowSource(Protocol):
    """The rows the grid shows, by index."""

    def __len__(self) -> int: ...

    def view(self, index: int) -> RowView: ...

    def index_of(self, row_id: int) -> int: ...


class Columns(NamedTuple):
    """Where each column starts and how wide it is, for one width of the grid."""

    key_x: int
    key_width: int
    type_x: int
    value_x: int
    value_width: int


def columns(width: int) -> Columns:
    """The columns for a grid ``width`` cells wide, placed as the form places its fields."""
    key_width = max(KEY_MIN, width // 4)
    type_x = KEY_X + key_width + 1
    value_x = type_x + TYPE_WIDTH + 1
    return Columns(KEY_X, key_width, type_x, value_x, max(0, width - value_x))


def error_words(number: int, errors: tuple[tuple[str, str], ...]) -> str:
    """The error line under row ``number`` (counted from 1), in the form's words."""
    order = {part: i for i, part in enumerate(PARTS)}
    ordered = sorted(errors, key=lambda e: order.get(e[0], len(order)))
    return f"row {number}: " + " · ".join(f"{part}: {message}" for part, message in ordered)


def cell(raw: str, width: int, pattern: re.Pattern[str] | None, match: Style) -> Text:
    """Untrusted ``raw`` as one cell: every control or bidi character a visible symbol (one character for
    one, so search hits keep their place), hits in ``match``, cut to ``width`` cells with an ellipsis."""
    if width <= 0:
        return Text("", end="")
    text = visible_text(raw)
    if pattern is not None:
        for hit in pattern.finditer(raw):
            if hit.end() > hit.start():
                text.stylize(match, hit.start(), hit.end())
    if cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    text.pad_right(width - text.cell_len)
    return text


class PropertyGrid(ScrollView, can_focus=True, inherit_bindings=False):
    """The property rows of a ``RowSource`` under a header, with a cursor row.

    The form tells the grid what changed: ``rows_changed`` when rows were added, removed or moved, and
    ``row_changed`` when one row's view did.
    """

    ALLOW_SELECT = False

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("down", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="grid.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="grid.page_down"),
        Binding("ctrl+home,home", "first", "First", show=False, id="grid.first"),
        Binding("ctrl+end,end", "last", "Last", show=False, id="grid.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "property-grid--header",
        "property-grid--cursor",
        "property-grid--mark",
        "property-grid--modified",
        "property-grid--invalid",
        "property-grid--error",
        "property-grid--match",
    }

    # The form's marks (edit.tcss): a bold warning-coloured ●, changed parts bold, wrong parts on an error
    # tint, errors in the error colour; the cursor as DataTable's, and search hits that survive NO_COLOR.
    DEFAULT_CSS = """
    PropertyGrid {
        width: 1fr;
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;

        &:focus {
            & > .property-grid--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .property-grid--header {
            color: $text-muted;
            text-style: bold;
        }
        & > .property-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .property-grid--mark {
            color: $warning;
            text-style: bold;
        }
        & > .property-grid--modified {
            text-style: bold;
        }
        & > .property-grid--invalid {
            background: $error 25%;
        }
        & > .property-grid--error {
            color: $error;
        }
        & > .property-grid--match {
            background: $accent 50%;
            color: $foreground;
            text-style: bold underline;
        }
    }
    """

    search: reactive[str] = reactive("")
    """Text to highlight in keys and values (case-blind); empty for none."""

    class Moved(Message):
        """The cursor row moved, on screen or in the list: an editor over it should follow."""

        def __init__(self, grid: PropertyGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> PropertyGrid:
            """The grid, so ``@on`` can filter by selector."""
            return self.grid

    class Clicked(Message):
        """A click put the cursor on a row: whoever edits rows may take the keyboard there."""

        def __init__(self, grid: PropertyGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> PropertyGrid:
            return self.grid

    def __init__(
        self,
        source: RowSource,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.source = source
        self._cursor = 0
        self._live_height = 1
        self._covered = False
        # Line starts of the rows (without the cursor's reserved lines): row i starts at starts[i];
        # starts[-1] is the number of lines. Heights come from the rows known to have errors.
        self._starts: list[int] = [0]
        self._with_errors: set[int] = set()  # row ids known to show an error line
        self._stale = False  # a view fetched since showed a height the line starts do not have
        self._fix_queued = False
        self._measuring = False
        # Views by index, fetched once and kept until the form says the row (or the list) changed.
        self._views: LRUCache[int, RowView] = LRUCache(1024)
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._header: tuple[tuple[int, bool], Strip] | None = None
        self._styles: dict[bool, dict[str, Style]] = {}
        self._width = -1
        self._columns = columns(80)

    # -- what the form calls ----------------------------------------------------------------------

    def rows_changed(self) -> None:
        """Rows were added, removed or moved: forget the views, rebuild the line starts, redraw."""
        self._views.clear()
        self._lines.clear()
        count = len(self.source)
        self._cursor = max(0, min(self._cursor, count - 1))
        self._rebuild()
        self._measure_visible()
        self.refresh()
        self._moved()

    def row_changed(self, row_id: int) -> None:
        """One row's view changed: fetch it again and redraw its lines (all below too if its height changed)."""
        index = self._index_of(row_id)
        if index is None:
            return
        self._views.discard(index)
        self._view(index)
        if self._stale:
            self._rebuild()
            self.refresh()
            self._moved()
        else:
            self.refresh_lines(HEADER_HEIGHT + self.line_start(index), self.row_height(index))

    @property
    def live_height(self) -> int:
        """Lines reserved for the cursor row, where a live editor sits (at least 1)."""
        return self._live_height

    @live_height.setter
    def live_height(self, height: int) -> None:
        height = max(1, height)
        if height != self._live_height:
            self._live_height = height
            self._set_virtual_height()
            self.refresh()
            self.scroll_to_cursor()  # a taller editor may reach past the bottom: show all of its lines
            self._moved()

    @property
    def cursor_covered(self) -> bool:
        """True while an editor sits over the cursor row: its lines are then drawn blank, in the cursor's
        style, so no stale text shows around or under the editor."""
        return self._covered

    @cursor_covered.setter
    def cursor_covered(self, covered: bool) -> None:
        if covered != self._covered:
            self._covered = covered
            self._refresh_row(self._cursor)

    # -- geometry -----------------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        """Lines the rows take, not counting the header."""
        if len(self._starts) < 2:
            return 0
        return self._starts[-1] + self._live_height - 1

    def line_start(self, index: int) -> int:
        """First line of row ``index``, counted from the first row's line."""
        start = self._starts[index]
        return start + self._live_height - 1 if index > self._cursor else start

    def row_height(self, index: int) -> int:
        """Lines row ``index`` takes: one, the reserved ones if it is the cursor row, and its error line."""
        height = self._starts[index + 1] - self._starts[index]
        return height + self._live_height - 1 if index == self._cursor else height

    def row_at(self, line: int) -> int:
        """The row index that ``line`` (counted from the first row's line) falls in; -1 past the end."""
        if not 0 <= line < self.line_count:
            return -1
        extra = self._live_height - 1
        cursor_start = self._starts[self._cursor]
        if line >= cursor_start + extra + (self._starts[self._cursor + 1] - cursor_start):
            line -= extra
        elif line >= cursor_start:
            return self._cursor
        return bisect_right(self._starts, line) - 1

    def _rows_height(self) -> int:
        """Lines on screen for rows (under the header)."""
        return max(0, self.scrollable_content_region.height - HEADER_HEIGHT)

    def cursor_region(self) -> Region | None:
        """Where the cursor row's reserved lines are on the screen, for an editor to sit over them.

        None when there is no row, before the grid is laid out, or when those lines are not all on screen.
        """
        if not len(self.source) or self._rows_height() <= 0:
            return None
        area = self.scrollable_content_region
        top = HEADER_HEIGHT + self.line_start(self._cursor) - self.scroll_offset.y
        if top < HEADER_HEIGHT or top + self._live_height > area.height:
            return None
        return Region(area.x, area.y + top, area.width, self._live_height)

    def _rebuild(self) -> None:
        """Line starts from the rows known to have an error line; the virtual height to match."""
        count = len(self.source)
        heights = [1] * count
        for row_id in list(self._with_errors):
            index = self._index_of(row_id)
            if index is None:
                self._with_errors.discard(row_id)
            else:
                heights[index] = 2
        self._starts = [0, *accumulate(heights)]
        self._stale = False
        self._set_virtual_height()

    def _set_virtual_height(self) -> None:
        height = HEADER_HEIGHT + self.line_count
        if self.virtual_size.height != height:
            self.virtual_size = Size(0, height)

    def _index_of(self, row_id: int) -> int | None:
        """Where the row is now, or None if the source no longer has it."""
        try:
            index = self.source.index_of(row_id)
        except (KeyError, ValueError, IndexError):
            return None
        return index if 0 <= index < len(self.source) else None

    # -- views --------------------------------------------------------------------------------------

    def _view(self, index: int) -> RowView:
        """Row ``index``'s view, fetched once; notes when its error line is not where the line starts say."""
        view = self._views.get(index)
        if view is None:
            view = self.source.view(index)
            self._views[index] = view
            has_line = self._starts[index + 1] - self._starts[index] > 1
            if bool(view.errors) != has_line:
                self._stale = True
            if view.errors:
                self._with_errors.add(view.row_id)
            else:
                self._with_errors.discard(view.row_id)
        return view

    def _measure_visible(self) -> bool:
        """Fetch the views of the rows on screen and rebuild the line starts if any height was wrong.

        Repeats while a rebuild brings other rows on screen; True if anything was rebuilt.
        """
        if self._measuring or not len(self.source):
            return False
        self._measuring = True
        rebuilt = False
        try:
            for _ in range(4):
                first = self.row_at(self.scroll_offset.y)
                if first < 0:
                    break
                last_line = self.scroll_offset.y + max(1, self._rows_height()) - 1
                last = self.row_at(min(last_line, self.line_count - 1))
                for index in range(first, last + 1):
                    self._view(index)
                if not self._stale:
                    break
                self._rebuild()
                rebuilt = True
        finally:
            self._measuring = False
        if rebuilt:
            self.refresh()
        return rebuilt

    def _fix_heights(self) -> None:
        """A row drawn showed a new height: rebuild and redraw (after the frame that found it)."""
        self._fix_queued = False
        if self._stale:
            self._rebuild()
            self._measure_visible()
            self.refresh()
            self._moved()

    # -- the cursor -----------------------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """Index of the cursor row (0 when there are no rows)."""
        return self._cursor

    @cursor.setter
    def cursor(self, index: int) -> None:
        self.go_to(index)

    def go_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped to the rows) and scroll it into view."""
        count = len(self.source)
        if not count:
            return
        index = max(0, min(index, count - 1))
        old, self._cursor = self._cursor, index
        if old != index:
            if self._live_height > 1:
                self.refresh()  # the reserved lines moved: every line between the two rows shifts
            else:
                self._refresh_row(old)
                self._refresh_row(index)
        self.scroll_to_cursor()
        self._moved()

    def move_cursor(self, delta: int) -> None:
        """Move the cursor ``delta`` rows down (up when negative)."""
        self.go_to(self._cursor + delta)

    def page_down(self) -> None:
        """Move the cursor down a screen of lines."""
        self._page(+1)

    def page_up(self) -> None:
        """Move the cursor up a screen of lines."""
        self._page(-1)

    def _page(self, direction: int) -> None:
        page = max(1, self._rows_height() - 1)
        line = self.line_start(self._cursor) + direction * page
        line = max(0, min(line, self.line_count - 1))
        target = self.row_at(line)
        if target == self._cursor:
            target += direction
        self.go_to(target)

    def cursor_first(self) -> None:
        """Cursor to the first row."""
        self.go_to(0)

    def cursor_last(self) -> None:
        """Cursor to the last row."""
        self.go_to(len(self.source) - 1)

    def scroll_to_cursor(self) -> None:
        """Scroll the least that shows the whole cursor row (error line too) under the header."""
        if self._rows_height() <= 0 or not len(self.source):
            return  # not laid out yet: the first resize brings the cursor into view
        # Rows a scroll brings on screen may show error lines not yet known, which moves the cursor row
        # down: scroll again until it stays.
        for _ in range(4):
            self._measure_visible()
            region = Region(0, HEADER_HEIGHT + self.line_start(self._cursor), 1, self.row_height(self._cursor))
            scrolled = self.scroll_to_region(
                region, spacing=Spacing(HEADER_HEIGHT, 0, 0, 0), animate=False, force=True, x_axis=False
            )
            if not scrolled:
                break

    def _refresh_row(self, index: int) -> None:
        """Repaint the lines of row ``index``, if it is on screen."""
        if 0 <= index < len(self.source):
            self.refresh_lines(HEADER_HEIGHT + self.line_start(index), self.row_height(index))

    def _moved(self) -> None:
        self.post_message(self.Moved(self))

    # -- keys and mouse -----------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(-1)

    def action_cursor_down(self) -> None:
        self.move_cursor(+1)

    def action_page_up(self) -> None:
        self.page_up()

    def action_page_down(self) -> None:
        self.page_down()

    def action_first(self) -> None:
        self.cursor_first()

    def action_last(self) -> None:
        self.cursor_last()

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the row under the pointer."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER_HEIGHT:
            return
        index = self.row_at(offset.y - HEADER_HEIGHT + self.scroll_offset.y)
        if index >= 0:
            event.stop()
            self.go_to(index)
            self.post_message(self.Clicked(self))

    # -- scroll and size ----------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Learn the heights of rows coming on screen before they are drawn; an editor follows the row."""
        if round(old_value) != round(new_value):
            self._measure_visible()
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._moved()

    def on_resize(self, event: events.Resize) -> None:
        """Refit the columns and keep the cursor row in view."""
        self._fit(self.scrollable_content_region.width)
        self._measure_visible()
        self.scroll_to_cursor()
        self._moved()

    def on_mount(self) -> None:
        self.rows_changed()

    def _fit(self, width: int) -> None:
        """Columns for ``width``; strips of the old width are dropped."""
        if width == self._width:
            return
        self._width = width
        self._columns = columns(width)
        self._lines.clear()
        self._header = None

    def notify_style_update(self) -> None:
        """Styles changed (theme, focus): draw every line afresh."""
        self._styles.clear()
        self._lines.clear()
        self._header = None
        super().notify_style_update()

    # -- drawing ------------------------------------------------------------------------------------

    def _styles_for(self, focused: bool) -> dict[str, Style]:
        """Every style a line uses, for the focus state, resolved once."""
        styles = self._styles.get(focused)
        if styles is None:
            component = self.get_component_rich_style
            base = self.rich_style
            styles = self._styles[focused] = {
                "row": base,
                "header": base + component("property-grid--header", partial=True),
                "cursor": base + component("property-grid--cursor"),
                "mark": component("property-grid--mark", partial=True),
                "modified": component("property-grid--modified", partial=True),
                "invalid": component("property-grid--invalid"),
                "error": base + component("property-grid--error", partial=True),
                "match": component("property-grid--match"),
            }
        return styles

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget: the header on top, then the rows' lines from the scroll offset."""
        width = self.scrollable_content_region.width  # not under the scrollbar
        if width != self._width:
            self._fit(width)
        focused = self.has_focus
        if y < HEADER_HEIGHT:
            if self._header is None or self._header[0] != (width, focused):
                self._header = ((width, focused), self._render_header(width, focused))
            return self._header[1]
        line = y - HEADER_HEIGHT + self.scroll_offset.y
        index = self.row_at(line)
        styles = self._styles_for(focused)
        if index < 0:
            return Strip.blank(width, styles["row"])
        view = self._view(index)
        if self._stale and not self._fix_queued:
            self._fix_queued = True
            self.call_later(self._fix_heights)
        offset = line - self.line_start(index)
        cursor = index == self._cursor
        reserved = self._live_height if cursor else 1
        if offset < reserved:
            if cursor and (offset > 0 or self._covered):
                return Strip.blank(width, styles["cursor"])
            key: tuple[object, ...] = ("row", view.row_id, view.version, width, cursor, focused, self.search)
            strip = self._lines.get(key)
            if strip is None:
                strip = self._lines[key] = self._render_row(view, width, cursor, styles)
            return strip
        if not view.errors:
            return Strip.blank(width, styles["row"])  # a height learnt this frame; redrawn after it
        key = ("error", view.row_id, view.version, index, width, focused)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._render_error(view, index, width, styles)
        return strip

    def _render_header(self, width: int, focused: bool) -> Strip:
        """The column labels over their columns."""
        style = self._styles_for(focused)["header"]
        cols = self._columns
        labels = ((cols.key_x, "key"), (cols.type_x, "type"), (cols.value_x, "value"))
        segments: list[Segment] = []
        at = 0
        for x, label in labels:
            if x >= width:
                break
            segments.append(Segment(" " * (x - at) + label, style))
            at = x + len(label)
        return Strip(segments).adjust_cell_length(width, style).simplify()

    def _render_row(self, view: RowView, width: int, cursor: bool, styles: dict[str, Style]) -> Strip:
        """One row's line: mark, key, type and value in their columns, changed and wrong parts styled."""
        console = self.app.console
        row_style = styles["cursor" if cursor else "row"]
        cols = self._columns
        pattern = search_pattern(self.search)
        invalid = {part for part, _message in view.errors}

        def part_style(part: str) -> Style:
            style = row_style
            if part in view.modified:
                style += styles["modified"]
            if part in invalid and not cursor:
                style += styles["invalid"]
            return style

        def render(text: Text, style: Style) -> list[Segment]:
            return list(Segment.apply_style(text.render(console), style))

        mark = Segment(MARK, row_style + styles["mark"]) if view.modified else Segment(" ", row_style)
        segments = [Segment(" ", row_style), mark, Segment(" ", row_style)]
        segments += render(cell(view.key, cols.key_width, pattern, styles["match"]), part_style("key"))
        segments.append(Segment(" ", row_style))
        type_text = Text(view.type.value[:TYPE_WIDTH].ljust(TYPE_WIDTH), end="")
        segments += render(type_text, part_style("type"))
        segments.append(Segment(" ", row_style))
        if cols.value_width:
            text = one_line_json(view.text) if view.type is PropertyType.JSON else view.text
            segments += render(cell(text, cols.value_width, pattern, styles["match"]), part_style("value"))
        return Strip(segments).adjust_cell_length(width, row_style).simplify()

    def _render_error(self, view: RowView, index: int, width: int, styles: dict[str, Style]) -> Strip:
        """The error line under row ``index``, indented as the form's, its text shown literally."""
        style = styles["error"]
        room = max(0, width - ERROR_INDENT)
        text = visible_text(error_words(index + 1, view.errors))
        if text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        segments = [Segment(" " * ERROR_INDENT, style), *Segment.apply_style(text.render(self.app.console), style)]
        return Strip(segments).adjust_cell_length(width, style).simplify()

    # -- search -------------------------------------------------------------------------------------

    def find_next(self, term: str, from_index: int, backwards: bool = False) -> int | None:
        """The next row after ``from_index`` (before, when ``backwards``) whose key or value holds ``term``,
        wrapping round the ends and coming back to ``from_index`` last; None when no row does."""
        count = len(self.source)
        pattern = search_pattern(term)
        if pattern is None or not count:
            return None
        step = -1 if backwards else 1
        for n in range(1, count + 1):
            index = (from_index + step * n) % count
            view = self.source.view(index)  # not kept: a search must not push the screen's views out
            if matched_part(view, pattern) is not None:
                return index
        return None
