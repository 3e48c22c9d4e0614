"""A retry from the connect screen that fails again says so: each attempt is numbered, the token never shown."""

from __future__ import annotations

from identity_tui.core.config import Config, Connection
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.connect import ConnectScreen
from identity_tui.tui.screens.list import ListScreen
from tests.support.pilot import settle


def said(app) -> str:
    return str(app.screen.query_one("#connect-message").render())


async def retry_with(pilot, app, token: str) -> None:
    field = app.screen.query_one("#token")
    field.focus()
    await pilot.press(*token)
    await pilot.press("enter")
    await settle(pilot, app)
    await settle(pilot, app)


async def test_each_refused_retry_is_numbered_and_the_token_never_shows():
    secure = Sandbox(path=":memory:", password="right-pw-123")
    seed(secure, 3, rng_seed=3)
    app = IdentityApp(Connection(base_url="http://letta.test:8283"), Config(), transport=secure.transport(),
                      cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        first = said(app)
        assert "401" in first and "Attempt" not in first
        await retry_with(pilot, app, "wrong-pw-1")
        assert isinstance(app.screen, ConnectScreen)
        assert said(app).startswith("Attempt 2"), said(app)
        assert "401" in said(app)
        await retry_with(pilot, app, "wrong-pw-2")
        assert said(app).startswith("Attempt 3"), said(app)
        screen = app.export_screenshot()
        assert "wrong-pw" not in screen
        await retry_with(pilot, app, "right-pw-123")
        assert isinstance(app.screen, ListScreen)
        assert "right-pw-123" not in app.export_screenshot()
    secure.close()
