"""The identity list: one page drawn a line at a time, with k9s-style movement keys.

Only the visible rows are rendered, each straight to a strip and cached, so swapping a page or
moving the cursor costs a few rows of work rather than a measure and render of every cell.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from identity_tui.core.display import printable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from identity_tui.core.models import Identity
    from identity_tui.core.summary import IdentitySummary

    # A row is either; only the fields the columns show are read.
    Row = Identity | IdentitySummary

COLUMNS = (
    ("name", "Name"),
    ("identifier_key", "Identifier key"),
    ("type", "Type"),
    ("project", "Project"),
    ("props", "Props"),
    ("id", "Id"),
)

PADDING = 1  # cells of space either side of every cell
HEADER_HEIGHT = 1
MARK = "*"  # drawn in the first cell's left padding of a marked row: ASCII, so every terminal shows it


class IdentityTable(ScrollView, can_focus=True, inherit_bindings=False):
    """One page of identities; page keys are left to the screen, which pages the server."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", show=False, id="table.open"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("g,home", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G,end", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "identity-table--header",
        "identity-table--cursor",
        "identity-table--hover",
        "identity-table--mark",
    }

    # The same theme variables as DataTable, so the list looks the same in every theme.
    DEFAULT_CSS = """
    IdentityTable {
        width: 1fr;
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;

        &:focus {
            background-tint: $foreground 5%;
            & > .identity-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .identity-table--header {
                background-tint: $foreground 5%;
            }
        }
        & > .identity-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .identity-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .identity-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .identity-table--hover {
            background: $block-hover-background;
        }
        & > .identity-table--mark {
            color: $accent;
            text-style: bold;
        }
    }
    """

    class RowSelected(Message):
        """A row was chosen: enter, or a click on the row under the cursor."""

        def __init__(self, table: IdentityTable, row: int, identity: Row) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.identity = identity

        @property
        def control(self) -> IdentityTable:
            """The table the row belongs to, so ``@on`` can filter by selector."""
            return self.table

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.identities: list[Row] = []
        self._cursor = 0
        self._hover = -1
        self._width = -1
        self._widths: dict[str, int] = {}
        # A page is 50 rows by default; room for every row in both cursor states, and then some.
        self._lines: LRUCache[tuple[int, int, bool, bool, bool, bool], Strip] = LRUCache(256)
        # The ids of the marked identities (the screen's, kept across pages): their rows carry ``MARK``.
        self.marks: Collection[str] = frozenset()
        self._header: tuple[tuple[int, bool], Strip] | None = None
        self._styles: dict[bool, dict[str, Style]] = {}
        # The rows drawn afresh lately (a cached line is not drawn), newest last: public so tests and the
        # bench can check that only the rows on screen are drawn, and clear it to watch the next draw.
        self.rows_drawn: deque[int] = deque(maxlen=256)

    # -- the page -----------------------------------------------------------------------------

    def show_page(self, identities: Sequence[Row]) -> None:
        """Replace the rows with ``identities``, cursor on the first, scrolled to the top."""
        self.identities = list(identities)
        self._cursor = 0
        self._hover = -1
        self._lines.clear()
        self.virtual_size = Size(0, HEADER_HEIGHT + len(self.identities))
        self.scroll_to(y=0, animate=False)
        self.refresh()

    def refresh_marks(self, ids: Iterable[str] | None = None) -> None:
        """Draw the mark of ``ids`` (every row when None) again: they were marked or unmarked."""
        if ids is None:
            self._lines.clear()
            self.refresh()
            return
        wanted = set(ids)
        for row, identity in enumerate(self.identities):
            if identity.id in wanted:
                self._refresh_row(row)

    @property
    def selected(self) -> Row | None:
        """The identity under the cursor."""
        if 0 <= self._cursor < len(self.identities):
            return self.identities[self._cursor]
        return None

    def get_row_at(self, row: int) -> tuple[Text, ...]:
        """The cells of ``row`` as they are shown."""
        return cells(self.identities[row], self._widths or column_widths(self.size.width))

    # -- the cursor ---------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        """Index of the row under the cursor (0 on an empty page)."""
        return self._cursor

    @cursor_row.setter
    def cursor_row(self, row: int) -> None:
        self.move_cursor(row=row)

    def move_cursor(self, row: int | None = None, column: int | None = None, animate: bool = False) -> None:
        """Put the cursor on ``row`` (clamped to the page) and scroll it into view; ``column`` is ignored."""
        if row is None:
            return
        row = max(0, min(row, len(self.identities) - 1))
        old, self._cursor = self._cursor, row
        if old != row:
            self._refresh_row(old)
            self._refresh_row(row)
        self._scroll_to_cursor(animate=animate)

    def _scroll_to_cursor(self, animate: bool = False) -> None:
        """Scroll the least that shows the cursor row below the header."""
        visible = self.scrollable_content_region.height - HEADER_HEIGHT
        if visible <= 0:
            return  # not laid out yet: the first resize brings the cursor into view
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=animate)
        elif self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=animate)

    def _refresh_row(self, row: int) -> None:
        """Repaint the one line showing ``row``, if it is on screen."""
        if 0 <= row < len(self.identities):
            self.refresh_line(HEADER_HEIGHT + row)

    def _set_hover(self, row: int) -> None:
        """Move the mouse highlight to ``row`` (-1 for none), repainting the two lines."""
        if row != self._hover:
            old, self._hover = self._hover, row
            self._refresh_row(old)
            self._refresh_row(row)

    # -- keys -----------------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Move the cursor up a row."""
        self._set_hover(-1)
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor down a row."""
        self._set_hover(-1)
        self.move_cursor(row=self._cursor + 1)

    def action_scroll_top(self) -> None:
        """Cursor to the first row."""
        self._set_hover(-1)
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        """Cursor to the last row."""
        self._set_hover(-1)
        self.move_cursor(row=len(self.identities) - 1)

    def action_select_cursor(self) -> None:
        """Say which row was chosen (nothing on an empty page)."""
        self._set_hover(-1)
        self._post_selected()

    def _post_selected(self) -> None:
        """Post RowSelected for the cursor row, if there is one."""
        identity = self.selected
        if identity is not None:
            self.post_message(self.RowSelected(self, self._cursor, identity))

    # -- mouse ----------------------------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> int:
        """The row under the pointer, or -1 over the header or below the last row."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER_HEIGHT:
            return -1
        row = offset.y - HEADER_HEIGHT + self.scroll_offset.y
        return row if row < len(self.identities) else -1

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a click on the cursor row chooses it."""
        row = self._row_at(event)
        if row < 0:
            return
        event.stop()
        if row == self._cursor:
            self._post_selected()
        else:
            self.move_cursor(row=row)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Highlight the row under the pointer, as DataTable does."""
        self._set_hover(self._row_at(event))

    def on_leave(self, event: events.Leave) -> None:
        """No highlight once the pointer leaves."""
        self._set_hover(-1)

    # -- size -----------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Refit the columns to the new width and keep the cursor row in view."""
        self._fit(self.size.width)
        self._scroll_to_cursor()

    def _fit(self, width: int) -> None:
        """Size the columns to ``width`` so nothing scrolls sideways; drop strips of the old width."""
        if width == self._width:
            return
        self._width = width
        self._widths = column_widths(width)
        self._lines.clear()
        self._header = None

    def notify_style_update(self) -> None:
        """Styles changed (theme, focus, hover): draw every line afresh."""
        self._styles.clear()
        self._lines.clear()
        self._header = None
        super().notify_style_update()

    # -- drawing --------------------------------------------------------------------------------

    def _styles_for(self, focused: bool) -> dict[str, Style]:
        """The row, header, cursor and hover styles for the focus state, resolved once."""
        styles = self._styles.get(focused)
        if styles is None:
            component = self.get_component_rich_style
            base = self.rich_style
            cursor = component("identity-table--cursor")
            hover = component("identity-table--hover")
            styles = self._styles[focused] = {
                "row": base,
                "header": component("identity-table--header"),
                "cursor": base + cursor,
                "hover": base + hover,
                "hover_cursor": base + hover + cursor,
                "mark": component("identity-table--mark", partial=True),
                # The cursor's colour wins over a cell's own, as DataTable's does by default.
                "cursor_post": Style.from_color(cursor.color),
            }
        return styles

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget: the header on top, then the rows from the scroll offset."""
        width = self.size.width
        if width != self._width:
            self._fit(width)
        focused = self.has_focus
        if y < HEADER_HEIGHT:
            if self._header is None or self._header[0] != (width, focused):
                self._header = ((width, focused), self._render_header(width, focused))
            return self._header[1]
        row = y - HEADER_HEIGHT + self.scroll_offset.y
        if not 0 <= row < len(self.identities):
            return Strip.blank(width, self._styles_for(focused)["row"])
        key = (row, width, row == self._cursor, row == self._hover, focused, self.identities[row].id in self.marks)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._render_row(*key)
            self.rows_drawn.append(row)
        return strip

    @property
    def cached_lines(self) -> int:
        """How many drawn lines are kept for reuse (a page's worth, in its cursor and hover states)."""
        return len(self._lines)

    def _render_header(self, width: int, focused: bool) -> Strip:
        """The column labels, in the header style."""
        style = self._styles_for(focused)["header"]
        labels = [Text(label) for _key, label in COLUMNS]
        return self._strip(labels, width, style, None)

    def _render_row(self, row: int, width: int, cursor: bool, hover: bool, focused: bool, marked: bool) -> Strip:
        """One row as a strip: padded cells in the row's style, extended to the full width; a marked row's
        first padding cell holds ``MARK``."""
        styles = self._styles_for(focused)
        if cursor:
            style, post = styles["hover_cursor" if hover else "cursor"], styles["cursor_post"]
        else:
            style, post = styles["hover" if hover else "row"], None
        mark = Segment(MARK, style + styles["mark"]) if marked else None
        return self._strip(cells(self.identities[row], self._widths), width, style, post, mark)

    def _strip(self, texts: Iterable[Text], width: int, style: Style, post: Style | None,
               mark: Segment | None = None) -> Strip:
        """Cells padded and cut to their columns, in ``style`` with ``post`` on top, ``width`` wide; ``mark``
        in place of the first cell's left padding."""
        console = self.app.console
        pad = Segment(" " * PADDING, style)
        segments: list[Segment] = []
        for n, (text, (key, _label)) in enumerate(zip(texts, COLUMNS)):
            # A cell is justified right or not at all (left).
            text.align("right" if text.justify == "right" else "left", self._widths[key])
            # Text.render leaves the text's own style to the caller; spans it styles itself.
            cell_style = style + console.get_style(text.style) if text.style else style
            segments.append(mark if n == 0 and mark is not None else pad)
            if text.spans:
                segments.extend(Segment.apply_style(text.render(console), cell_style, post))
            else:
                segments.append(Segment(text.plain, cell_style + post if post else cell_style))
            segments.append(pad)
        return Strip(segments).adjust_cell_length(width, style).simplify()


FULL_ID = len("identity-") + 36  # a Letta id: the prefix and a uuid
ROOMY = 24  # the least the name and the key keep when the full id takes its place


def column_widths(width: int) -> dict[str, int]:
    """Column widths for a table ``width`` cells wide: fixed small columns, the rest shared.

    On a wide terminal the id column holds a whole id (the name and the key keeping ``ROOMY`` cells at
    least), and the project column grows up to a whole project id.
    """
    for id_width in (FULL_ID, 8):
        fixed = {"type": 5, "props": 5, "id": id_width}
        # Each column takes its width plus one cell of padding on either side; keep one for the scrollbar.
        free = max(30, width - 2 - sum(fixed.values()) - 2 * len(COLUMNS))
        project = max(7, min(FULL_ID, free // 6))
        rest = free - project
        name = max(10, rest * 2 // 5)
        key = max(10, rest - name)
        if id_width == 8 or min(name, key) >= ROOMY:
            break
    return {"name": name, "identifier_key": key, "project": project, **fixed}


def fit(text: str, width: int) -> Text:
    """Untrusted text made printable and cut to ``width`` cells as Rich counts them (a ZWJ emoji is
    one character of two cells), between whole characters, with an ellipsis when cut."""
    plain = printable(text)
    if cell_len(plain) <= width:
        return Text(plain, end="")
    cut = set_cell_size(plain, max(0, width - 1))
    if cut.endswith(" ") and not plain.startswith(cut):
        cut = cut[:-1]  # the pad where a wide character did not fit; the column's padding takes it
    return Text(cut + "…", end="")


def cells(identity: Row, widths: dict[str, int] | None = None) -> tuple[Text, ...]:
    """A row's cells as plain Text: names from the server are never read as markup."""
    w = widths or column_widths(120)
    return (
        fit(identity.name, w["name"]),
        fit(identity.identifier_key, w["identifier_key"]),
        Text(identity.identity_type.value),
        fit(identity.project_id or "—", w["project"]),
        Text(str(identity.property_count), justify="right"),
        Text(identity.id if len(identity.id) <= w["id"] else identity.short_id, style="dim"),
    )
