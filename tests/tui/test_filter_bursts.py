"""A burst with backspaces in the list's name filter and the filter dialog lands in order."""
from __future__ import annotations

from test_edit_support import settle, people  # noqa: F401
from test_fast_typing import BACKSPACE, burst, typed_slowly
from textual.widgets import Input

BURST = "alicexyz" + BACKSPACE * 3 + "e2" + BACKSPACE + "3"


async def test_a_burst_in_the_name_filter_keeps_its_order(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        await settle(pilot, app)
        box = app.screen.query_one("#name-filter", Input)
        await burst(pilot, app, BURST)
        assert box.value == typed_slowly("", BURST)


async def test_a_burst_in_the_filter_dialog_keeps_its_order(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        box = app.screen.query_one("#f-where", Input)
        box.focus()
        await settle(pilot, app)
        await burst(pilot, app, BURST)
        assert box.value == typed_slowly("", BURST)
