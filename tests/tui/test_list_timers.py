"""The list's timers: the loading indicator (never a flicker), the filter's debounce, and late ticks of both.

The waits come from the app's ``Timing``: a test that needs a timer to run out builds the app with a short
one and waits for what it does; one that needs it not to run out yet takes a long one (``NEVER``), and
runs its tick itself where the moment has to pass.
"""

from __future__ import annotations

import asyncio

import httpx

from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.timing import Timing
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle

# Longer than any test: a timer with this wait runs out only when the test runs its tick.
NEVER = 3600.0


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
    app = make_app(timing=Timing(loading_delay=NEVER))
    app.transport = gated  # the sandbox backend takes this transport instead of its own
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        table = screen.query_one(IdentityTable)
        first = [i.id for i in table.identities]
        gated.gate.clear()
        screen.forget_pages()  # no prefetched page: the next one must come from the server
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "Loading…" in str(screen.query_one("#page-info").render())
        assert not table.loading, "the indicator covered the table at once"
        assert screen.loading_countdown.running, "a slow page never waits to show the indicator"
        screen.loading_countdown.tick()  # the moment passes
        assert table.loading, "a slow page never showed the indicator"
        gated.gate.set()
        await settle(pilot, app)
        assert not table.loading
        assert [i.id for i in table.identities] != first
        assert "Page 2" in str(app.screen.query_one("#page-info").render())


async def test_a_quick_page_never_mounts_the_indicator(make_app):
    app = make_app(timing=Timing(loading_delay=NEVER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        table = screen.query_one(IdentityTable)
        seen = loading_log(app, table)
        screen.forget_pages()
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert "Page 2" in str(screen.query_one("#page-info").render())
        assert seen == [] and not table.loading
        assert not screen.loading_countdown.running, "the indicator would still come after the page"


async def test_a_slow_first_page_still_leaves_the_table_focused(make_app, sandbox, until):
    """The keys reach the table again once the indicator is gone."""
    gated = GatedTransport(sandbox.transport(), paging_only=False, open=False)
    app = make_app(timing=Timing(loading_delay=0.01))
    app.transport = gated
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ListScreen) and app.screen.table.loading)
        table = app.screen.query_one(IdentityTable)
        assert table.loading and not table.identities
        gated.gate.set()
        await settle(pilot, app)
        assert not table.loading and len(table.identities) == 50
        assert app.focused is table
        await pilot.press("j")
        assert table.cursor_row == 1


async def test_a_slow_page_turn_keeps_the_keys_working(make_app, sandbox, until):
    gated = GatedTransport(sandbox.transport())
    app = make_app(timing=Timing(loading_delay=0.01))
    app.transport = gated
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        gated.gate.clear()
        app.screen.forget_pages()
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: table.loading)
        gated.gate.set()
        await settle(pilot, app)
        assert app.focused is table
        await pilot.press("j", "j")
        assert table.cursor_row == 2


async def test_a_late_tick_of_a_stopped_timer_never_covers_the_rows(make_app, sandbox):
    """On a busy machine the timer's tick can be queued before the page arrives and run after it."""
    gated = GatedTransport(sandbox.transport())
    app = make_app(timing=Timing(loading_delay=NEVER))
    app.transport = gated
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        table = screen.query_one(IdentityTable)
        gated.gate.clear()
        screen.forget_pages()
        await pilot.press("right_square_bracket")
        late_tick = screen.loading_countdown.tick  # what the queued tick would run
        assert late_tick is not None
        gated.gate.set()  # the page comes
        await settle(pilot, app)
        assert "Page 2" in str(screen.query_one("#page-info").render())
        late_tick()
        await pilot.pause()
        assert not table.loading, "the indicator covers rows that are already shown"


async def test_a_late_tick_of_the_filter_debounce_never_undoes_newer_typing(make_app):
    """Enter applies the filter at once; an older debounce tick already queued must not apply its text."""
    app = make_app(timing=Timing(filter_debounce=NEVER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("slash", "r", "o")
        late_tick = screen.filter_countdown.tick  # "ro", queued before it could be stopped
        assert late_tick is not None
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


async def test_the_name_filter_applies_once_the_apps_debounce_runs_out(make_app, sandbox, until):
    app = make_app(timing=Timing(filter_debounce=0.01))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("slash", "a")
        await until(pilot, lambda: screen.filters.name == "a")
        await settle(pilot, app)
        assert screen.query_one("#name-filter").value == "a", "no enter: the debounce applied it"
        rows = screen.table.identities
        assert rows and all("a" in i.name.lower() for i in rows)
