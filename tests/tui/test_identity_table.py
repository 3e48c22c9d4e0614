"""The identity table on its own: drawing, keys, mouse, paging and the lines it renders."""

from __future__ import annotations

from textual import events
from textual.geometry import Region

from identity_tui.core.kinds import IdentityType
from identity_tui.tui.widgets.identity_table import IdentityTable, column_widths
from tests.support.table_app import SIZE, VISIBLE, Row, TableApp, cursor_on_screen, line, rows


async def test_rows_render_under_the_header():
    page = rows(5)
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        header = line(table, 0)
        for label in ("Name", "Identifier key", "Type", "Project", "Props", "Id"):
            assert label in header
        widths = column_widths(table.size.width)
        first = line(table, 1)
        assert first.startswith(" Person a0 ")
        assert "person.a0@example.test" in first
        assert " org " in first and " proj-sa… " in first and " a0000000 " in first
        # Props is right-justified in its column, with one cell of padding either side.
        start = sum(widths[k] + 2 for k in ("name", "identifier_key", "type", "project"))
        assert line(table, 4)[start : start + widths["props"] + 2] == "     3 "
        assert line(table, 2)[start - widths["project"] - 1 :].startswith("—")
        assert line(table, 6).strip() == ""  # below the last row
        assert len(table.render_line(1).text) == table.size.width


async def test_untrusted_names_show_literally():
    page = [
        Row("identity-00000001", "plain", "k0", IdentityType.USER, None, 0),
        Row("identity-00000002", "[bold]x[/]", "[red]key[/red]", IdentityType.USER, "[i]p", 1),
        Row("identity-00000003", "\x1b[31mred", "k2\x07", IdentityType.OTHER, None, 2),
    ]
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        markup = table.render_line(2)
        assert " [bold]x[/] " in markup.text
        assert "[red]key[/red]" in markup.text
        assert " [i]p " in markup.text
        assert not any(segment.style and segment.style.bold for segment in markup)
        escape = line(table, 3)
        assert "\\x1b[31mred" in escape and "k2\\x07" in escape
        assert "\x1b" not in escape and "\x07" not in escape


async def test_movement_keys_move_the_cursor_and_keep_it_in_view():
    page = rows(50)
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        assert app.focused is table
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k", "up")
        assert table.cursor_row == 1
        await pilot.press("up", "k")
        assert table.cursor_row == 0, "the cursor stops at the first row"
        assert table.scroll_y == 0
        await pilot.press(*["j"] * VISIBLE)
        assert table.cursor_row == VISIBLE
        assert table.scroll_y == 1, "one past the bottom of the view scrolls one line"
        assert cursor_on_screen(table)
        assert "Identifier key" in line(table, 0), "the header does not scroll"
        await pilot.press("G")
        assert table.cursor_row == 49 and table.selected is page[49]
        assert table.scroll_y == 50 - VISIBLE
        assert line(table, table.size.height - 1).startswith(" Person a49 ")
        await pilot.press("j")
        assert table.cursor_row == 49, "the cursor stops at the last row"
        await pilot.press("g")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("end")
        assert table.cursor_row == 49 and cursor_on_screen(table)
        await pilot.press("home")
        assert table.cursor_row == 0 and cursor_on_screen(table)
        # Page keys are the screen's: the table does not bind them.
        await pilot.press("pagedown", "right_square_bracket")
        assert table.cursor_row == 0 and table.scroll_y == 0


async def test_move_cursor_scrolls_to_the_row():
    page = rows(50)
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        table.move_cursor(row=40, animate=False)
        await pilot.pause()
        assert table.cursor_row == 40 and table.selected is page[40]
        assert cursor_on_screen(table)
        table.move_cursor(row=500)
        assert table.cursor_row == 49
        table.move_cursor(row=-3)
        assert table.cursor_row == 0 and table.scroll_y == 0


async def test_enter_posts_row_selected_with_the_identity():
    page = rows(10)
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert [(m.row, m.identity) for m in app.chosen] == [(2, page[2])]
        assert app.chosen[0].control is table


async def test_a_click_moves_the_cursor_and_a_click_on_the_cursor_row_selects_it():
    page = rows(50)
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        await pilot.click(IdentityTable, offset=(5, 4))
        assert table.cursor_row == 3
        assert app.chosen == []
        await pilot.click(IdentityTable, offset=(40, 4))
        await pilot.pause()
        assert [(m.row, m.identity) for m in app.chosen] == [(3, page[3])]
        await pilot.click(IdentityTable, offset=(5, 0))
        assert table.cursor_row == 3, "a click on the header moves nothing"
        # Scrolled, a click lands on the row drawn there, not the row at that index.
        await pilot.press("G")
        await pilot.click(IdentityTable, offset=(5, 1))
        assert table.cursor_row == table.scroll_y == 50 - VISIBLE
        assert len(app.chosen) == 1


async def test_the_mouse_wheel_scrolls():
    app = TableApp(rows(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        x, y = table.region.x + 10, table.region.y + 5
        for _ in range(3):
            app.post_message(
                events.MouseScrollDown(None, x, y, 0, 1, 0, False, False, False, screen_x=x, screen_y=y)
            )
        await pilot.pause()
        assert table.scroll_y > 0
        assert line(table, 1).startswith(f" Person a{int(table.scroll_y)} ")


async def test_the_row_under_the_pointer_is_highlighted_until_a_key_moves_the_cursor():
    app = TableApp(rows(10))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        def background(y: int):
            return next(iter(table.render_line(y))).style.bgcolor

        plain = background(5)
        await pilot.hover(IdentityTable, offset=(5, 3))
        assert background(3) != plain
        assert background(4) == plain
        await pilot.press("j")
        assert background(3) == plain


async def test_only_the_visible_rows_are_rendered():
    app = TableApp([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        rendered = table.rows_drawn
        rendered.clear()
        table.show_page(rows(500))
        await pilot.pause()
        assert sorted(set(rendered)) == list(range(VISIBLE))
        assert len(rendered) <= VISIBLE + 2
        assert table.cached_lines <= VISIBLE + 2
        rendered.clear()
        await pilot.press("G")
        await pilot.pause()
        assert set(rendered) <= set(range(500 - VISIBLE, 500))
        assert 499 in rendered and len(rendered) <= VISIBLE + 2


async def test_a_cursor_move_repaints_two_lines():
    app = TableApp(rows(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        await pilot.press("j", "j")
        await pilot.pause()
        refreshed: list[tuple[Region, ...]] = []
        refresh = table.refresh

        def spy(*regions, **kwargs):
            refreshed.append(regions)
            return refresh(*regions, **kwargs)

        table.refresh = spy
        rendered = table.rows_drawn
        rendered.clear()
        await pilot.press("j")
        await pilot.pause()
        assert refreshed == [(Region(0, 3, 80, 1),), (Region(0, 4, 80, 1),)]
        # Row 2 without the cursor was drawn before and comes from the cache.
        assert 3 in rendered and set(rendered) <= {2, 3}


async def test_show_page_puts_the_cursor_on_the_first_row_at_the_top():
    app = TableApp(rows(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        await pilot.press("G")
        assert table.scroll_y > 0
        second = rows(30, tag="b")
        table.show_page(second)
        await pilot.pause()
        assert table.identities == second
        assert table.cursor_row == 0 and table.selected is second[0]
        assert table.scroll_y == 0
        assert line(table, 1).startswith(" Person b0 ")
        await pilot.press("G")
        assert table.cursor_row == 29


async def test_a_resize_refits_the_columns_and_keeps_the_cursor():
    page = rows(50)
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        await pilot.press("j", "j", "j", "j", "j")
        narrow = column_widths(80)
        assert line(table, 0).index("Identifier key") == narrow["name"] + 3
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        wide = column_widths(120)
        assert wide["name"] > narrow["name"]
        header = line(table, 0)
        assert len(header) == 120
        assert header.index("Identifier key") == wide["name"] + 3
        assert len(line(table, 6)) == 120
        assert table.cursor_row == 5 and table.selected is page[5]
        # Smaller than the page: the cursor row scrolls back into view.
        await pilot.press("G")
        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        assert table.cursor_row == 49 and cursor_on_screen(table)


async def test_an_empty_page_selects_nothing():
    app = TableApp([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        assert table.selected is None
        assert table.cursor_row == 0
        await pilot.press("j", "G", "k", "enter")
        await pilot.click(IdentityTable, offset=(5, 2))
        await pilot.pause()
        assert app.chosen == []
        assert table.selected is None
        assert "Identifier key" in line(table, 0)
        assert line(table, 1).strip() == ""


async def test_loading_covers_the_table_and_uncovers_it():
    app = TableApp(rows(5))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        table.loading = True
        await pilot.pause()
        assert table.loading
        table.show_page(rows(3, tag="c"))
        table.loading = False
        await pilot.pause()
        assert line(table, 1).startswith(" Person c0 ")


async def test_a_wide_terminal_shows_whole_ids_and_wider_columns():
    uuid = "4f0c6a52-9d3e-4b8a-a1f7-0c2d5e6f7a8b"
    page = [Row(f"identity-{uuid}", "A name that is rather long, forty-one ch", "key", IdentityType.USER,
                f"project-{uuid}", 1)]
    app = TableApp(page)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        assert " 4f0c6a52" in line(table, 1) and f"identity-{uuid}" not in line(table, 1)
        for width in (120, 139):
            await pilot.resize_terminal(width, 10)
            await pilot.pause()
            assert f"identity-{uuid}" not in line(table, 1), width  # the name and key would be squeezed
        await pilot.resize_terminal(200, 10)
        await pilot.pause()
        first = line(table, 1)
        assert first.rstrip().endswith(f"identity-{uuid}")
        assert "A name that is rather long, forty-one ch" in first  # wider columns, nothing cut
        assert f"project-{uuid}"[:20] in first and len(first) == 200
        # Back to 80 columns: the short id again.
        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        assert line(table, 1).rstrip().endswith("4f0c6a52")


def test_the_whole_id_takes_its_place_only_when_name_and_key_keep_room():
    for width in range(60, 400):
        widths = column_widths(width)
        if widths["id"] > 8:
            assert min(widths["name"], widths["identifier_key"]) >= 24, width
        assert sum(w + 2 for w in widths.values()) <= max(width - 1, 96), width
    assert column_widths(200)["id"] == len("identity-") + 36
    assert column_widths(120)["id"] == 8
