"""The key bar: the shown keys of the screen, the palette's key kept on the right, a click presses a key."""

from __future__ import annotations

from identity_tui.tui.screens.filters import FilterScreen
from identity_tui.tui.screens.raw_json import RawJsonScreen
from identity_tui.tui.widgets.key_bar import KeyBar
from tests.support.pilot import settle


def bar_text(app) -> str:
    bar = app.screen.query_one(KeyBar)
    return str(bar.render())


def spot(app, description: str) -> tuple[int, int]:
    """Screen offset of a key's description in the bar."""
    bar = app.screen.query_one(KeyBar)
    x = bar_text(app).index(description)
    return bar.region.x + x, bar.region.y


async def test_the_list_shows_its_keys_and_the_palette_key_on_the_right(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        text = bar_text(app)
        assert len(text) == 80
        # quit and help are kept whatever the width; the others fill the rest from the left
        words = [" / Filter ", " f Filters ", " n New ", " d Delete ", " y JSON ", " q Quit ", " ? Help "]
        positions = [text.index(w) for w in words]
        assert positions == sorted(positions), text
        assert text.rstrip().endswith("^pCommands")
        assert "Next" not in text, "a key that does not fit whole is left out, not cut"


async def test_a_wider_terminal_shows_more_keys(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        text = bar_text(app)
        assert len(text) == 120
        assert " ? Help " in text and text.rstrip().endswith("^pCommands")


async def test_read_only_drops_the_write_keys(make_app):
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        text = bar_text(app)
        assert " New " not in text and " Delete " not in text
        assert " Filter " in text and " JSON " in text


async def test_clicking_a_key_presses_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.click(offset=spot(app, "JSON"))
        await settle(pilot, app)
        assert isinstance(app.screen, RawJsonScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.click(offset=spot(app, "Filters"))
        await settle(pilot, app)
        assert isinstance(app.screen, FilterScreen)


async def test_clicking_between_keys_does_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        x, y = spot(app, "Commands")
        await pilot.click(offset=(x - 4, y))  # the gap before the palette's key (▏^p are x-3..x-1)
        await settle(pilot, app)
        assert app.screen is screen


async def test_the_edit_screen_shows_its_own_keys(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        before = bar_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        after = bar_text(app)
        assert after != before
        assert " Filter " not in after
