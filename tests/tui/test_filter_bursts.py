"""A burst with backspaces in the list's name filter and in the filter dialog lands in order."""
from __future__ import annotations

import pytest
from tests.support.typeahead import BACKSPACE, burst, typed_slowly
from textual.widgets import Input

from identity_tui.tui.screens.filters import FilterScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle

BURST = "alicexyz" + BACKSPACE * 3 + "e2" + BACKSPACE + "3"


async def open_filters(pilot, app, focus: str | None = None) -> None:
    """The filters dialog, opened by its key once the list is in; then the field ``focus`` (an id) has the focus."""
    await settle(pilot, app)
    await pilot.press("f")
    await settle(pilot, app)
    if focus is not None:
        app.screen.query_one(focus).focus()
        await settle(pilot, app)


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
    """key, key match, type (selects), project, order (a select), property: five tabs and an expression in one
    burst."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_filters(pilot, app)
        assert app.screen.focused is app.screen.query_one("#f-key", Input)
        await burst(pilot, app, "\t\t\t\t\tseats>=0")
        where = app.screen.query_one("#f-where", Input)
        assert app.screen.focused is where
        assert where.value == "seats>=0"
        for box_id in ("#f-key", "#f-project"):
            assert app.screen.query_one(box_id, Input).value == ""


async def test_enter_at_the_end_of_such_a_burst_applies_the_expression_typed_before_it(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_filters(pilot, app)
        await burst(pilot, app, "\t\t\t\t\tage>=0\r")
        assert not isinstance(app.screen, FilterScreen)
        assert app.screen.filters.where == ("age>=0",)


async def test_a_burst_that_reaches_a_select_first_passes_it_on_in_order(make_app, people):
    """The keys after a tab can reach a select straight from the terminal (a burst read in pieces): the
    select moves the focus on at once, and the keys after it go on to the next box, in order."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_filters(pilot, app, focus="#f-type")
        # type → project, typed; → order (a select), → property, typed with a backspace
        await burst(pilot, app, "\tproj-1\t\tage>" + BACKSPACE + "=0")
        assert app.screen.query_one("#f-project", Input).value == "proj-1"
        where = app.screen.query_one("#f-where", Input)
        assert app.screen.focused is where and where.value == "age=0"


async def test_letters_typed_on_a_select_before_enter_do_not_act_on_the_list_after_the_dialog_closes(make_app, people):
    """A closed select takes no letters: typed slowly they do nothing. In one burst with enter at its end they
    must do nothing either, not move the list's cursor (j) or open the details (i) once the dialog is gone."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        assert table.cursor_row == 0
        await open_filters(pilot, app, focus="#f-type")
        await burst(pilot, app, "jji\r")
        assert isinstance(app.screen, ListScreen)
        assert table.cursor_row == 0


async def test_letters_typed_on_two_selects_in_one_burst_do_not_act_on_the_list(make_app, people):
    """Keys left on the type select bubble up through its own row, not the order select's: enter waits for
    them too. Slowly typed, these keys change no filter; in one burst they must not either (o orders)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        await open_filters(pilot, app)
        await burst(pilot, app, "\t\tproj-su\t\temail?\r")
        assert isinstance(app.screen, ListScreen)
        assert app.screen.filters.order == "desc" and app.screen.filters.project_id == ""
        assert table.cursor_row == 0


async def test_a_letter_handed_on_to_a_select_is_not_typed_again_in_the_next_box(make_app, people):
    """Typed slowly (past the key match select), q on the type select does nothing and the project box gets "ab". A key handed on in a
    burst that the select does not take must not come back as a fresh keystroke for the next box."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_filters(pilot, app)
        await burst(pilot, app, "\t\tq\tab")
        project = app.screen.query_one("#f-project", Input)
        assert app.screen.focused is project
        assert project.value == "ab"
