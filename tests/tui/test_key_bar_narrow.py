"""A narrow terminal drops the less important keys first: quit, help and back stay in the key bar."""

from __future__ import annotations

import pytest

from identity_tui.tui.widgets.key_bar import KeyBar
from tests.support.pilot import settle


def bar_text(app) -> str:
    return str(app.screen.query_one(KeyBar).render())


@pytest.mark.parametrize("size", [(60, 20), (50, 20)])
async def test_the_list_keeps_quit_and_help(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        text = bar_text(app)
        assert len(text) == size[0]
        assert " q Quit " in text and " ? Help " in text, text
        assert text.rstrip().endswith("^pCommands")


async def test_the_edit_form_keeps_back_and_help(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        text = bar_text(app)
        # in a text field ? is typed, so help is shown on the key that works there
        assert " esc Back " in text and " f1 Help " in text, text


async def test_the_details_keep_back(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await settle(pilot, app)
        text = bar_text(app)
        assert " esc Back " in text and " ? Help " in text, text
