"""The table's loading indicator: only for a page that is slow to come, never a flicker for a quick one."""

from __future__ import annotations

import asyncio

import httpx

from identity_tui.tui.screens.list import LOADING_DELAY
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle


class GatedTransport(httpx.AsyncBaseTransport):
    """Holds list requests that page (``after=``) until the gate opens; everything else passes."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.gate.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/identities/" and "after" in request.url.params:
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


def loading_log(app, table: IdentityTable) -> list[bool]:
    seen: list[bool] = []
    app.screen.watch(table, "loading", seen.append, init=False)
    return seen


async def test_a_slow_page_shows_the_indicator_after_a_moment(make_app, sandbox):
    gated = GatedTransport(sandbox.transport())
    app = make_app()
    app._transport = gated  # the sandbox backend takes this transport instead of its own
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        first = [i.id for i in table.identities]
        gated.gate.clear()
        app.screen._cache.clear()  # no prefetched page: the next one must come from the server
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "Loading…" in str(app.screen.query_one("#page-info").render())
        assert not table.loading, "the indicator covered the table at once"
        await pilot.pause(LOADING_DELAY + 0.15)
        assert table.loading, "a slow page never showed the indicator"
        gated.gate.set()
        await settle(pilot, app)
        assert not table.loading
        assert [i.id for i in table.identities] != first
        assert "Page 2" in str(app.screen.query_one("#page-info").render())


async def test_a_quick_page_never_mounts_the_indicator(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        seen = loading_log(app, table)
        app.screen._cache.clear()
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        await pilot.pause(LOADING_DELAY + 0.1)
        assert "Page 2" in str(app.screen.query_one("#page-info").render())
        assert seen == [] and not table.loading
