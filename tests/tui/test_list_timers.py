"""The list's timers: the loading indicator (never a flicker), the filter's debounce, and late ticks of both."""

from __future__ import annotations

import asyncio

import httpx

from identity_tui.tui.screens.list import LOADING_DELAY
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle


class GatedTransport(httpx.AsyncBaseTransport):
    """Holds list requests (only those that page, with ``after=``, if ``paging_only``) until the gate opens."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, paging_only: bool = True, open: bool = True) -> None:
        self.inner = inner
        self.paging_only = paging_only
        self.gate = asyncio.Event()
        if open:
            self.gate.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/identities/" and (not self.paging_only or "after" in request.url.params):
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


def loading_log(app, table: IdentityTable) -> list[bool]:
    seen: list[bool] = []
    app.screen.watch(table, "loading", seen.append, init=False)
    return seen


async def test_a_slow_page_shows_the_indicator_after_a_moment(make_app, sandbox):
    gated = GatedTransport(sandbox.transport())
    app = make_app()
    app.transport = gated  # the sandbox backend takes this transport instead of its own
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


async def test_a_slow_first_page_still_leaves_the_table_focused(make_app, sandbox):
    """The keys reach the table again once the indicator is gone."""
    gated = GatedTransport(sandbox.transport(), paging_only=False, open=False)
    app = make_app()
    app.transport = gated
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(LOADING_DELAY + 0.2)
        table = app.screen.query_one(IdentityTable)
        assert table.loading and not table.identities
        gated.gate.set()
        await settle(pilot, app)
        assert not table.loading and len(table.identities) == 50
        assert app.focused is table
        await pilot.press("j")
        assert table.cursor_row == 1


async def test_a_slow_page_turn_keeps_the_keys_working(make_app, sandbox):
    gated = GatedTransport(sandbox.transport())
    app = make_app()
    app.transport = gated
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        gated.gate.clear()
        app.screen._cache.clear()
        await pilot.press("right_square_bracket")
        await pilot.pause(LOADING_DELAY + 0.15)
        assert table.loading
        gated.gate.set()
        await settle(pilot, app)
        assert app.focused is table
        await pilot.press("j", "j")
        assert table.cursor_row == 2


async def test_a_late_tick_of_a_stopped_timer_never_covers_the_rows(make_app):
    """On a busy machine the timer's tick can be queued before the page arrives and run after it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        table = screen.query_one(IdentityTable)
        screen._set_loading(True)
        late_tick = screen._loading_timer._callback  # what the queued tick would run
        screen._set_loading(False)  # the page came
        late_tick()
        await pilot.pause()
        assert not table.loading, "the indicator covers rows that are already shown"


async def test_a_late_tick_of_the_filter_debounce_never_undoes_newer_typing(make_app):
    """Enter applies the filter at once; an older debounce tick already queued must not apply its text."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("slash", "r", "o")
        late_tick = screen._debounce._callback  # "ro", queued before it could be stopped
        await pilot.press("s", "enter")
        await settle(pilot, app)
        assert screen.filters.name == "ros"
        late_tick()
        await settle(pilot, app)
        assert screen.filters.name == "ros"
        await pilot.press("escape")  # clears the box and the filters
        await settle(pilot, app)
        late_tick()
        await settle(pilot, app)
        assert screen.filters.name == ""
