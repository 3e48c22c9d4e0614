"""The property grid on its own, over a fake source: only the lines on screen are read and drawn, the cursor
stays in view and its region is where its row is drawn, error lines push rows down, untrusted text shows
literally, search highlights and wraps; and snapshots of how it looks."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import App, ComposeResult

from identity_tui.core.display import UNSAFE
from identity_tui.core.kinds import PropertyType
from identity_tui.core.property_rows import RowView
from identity_tui.tui.widgets.live_grid import LiveGrid
from identity_tui.tui.widgets.live_row import LiveRow
from identity_tui.tui.widgets.property_grid import PropertyGrid
from tests.support.grid_app import FakeSource, GridApp, plain_row
from tests.support.screen_text import screen_lines

SIZE = (80, 24)
ROWS_SHOWN = 23  # 24 lines less the header
SCREENS = 3 * ROWS_SHOWN  # the most views a move may read: about one screen, with room to spare


def shown(app: GridApp, grid: PropertyGrid) -> int:
    """The row index drawn on the screen line of the cursor region (-1 if no row is drawn there)."""
    region = grid.cursor_region()
    assert region is not None, "the cursor row is not on screen"
    line = screen_lines(app)[region.y]
    for i, row in enumerate(app.source.rows):
        if f" {row.key} " in line:
            return i
    return -1


def error(index: int, message: str = "not a number") -> dict:
    return {"errors": (("value", message),)}


async def test_ten_thousand_rows_open_reading_only_the_rows_on_screen():
    source = FakeSource.of(10_000)
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        lines = screen_lines(app)
        assert lines[0].split() == ["key", "type", "value"]
        for i in range(ROWS_SHOWN):
            assert lines[1 + i].startswith(f"   key{i:05d} "), lines[1 + i]
        assert f"value {ROWS_SHOWN - 1}" not in "".join(lines)  # row 22 is a number row: not a string row
        assert source.views < SCREENS, f"{source.views} views read to open"
        assert set(source.viewed) <= set(range(ROWS_SHOWN + 2))

        source.forget()
        await pilot.press("end")
        await pilot.pause()
        assert grid.cursor == 9_999
        assert screen_lines(app)[-1].startswith("   key09999 ")
        assert source.views < SCREENS, f"{source.views} views read to go to the end"
        assert min(source.viewed) >= 10_000 - SCREENS

        source.forget()
        for _ in range(3):
            await pilot.press("pageup")
        await pilot.pause()
        assert source.views < SCREENS, f"{source.views} views read for three pages"


async def test_cursor_moves_and_pages_keep_the_cursor_row_on_screen():
    source = FakeSource.of(200)
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        assert app.focused is grid and grid.cursor == 0
        assert shown(app, grid) == 0
        await pilot.press(*["down"] * 30)
        assert grid.cursor == 30
        assert shown(app, grid) == 30
        assert grid.cursor_region().y == SIZE[1] - 1, "the least scroll: the row on the last line"
        await pilot.press("up", "up")
        assert grid.cursor == 28 and shown(app, grid) == 28
        await pilot.press("pagedown")
        assert grid.cursor > 40 and shown(app, grid) == grid.cursor
        await pilot.press("pagedown", "pagedown")
        assert shown(app, grid) == grid.cursor
        at = grid.cursor
        await pilot.press("pageup")
        assert 0 < at - grid.cursor <= ROWS_SHOWN and shown(app, grid) == grid.cursor
        await pilot.press("end")
        assert grid.cursor == 199 and shown(app, grid) == 199
        await pilot.press("down")
        assert grid.cursor == 199, "the cursor stops at the last row"
        await pilot.press("home")
        assert grid.cursor == 0 and grid.scroll_y == 0 and shown(app, grid) == 0
        await pilot.press("up")
        assert grid.cursor == 0, "the cursor stops at the first row"


async def test_cursor_region_is_where_the_row_is_drawn_with_error_lines_and_after_a_scroll():
    source = FakeSource.of(300)
    for i in (2, 5, 150, 151, 290):
        source.change(i, **error(i))
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        lines = screen_lines(app)
        assert lines[4].rstrip() == "   row 3: value: not a number"
        grid.go_to(8)
        await pilot.pause()
        assert grid.cursor_region().y == 1 + 8 + 2, "two error lines above"
        assert shown(app, grid) == 8

        grid.scroll_to(y=5, animate=False)
        await pilot.pause()
        assert grid.cursor_region().y == 1 + 8 + 2 - 5 and shown(app, grid) == 8
        grid.scroll_to(y=20, animate=False)
        await pilot.pause()
        assert grid.cursor_region() is None, "scrolled off the top"

        # Rows never seen yet have error lines: they are learnt as they come on screen.
        grid.go_to(160)
        await pilot.pause()
        assert shown(app, grid) == 160
        lines = screen_lines(app)
        assert "   row 151: value: not a number" in [line.rstrip() for line in lines]
        assert "   row 152: value: not a number" in [line.rstrip() for line in lines]
        await pilot.press("end")
        assert shown(app, grid) == 299
        assert grid.line_count == 300 + 5


async def test_an_error_line_moves_the_rows_below_and_a_change_redraws_only_its_row():
    drawn: list[int] = []

    class Watched(PropertyGrid):
        def render_line(self, y):
            drawn.append(y)
            return super().render_line(y)

    source = FakeSource.of(40)
    app = GridApp(source, Watched(source))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        assert screen_lines(app)[1 + 3].startswith("   key00003 ")

        grid.row_changed(source.change(2, **error(2, "a number, e.g. 42")))
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[1 + 2].startswith("   key00002 ")
        assert lines[1 + 3].rstrip() == "   row 3: value: a number, e.g. 42"
        assert lines[1 + 4].startswith("   key00003 "), "the rows below moved down one line"
        assert grid.virtual_size.height == 1 + 40 + 1

        source.forget()
        drawn.clear()
        grid.row_changed(source.change(10, text="changed", modified=frozenset({"value"})))
        await pilot.pause()
        assert source.viewed == [10]
        assert drawn == [1 + 10 + 1], f"lines drawn: {drawn}"
        assert screen_lines(app)[1 + 11].startswith(" ● key00010 ")

        drawn.clear()
        grid.row_changed(source.change(2, errors=()))
        await pilot.pause()
        assert screen_lines(app)[1 + 3].startswith("   key00003 "), "the error line is gone again"
        assert grid.virtual_size.height == 1 + 40


async def test_changed_parts_wrong_parts_and_the_cursor_with_and_without_focus():
    rows = [plain_row(i) for i in range(5)]
    rows[1] = RowView(101, 1, "name", PropertyType.STRING, "Ann", frozenset({"key"}), (("value", "too short"),))
    source = FakeSource(rows)
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid

        def styles(y: int) -> dict[str, object]:
            """Each run of text on line ``y`` (as a strip joins them) and its style."""
            return {s.text.strip(): s.style for s in grid.render_line(y) if s.text.strip()}

        def style_of(y: int, text: str) -> object:
            return next(s.style for s in grid.render_line(y) if text in s.text)

        row = styles(1 + 1)
        assert row["●"].bold and row["●"].color != row["string"].color, "the mark in the mark colour"
        assert row["name"].bold and not row["Ann"].bold, "only the changed part is bold"
        assert row["Ann"].bgcolor != row["string"].bgcolor, "the wrong part is tinted"
        assert styles(1 + 2) == {"row 2: value: too short": styles(1 + 2)["row 2: value: too short"]}
        assert styles(1 + 2)["row 2: value: too short"].color != row["string"].color

        focused = style_of(1, "key00000").bgcolor
        assert focused != row["string"].bgcolor, "the cursor row stands out"
        app.set_focus(None)
        await pilot.pause()
        blurred = style_of(1, "key00000").bgcolor
        assert blurred not in (focused, row["string"].bgcolor), "and differently without focus"


async def test_rows_added_and_removed():
    source = FakeSource.of(50)
    source.change(45, **error(45))
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        await pilot.press("end")
        assert grid.line_count == 51
        del source.rows[40:]
        grid.rows_changed()
        await pilot.pause()
        assert grid.cursor == 39, "the cursor stays on a row"
        assert grid.line_count == 40 and grid.virtual_size.height == 41
        assert shown(app, grid) == 39
        source.rows.insert(0, RowView(999, 0, "first", PropertyType.STRING, "", frozenset(), ()))
        grid.rows_changed()
        grid.cursor_first()
        await pilot.pause()
        assert screen_lines(app)[1].startswith("   first ")
        assert screen_lines(app)[2].startswith("   key00000 ")


async def test_the_cursor_row_reserves_live_height_lines_and_can_be_covered():
    source = FakeSource.of(40)
    source.change(3, **error(3))
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        grid.live_height = 3
        grid.go_to(3)
        await pilot.pause()
        lines = [line.rstrip() for line in screen_lines(app)]
        assert lines[1 + 3].startswith("   key00003 ")
        assert lines[1 + 4] == lines[1 + 5] == "", "two more lines reserved under the cursor row"
        assert lines[1 + 6] == "   row 4: value: not a number"
        assert lines[1 + 7].startswith("   key00004 ")
        assert grid.cursor_region().y == 1 + 3 and grid.cursor_region().height == 3
        assert grid.line_count == 40 + 1 + 2 and grid.virtual_size.height == 1 + 43

        grid.cursor_covered = True
        await pilot.pause()
        assert screen_lines(app)[1 + 3].strip() == "", "under an editor the row is drawn blank"
        grid.cursor_covered = False

        await pilot.press("down")
        lines = [line.rstrip() for line in screen_lines(app)]
        assert lines[1 + 4].startswith("   row 4: value: not a number"), "row 3 is one line again"
        assert lines[1 + 5].startswith("   key00004 ") and lines[1 + 6] == lines[1 + 7] == ""
        assert grid.cursor_region().y == 1 + 5
        assert grid.row_at(5) == 4 and grid.row_at(7) == 4 and grid.row_at(8) == 5

        await pilot.click(PropertyGrid, offset=(10, 1 + 9))
        assert grid.cursor == 6, "a click puts the cursor on the row under it"
        await pilot.click(PropertyGrid, offset=(10, 0))
        assert grid.cursor == 6, "not the header"


async def test_no_rows():
    app = GridApp(FakeSource([]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        await pilot.press("down", "end", "pagedown", "home")
        assert grid.cursor == 0 and grid.cursor_region() is None
        lines = screen_lines(app)
        assert lines[0].split() == ["key", "type", "value"]
        assert all(not line.strip() for line in lines[1:])
        assert grid.find_next("x", 0) is None


HOSTILE = [
    RowView(1, 0, "\x1b]52;c;aGk=\x07", PropertyType.STRING, "\x1b[31mred\x07 [b]bold[/b]", frozenset(), ()),
    RowView(2, 0, "a\u202eb\u2066c", PropertyType.STRING, "line1\nline2\rx\x00", frozenset(), ()),
    RowView(3, 0, "k\x9b2J", PropertyType.JSON, '{"\u202e": "\x1b[2J"}', frozenset(),
            (("key", "duplicate key \x1b]0;title\x07"),)),
]


async def test_hostile_keys_and_values_show_as_visible_symbols():
    source = FakeSource(HOSTILE)
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        lines = screen_lines(app)
        assert lines[1].startswith("   ␛]52;c;aGk=␇ ")
        assert "␛[31mred␇ [b]bold[/b]" in lines[1]
        assert lines[2].startswith("   a\ufffdb\ufffdc ")
        assert "line1␊line2␍x␀" in lines[2]
        assert "row 3: key: duplicate key ␛]0;title␇" in lines[4]
        for y in range(grid.size.height):
            text = grid.render_line(y).text
            assert not UNSAFE.search(text), (y, text)
        for line in lines:
            assert not UNSAFE.search(line), line
        assert not any(segment.style and segment.style.bold for segment in grid.render_line(2)), "markup is text"


async def test_search_highlights_hits_case_blind_in_keys_and_values():
    rows = [plain_row(i) for i in range(30)]
    rows[3] = RowView(103, 0, "Email", PropertyType.STRING, "me@mail.test", frozenset(), ())
    source = FakeSource(rows)
    app = GridApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.grid
        grid.cursor = 5
        grid.search = "MAIL"
        await pilot.pause()

        def hits(y: int) -> list[str]:
            return [s.text for s in grid.render_line(y) if s.style and s.style.underline]

        assert hits(1 + 3) == ["mail", "mail"]
        assert hits(1 + 4) == []
        grid.search = ""
        await pilot.pause()
        assert hits(1 + 3) == []


def test_find_next_wraps_both_ways():
    rows = [plain_row(i) for i in range(10)]
    for i in (3, 7):
        rows[i] = RowView(100 + i, 0, f"apple{i}", PropertyType.STRING, "x", frozenset(), ())
    rows[5] = RowView(105, 0, "k", PropertyType.STRING, "an APPLE a day", frozenset(), ())
    grid = PropertyGrid(FakeSource(rows))
    assert grid.find_next("apple", 3) == 5
    assert grid.find_next("apple", 5) == 7
    assert grid.find_next("apple", 7) == 3, "past the last row it wraps to the first"
    assert grid.find_next("apple", 3, backwards=True) == 7, "before the first it wraps to the last"
    assert grid.find_next("apple", 7, backwards=True) == 5
    assert grid.find_next("pear", 0) is None
    assert grid.find_next("", 0) is None
    assert grid.find_next("apple7", 7) == 7, "the only hit is the row it starts from: found last"
    assert grid.find_next("a.p", 0) is None, "the term is literal, not a pattern"


# -- the live row ----------------------------------------------------------------------------------


class LiveApp(App[None]):
    """The grid with its live row; edits change the fake source as the form's model would."""

    def __init__(self, source: FakeSource) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield LiveGrid(self.source)

    def on_mount(self) -> None:
        self.query_one(LiveRow).key_input.focus()

    @on(LiveRow.Edited)
    def edited(self, event: LiveRow.Edited) -> None:
        self.query_one(LiveGrid).row_changed(event.row_id)


async def test_typing_lands_in_the_live_row_and_the_grid_row_follows_the_source():
    source = FakeSource([replace(plain_row(i), type=PropertyType.STRING) for i in range(100)])  # one-line values
    app = LiveApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        both = app.query_one(LiveGrid)
        grid, live = both.grid, both.live
        assert app.focused is live.key_input
        assert live.region == grid.cursor_region()
        assert live.key_input.region.x == 3 and live.value_input.region.x == 36, "over the grid's columns"

        await pilot.press("x", "y")
        await pilot.pause()
        assert live.key_input.value == "key00000xy"
        assert source.rows[0].key == "key00000xy"
        await pilot.press("down")
        await pilot.pause()
        assert grid.cursor == 1 and live.key_input.value == "key00001"
        assert live.region == grid.cursor_region() and live.region.y == 2
        assert screen_lines(app)[1].startswith(" ● key00000xy "), "the grid row shows the source's new key"

        await pilot.press("tab", "tab", "z", "up")  # past the type list to the value
        await pilot.pause()
        assert source.rows[1].text == "7z"
        assert grid.cursor == 0 and app.focused is live.value_input, "up keeps the column"
        assert live.value_input.value == "value 0"
        line = screen_lines(app)[2]
        assert line.startswith(" ● key00001 ") and " 7z " in line

        # A key typed straight after a move, before any message is handled, lands in the new row.
        live.action_move(1)
        live.value_input.insert_text_at_cursor("!")
        await pilot.pause()
        assert source.rows[1].text == "7z!" and source.rows[0].text == "value 0"

        await pilot.press(*["down"] * 29)
        await pilot.pause()
        assert live.region == grid.cursor_region() and live.region.y == SIZE[1] - 1
        grid.scroll_to(y=grid.scroll_y + 4, animate=False)
        await pilot.pause()
        assert live.shown and live.region == grid.cursor_region() and live.region.y == SIZE[1] - 5
        grid.scroll_to(y=0, animate=False)
        await pilot.pause()
        assert grid.cursor_region() is None and not live.shown, "out of sight while its row is off screen"
        assert not any("key00030" in line for line in screen_lines(app))
        assert app.focused is live.value_input, "and still holding the focus"
        await pilot.press("9")
        await pilot.pause()
        assert source.rows[30].text == "false9", "typing lands in its row"
        assert live.shown and live.region == grid.cursor_region(), "and brings the row back"


async def test_ctrl_end_and_ctrl_home_reach_the_last_and_the_first_row_in_the_same_column():
    source = FakeSource([replace(plain_row(i), type=PropertyType.STRING) for i in range(10_000)])
    app = LiveApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        both = app.query_one(LiveGrid)
        grid, live = both.grid, both.live
        await pilot.press("tab", "tab")  # past the type list to the value
        await pilot.pause()
        assert app.focused is live.value_input
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert grid.cursor == 9_999 and app.focused is live.value_input
        assert live.value_input.value == source.rows[9_999].text and live.region == grid.cursor_region()
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert grid.cursor == 0 and live.value_input.value == "value 0" and live.region == grid.cursor_region()


async def test_a_page_down_onto_a_taller_editor_scrolls_until_the_editor_stands_over_its_row():
    """Every row a page down can land on: a JSON row's editor takes more lines than the row did, so the grid
    scrolls once more to show them, and the editors stand over the row instead of waiting out of sight."""
    source = FakeSource([plain_row(i) for i in range(400)])  # string, number, boolean, JSON in turn
    app = LiveApp(source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        both = app.query_one(LiveGrid)
        grid, live = both.grid, both.live
        landed_on_json = 0
        for _ in range(40):
            await pilot.press("pagedown")
            await pilot.pause()
            landed_on_json += source.rows[grid.cursor].type is PropertyType.JSON
            region = grid.cursor_region()
            assert region is not None and live.shown and live.region == region, grid.cursor
            assert region.height == grid.live_height
        assert landed_on_json, "no page ended on a JSON row: the case is not covered"


# -- snapshots --------------------------------------------------------------------------------------


def snapshot_source() -> FakeSource:
    """Plain rows, changed parts, an error line and a search hit."""
    rows = [plain_row(i) for i in range(30)]
    rows[1] = RowView(101, 1, "email", PropertyType.STRING, "alice@mail.example", frozenset({"value"}), ())
    rows[2] = RowView(102, 1, "age", PropertyType.NUMBER, "forty", frozenset({"value"}),
                      (("value", "a number, e.g. 42 or 4.5"),))
    rows[3] = RowView(103, 1, "new.key", PropertyType.BOOLEAN, "true", frozenset({"key", "type", "value"}), ())
    rows[5] = RowView(105, 0, "prefs", PropertyType.JSON, '{"theme": "dark", "newsletter": false}', frozenset(), ())
    return FakeSource(rows)


async def _cursor_and_search(pilot) -> None:
    grid = pilot.app.grid
    grid.go_to(5)
    grid.search = "mail"
    await pilot.pause()


def test_grid_80x24(snap_compare):
    app = GridApp(snapshot_source())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_cursor_and_search)


def test_grid_60x20(snap_compare):
    app = GridApp(snapshot_source())
    assert snap_compare(app, terminal_size=(60, 20), run_before=_cursor_and_search)


def test_live_row_80x24(snap_compare):
    """The live row over the cursor row, after typing in a key and moving to the next row's value."""

    async def run_before(pilot) -> None:
        live = pilot.app.query_one(LiveRow)
        live.key_input.cursor_blink = live.value_input.cursor_blink = False
        await pilot.press("x", "tab", "tab", "down", "!")
        await pilot.pause()

    assert snap_compare(LiveApp(snapshot_source()), terminal_size=(80, 24), run_before=run_before)
