"""Every way out of the app asks about an unsaved form first, ctrl+q included."""

from __future__ import annotations

from textual.widgets import Input

from identity_tui.tui.screens.confirm import LeaveScreen
from identity_tui.tui.screens.help import HelpScreen
from tests.support.edit_helpers import focus_on, open_alice, writes
from tests.support.pilot import settle


async def test_ctrl_q_with_unsaved_changes_asks_and_stay_keeps_the_form(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_on(pilot, app, screen.query_one("#name", Input))
        await pilot.press(*" Jr")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#name", Input).value.endswith(" Jr")
        assert app.is_running
    assert writes(people) == []


async def test_quit_from_the_palette_or_help_over_a_modified_form_still_asks(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_on(pilot, app, screen.query_one("#name", Input))
        await pilot.press(*"X")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await app.action_quit()
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)


async def test_ctrl_q_without_changes_quits_at_once(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
