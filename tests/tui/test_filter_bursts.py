"""A burst with backspaces in the list's name filter and in the filter dialog lands in order."""
from __future__ import annotations

import pytest
from test_edit_support import settle, people  # noqa: F401
from test_fast_typing import BACKSPACE, burst, typed_slowly
from textual.widgets import Input

from identity_tui.tui.screens.filters import FilterScreen

BURST = "alicexyz" + BACKSPACE * 3 + "e2" + BACKSPACE + "3"


@pytest.mark.parametrize(("opener", "box_id"), [("slash", "#name-filter"), ("f", "#f-where")],
                         ids=["name filter", "filter dialog"])
async def test_a_burst_keeps_its_order(make_app, people, opener, box_id):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press(opener)
        await settle(pilot, app)
        box = app.screen.query_one(box_id, Input)
        box.focus()
        await settle(pilot, app)
        await burst(pilot, app, BURST)
        assert box.value == typed_slowly("", BURST)


async def test_tabs_in_a_burst_pass_the_selects_and_the_text_after_them_lands_in_the_property_box(make_app, people):
    """key, type (a select), project, order (a select), property: four tabs and an expression in one burst."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        assert app.screen.focused is app.screen.query_one("#f-key", Input)
        await burst(pilot, app, "\t\t\t\tseats>=0")
        where = app.screen.query_one("#f-where", Input)
        assert app.screen.focused is where
        assert where.value == "seats>=0"
        for box_id in ("#f-key", "#f-project"):
            assert app.screen.query_one(box_id, Input).value == ""


async def test_enter_at_the_end_of_such_a_burst_applies_the_expression_typed_before_it(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        await burst(pilot, app, "\t\t\t\tage>=0\r")
        assert not isinstance(app.screen, FilterScreen)
        assert app.screen.filters.where == ("age>=0",)


async def test_a_burst_that_reaches_a_select_first_passes_it_on_in_order(make_app, people):
    """The keys after a tab can reach a select straight from the terminal (a burst read in pieces): the
    select moves the focus on at once, and the keys after it go on to the next box, in order."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#f-type").focus()
        await settle(pilot, app)
        # type → project, typed; → order (a select), → property, typed with a backspace
        await burst(pilot, app, "\tproj-1\t\tage>" + BACKSPACE + "=0")
        assert app.screen.query_one("#f-project", Input).value == "proj-1"
        where = app.screen.query_one("#f-where", Input)
        assert app.screen.focused is where and where.value == "age=0"
