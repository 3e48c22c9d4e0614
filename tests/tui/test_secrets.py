"""A canary token must never reach the screen, an error, a traceback dialog or a repr."""

from __future__ import annotations

import html

import httpx

from identity_tui.core.config import Config, Connection
from identity_tui.core.secret import Secret
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.connect import ConnectScreen
from identity_tui.tui.screens.error import ErrorScreen
from tests.support.pilot import settle

CANARY = "canary-TOKEN-7f3a9d51"




def echoing_server(status: int):
    """A hostile or buggy server that echoes the Authorization header back in its error."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/health/":
            return httpx.Response(200, json={"version": "0.16.8", "status": "ok"})
        auth = request.headers.get("authorization", "")
        return httpx.Response(status, json={"detail": f"bad credentials: {auth}"})

    return httpx.MockTransport(handler)


def screen_text(app) -> str:
    """What the terminal shows, as plain text (the SVG escapes spaces)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def app_with(transport) -> IdentityApp:
    conn = Connection(base_url="http://letta.test:8283", token=Secret(CANARY))
    return IdentityApp(conn, Config(), transport=transport, cursor_blink=False)


async def test_token_is_sent_but_never_shown_on_401():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        if request.url.path == "/v1/health/":
            return httpx.Response(200, json={"version": "0.16.8", "status": "ok"})
        return httpx.Response(401, json={"detail": "Unauthorized"})

    app = app_with(httpx.MockTransport(handler))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert f"Bearer {CANARY}" in seen
        assert isinstance(app.screen, ConnectScreen)
        assert CANARY not in screen_text(app)
        assert CANARY not in repr(app.conn) and CANARY not in repr(app.client)
        assert CANARY not in app.screen.message


async def test_a_server_echoing_the_token_in_an_error_detail_is_masked_on_screen():
    app = app_with(echoing_server(500))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = screen_text(app)
        assert "bad credentials" in screen or isinstance(app.screen, ConnectScreen)
        assert CANARY not in screen


async def test_a_traceback_holding_the_token_is_masked_in_the_error_dialog():
    app = app_with(echoing_server(200))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        try:
            raise RuntimeError(f"leaky failure with {CANARY} inside")
        except RuntimeError as exc:
            app.show_unexpected(exc)
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert CANARY not in app.screen.details
        assert "leaky failure" in app.screen.details
        assert CANARY not in screen_text(app)


async def test_the_token_field_on_the_connect_screen_is_masked():
    app = app_with(echoing_server(401))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        field = app.screen.query_one("#token")
        assert field.password
        field.focus()
        await pilot.press(*"typed-secret-123")
        await pilot.pause()
        assert "typed-secret-123" not in screen_text(app)
