"""Property search in the list: the filters dialog takes --where expressions and the list scans the pages."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from textual.widgets import Input

from identity_tui.core.summary import summarize
from identity_tui.core.where import matcher
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.screens.filters import FilterScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle

ROWS = 1200  # three pages of 500 to scan


class HeldPages(httpx.AsyncBaseTransport):
    """Holds every list request that continues from a cursor (``after=``) until ``release``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hold = False
        self.held = asyncio.Event()
        self.gate = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.hold and request.url.path == "/v1/identities/" and "after" in request.url.params:
            self.held.set()
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


@pytest.fixture
def big_sandbox():
    sb = Sandbox(path=":memory:")
    seed(sb, ROWS, rng_seed=7)
    yield sb
    sb.close()


def expected(sb, expressions: list[str], **params) -> list[str]:
    """The ids that match, in the list's order (newest first), read straight from the server."""
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox.invalid") as http:
        rows = http.get("/v1/identities/", params={"limit": "0", **params}).json()
    test = matcher(expressions)
    return [summarize(r).id for r in rows if test(r)]


def shown(app) -> list[str]:
    return [i.id for i in app.screen.query_one(IdentityTable).identities]


def info(app) -> str:
    return str(app.screen.query_one("#page-info").render())


async def apply_where(pilot, app, text: str) -> None:
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, FilterScreen)
    app.screen.query_one("#f-where", Input).focus()
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


async def test_the_scan_finds_matches_over_several_pages_and_pages_through_them(make_app, big_sandbox):
    want = expected(big_sandbox, ["verified=true"])
    assert 150 < len(want) < 250
    app = make_app(store=big_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        big_sandbox.clear_log()
        await apply_where(pilot, app, "verified=true")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        scans = [r for r in big_sandbox.request_log if r.path == "/v1/identities/"]
        assert [r.query.get("limit") for r in scans] == ["500", "500", "500"]
        assert shown(app) == want[:50]
        assert info(app) == f"matches 1–50 of {len(want)} · scanned all 3 pages"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert shown(app) == want[50:100]
        assert info(app).startswith(f"matches 51–100 of {len(want)} ·")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        last = (len(want) - 1) // 50 * 50
        assert shown(app) == want[last:]
        assert info(app).startswith(f"matches {last + 1}–{len(want)} of {len(want)} ·")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert shown(app) == want[last - 50:last]
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert shown(app) == want[:50]
        assert len(big_sandbox.request_log) == len(scans), "paging through the matches asks the server nothing"


async def test_matches_show_as_found_and_esc_stops_the_scan_half_way(make_app, big_sandbox):
    want = expected(big_sandbox, ["plan=free"])
    held = HeldPages(big_sandbox.transport())
    app = make_app(store=big_sandbox)
    app.transport = held  # the sandbox backend takes this transport instead of its own
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        held.hold = True
        await apply_where(pilot, app, "plan=free")
        await held.held.wait()  # page 1 is scanned, page 2 waits on the server
        await pilot.pause()
        first_page = expected(big_sandbox, ["plan=free"], limit="500")
        assert 0 < len(first_page) < len(want)
        assert shown(app) == first_page[:50]
        found = len(first_page)
        assert info(app) == f"matches 1–{min(found, 50)} of {found} found so far · scanned 1 of ~3 pages · esc stops"
        await pilot.press("escape")
        await pilot.pause()
        assert info(app) == f"matches 1–{min(found, 50)} of {found} found so far · scan stopped after 1 page"
        held.gate.set()
        await settle(pilot, app)
        assert shown(app) == first_page[:50], "what was found stays, and nothing more comes"
        assert info(app).endswith("scan stopped after 1 page")
        await pilot.press("escape")  # a second esc clears the filters
        await settle(pilot, app)
        assert "matches" not in info(app) and app.screen.filters.where == ()
        assert len(shown(app)) == 50


async def test_the_other_filters_still_go_to_the_server(make_app, big_sandbox):
    want = expected(big_sandbox, ["tier=gold"], identity_type="org")
    app = make_app(store=big_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#f-type").value = "org"
        big_sandbox.clear_log()
        app.screen.query_one("#f-where", Input).focus()
        await pilot.press(*"tier=gold", "enter")
        await settle(pilot, app)
        scans = [r for r in big_sandbox.request_log if r.path == "/v1/identities/"]
        assert scans and all(r.query.get("identity_type") == "org" for r in scans)
        assert shown(app) == want[:50]


async def test_several_expressions_separated_by_semicolons_must_all_hold(make_app, big_sandbox):
    want = expected(big_sandbox, ["plan=free", "verified=false"])
    app = make_app(store=big_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await apply_where(pilot, app, "plan=free; verified=false")
        await settle(pilot, app)
        assert app.screen.filters.where == ("plan=free", "verified=false")
        assert shown(app) == want[:50]


async def test_a_bad_expression_is_one_sentence_in_the_dialog_and_nothing_is_applied(make_app, big_sandbox):
    app = make_app(store=big_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        before = shown(app)
        await apply_where(pilot, app, "seats>lots")
        dialog = app.screen
        assert isinstance(dialog, FilterScreen), "a bad expression keeps the dialog open"
        sentence = str(dialog.query_one("#f-where-error").render())
        assert sentence == "'seats>lots': > compares numbers; 'lots' is not one.", sentence
        assert dialog.query_one("#f-where-error").display
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert app.screen.filters.where == () and shown(app) == before


async def test_the_help_screen_names_the_property_filter(make_app):
    from identity_tui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = {binding_id: description for _keys, description, binding_id in app.screen.rows}
        assert "property" in descriptions["list.filters"], descriptions["list.filters"]


async def test_a_page_that_fails_half_way_stops_the_scan_with_the_reason_and_keeps_the_matches(make_app, big_sandbox):
    from tests.support.faults import FaultyTransport

    first_page = expected(big_sandbox, ["plan=free"], limit="500")
    faulty = FaultyTransport(big_sandbox.transport())
    app = make_app(transport=faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        faulty.arm("malformed", lambda r: r.url.path == "/v1/identities/" and "after" in r.url.params)
        await apply_where(pilot, app, "plan=free")
        await settle(pilot, app)
        assert shown(app) == first_page[:50]
        line = info(app)
        found = len(first_page)
        assert line.startswith(f"matches 1–{min(found, 50)} of {found} found so far · scan stopped after 1 page: "), line
        assert app.screen.query_one("#page-info").has_class("error")


async def test_after_a_write_the_scan_runs_again_and_keeps_the_identity_selected(make_app, big_sandbox):
    app = make_app(store=big_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await apply_where(pilot, app, "plan=free")
        await settle(pilot, app)
        for _ in range(3):
            await pilot.press("down")
        chosen = app.screen.table.selected
        big_sandbox.clear_log()
        app.screen.refresh_after_write(chosen.id)  # what a save, create or delete calls
        await settle(pilot, app)
        assert [r.query.get("limit") for r in big_sandbox.request_log if r.path == "/v1/identities/"] == ["500"] * 3
        assert app.screen.table.selected.id == chosen.id


class PageGates(httpx.AsyncBaseTransport):
    """Holds the scan's n-th request for a page after the first until ``opened[n]`` is set; ``asked[n]`` is
    set when it arrives (the page before it has been scanned by then)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, pages: int) -> None:
        self.inner = inner
        self.asked = {n: asyncio.Event() for n in range(1, pages)}
        self.opened = {n: asyncio.Event() for n in range(1, pages)}
        self.continued = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if request.url.path == "/v1/identities/" and "after" in params and params.get("limit") == "500":
            self.continued += 1
            n = self.continued
            if n in self.asked:
                self.asked[n].set()
                await self.opened[n].wait()
        return await self.inner.handle_async_request(request)


async def test_a_long_scan_repaints_its_progress_by_the_clock_not_per_page_and_keys_see_it_all(make_app):
    from identity_tui.tui.timing import Timing

    sb = Sandbox(path=":memory:")
    seed(sb, 2100, rng_seed=3)  # five pages of 500 to scan; "!nothing" matches every identity
    now = [0.0]
    gates = PageGates(sb.transport(), pages=5)
    app = make_app(store=sb, timing=Timing(scan_paint_every=10.0, clock=lambda: now[0]))
    app.transport = gates
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await apply_where(pilot, app, "!nothing")

            async def scanned_up_to(page: int) -> None:
                """Let page ``page`` through and wait until it is scanned (the next one is asked for)."""
                gates.opened[page - 1].set()
                await gates.asked[page].wait()
                await pilot.pause()

            await gates.asked[1].wait()
            await pilot.pause()
            assert info(app) == "matches 1–50 of 500 found so far · scanned 1 of ~5 pages · esc stops"  # the first page
            now[0] = 5.0
            await scanned_up_to(2)
            assert info(app) == "matches 1–50 of 500 found so far · scanned 1 of ~5 pages · esc stops"  # not yet
            now[0] = 10.0
            await scanned_up_to(3)
            assert info(app) == "matches 1–50 of 1,500 found so far · scanned 3 of ~5 pages · esc stops"  # 10 s on
            now[0] = 15.0
            await scanned_up_to(4)
            assert info(app) == "matches 1–50 of 1,500 found so far · scanned 3 of ~5 pages · esc stops"
            await pilot.press("right_square_bracket")  # a key shows all that was found, painted or not
            await pilot.pause()
            assert info(app) == "matches 51–100 of 2,000 found so far · scanned 4 of ~5 pages · esc stops"
            gates.opened[4].set()  # the last page: its end is always painted
            await settle(pilot, app)
            assert info(app) == "matches 51–100 of 2,100 · scanned all 5 pages"
            assert len(shown(app)) == 50
    finally:
        sb.close()
