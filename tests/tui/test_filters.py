"""The filters dialog: enter applies from every field, and its text boxes can be seen in every theme."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from identity_tui.core.config import Config
from identity_tui.tui.screens.filters import FilterScreen
from identity_tui.tui.screens.list import ListScreen
from tests.support.pilot import settle
from tests.support.screen_text import screen_lines


async def open_filters(pilot, app) -> FilterScreen:
    await settle(pilot, app)
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, FilterScreen)
    return app.screen


@pytest.mark.parametrize("field", ["#f-type", "#f-order"])
async def test_enter_on_a_closed_dropdown_applies(make_app, field):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filters(pilot, app)
        dialog.query_one(field, Select).focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen), "enter did not apply the filters"


async def test_enter_in_an_open_dropdown_picks_the_option_and_the_next_enter_applies(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filters(pilot, app)
        select = dialog.query_one("#f-type", Select)
        select.focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert select.expanded
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is dialog and not select.expanded
        assert select.value == "org"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert app.screen.filters.identity_type == "org"


@pytest.mark.parametrize("mode", ["no_color", "ansi-dark"])
async def test_the_key_and_project_boxes_have_a_visible_frame(make_app, monkeypatch, mode):
    if mode == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
        app = make_app()
    else:
        app = make_app(config=Config(theme="ansi-dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filters(pilot, app)
        dialog.query_one("#f-type", Select).focus()  # the boxes are empty and unfocused
        await pilot.pause()
        lines = screen_lines(app)
        for label, box in (("Identifier key", "#f-key"), ("Project id", "#f-project")):
            region = dialog.query_one(box, Input).region
            line = lines[region.y]
            assert label in line
            inside = line[region.x:region.right]
            assert inside[0].strip() and inside[-1].strip(), f"{label}: no frame in {line!r}"
