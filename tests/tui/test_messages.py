"""The Messages command shows every notice of the session again, newest first, literally: a toast is gone in
seconds, and what it said (a save's outcome, a warning) may matter later."""

from __future__ import annotations

from textual.widgets import Static

from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.messages_screen import MessagesScreen
from tests.support.pilot import settle


async def open_messages(pilot, app) -> MessagesScreen:
    await pilot.press("ctrl+p")
    await settle(pilot, app)
    await pilot.press(*"Messages")
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, MessagesScreen), app.screen
    return app.screen


async def test_messages_lists_the_sessions_notices_newest_first_and_literally(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.notify("Deleted Bob.")
        app.notify("Name \x1b[31mred\x1b[0m \u202eevil", severity="warning")
        screen = await open_messages(pilot, app)
        shown = str(screen.query_one("#messages-body", Static).render())
        assert shown.index("evil") < shown.index("Deleted Bob.")  # newest first
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "\\x1b[31mred" in shown  # shown literally, not obeyed
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)


async def test_messages_says_so_when_nothing_was_said(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = await open_messages(pilot, app)
        assert "Nothing was said yet" in str(screen.query_one("#messages-body", Static).render())
