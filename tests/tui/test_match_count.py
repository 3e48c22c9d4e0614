"""# counts what the filters select by reading their pages (the server's count ignores filters); esc stops."""

from __future__ import annotations

import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.list_model import Filters
from tests.support.faults import FaultyTransport
from tests.support.pilot import settle
from tests.support.screen_text import screen_lines


@pytest.fixture
def big():
    sb = Sandbox(path=":memory:")
    seed(sb, 1200, rng_seed=7)  # 723 users: two pages of 500 to count
    yield sb
    sb.close()


def users(sb) -> int:
    return sum(1 for r in sb.store.list(limit=5000) if r["identity_type"] == "user")


def top(app) -> str:
    return screen_lines(app)[0]


def after_cursor(request) -> bool:
    return request.method == "GET" and request.url.path == "/v1/identities/" and "after" in request.url.params \
        and request.url.params.get("limit") == "500"


async def filtered(pilot, app, filters: Filters) -> None:
    await settle(pilot, app)
    app.screen.set_filters(filters)
    await settle(pilot, app)


async def test_hash_counts_the_pages_the_filters_select(make_app, big):
    want = users(big)
    assert want > 500
    app = make_app(store=big)
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, app, Filters(identity_type="user"))
        big.clear_log()
        await pilot.press("number_sign")
        await settle(pilot, app)
        assert f"{want:,} matches · 1,200 identities in all" in top(app)
        counted = [r for r in big.request_log if r.path == "/v1/identities/"]
        assert [r.query.get("identity_type") for r in counted] == ["user", "user"]
        assert [r.query.get("limit") for r in counted] == ["500", "500"]
        # New filters: the count no longer applies and goes.
        await filtered(pilot, app, Filters(identity_type="org"))
        assert "match" not in top(app)


async def test_esc_stops_a_count_and_keeps_the_filters(make_app, big):
    hanging = FaultyTransport(big.transport())
    app = make_app(transport=hanging)
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, app, Filters(identity_type="user"))
        hanging.arm("hang", match=after_cursor)
        await pilot.press("number_sign")
        await hanging.hanging.wait()
        await pilot.pause()
        assert "counting… 500 so far · esc stops" in top(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert "500+ matches (count stopped)" in top(app)
        assert app.screen.filters == Filters(identity_type="user"), "esc stopped the count, not the filters"
        await pilot.press("escape")  # the next esc clears the filters, and the count with them
        await settle(pilot, app)
        assert app.screen.filters == Filters() and "match" not in top(app)


async def test_a_failed_page_says_how_far_the_count_got(make_app, big):
    failing = FaultyTransport(big.transport())
    app = make_app(transport=failing)
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, app, Filters(identity_type="user"))
        failing.arm("503", match=after_cursor)
        await pilot.press("number_sign")
        await settle(pilot, app)
        line = top(app)
        assert "500+ matches (count failed) · 1,200 identities in all" in line
        assert any("503" in n for n in app.notices)


async def test_without_filters_or_on_a_scanned_list_it_says_where_the_count_is(make_app, big):
    app = make_app(store=big)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        big.clear_log()
        await pilot.press("number_sign")
        await settle(pilot, app)
        assert any("No filters" in n for n in app.notices)
        await filtered(pilot, app, Filters(where=("plan=free",)))
        await pilot.press("number_sign")
        await settle(pilot, app)
        assert any("This list is scanned" in n for n in app.notices)
        assert isinstance(app.screen, ListScreen) and "matches ·" not in top(app) and "match ·" not in top(app)
