"""s sorts the list by name, key or type (every page read first, esc stops and sorts what was read), then back."""

from __future__ import annotations

import pytest

from identity_tui.core.where import matcher
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.property_scan import natural
from identity_tui.tui.screens.list_model import Filters
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.faults import FaultyTransport
from tests.support.pilot import settle
from tests.support.screen_text import screen_lines

KEYS = {
    "name": lambda r: natural(r["name"]),
    "key": lambda r: natural(r["identifier_key"]),
    "type": lambda r: (r["identity_type"], natural(r["name"])),
}


@pytest.fixture
def big():
    sb = Sandbox(path=":memory:")
    seed(sb, 1200, rng_seed=7)
    yield sb
    sb.close()


def server_rows(sb) -> list[dict]:
    """Every identity as the server lists them (newest first)."""
    rows = sb.store.list(limit=5000)
    assert len(rows) == 1200
    return rows


def shown(app) -> list[str]:
    return [i.id for i in app.screen.query_one(IdentityTable).identities]


def info(app) -> str:
    return str(app.screen.query_one("#page-info").render())


async def test_s_goes_round_name_key_type_and_back_to_the_servers_order(make_app, big):
    rows = server_rows(big)
    app = make_app(store=big)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        first_page = shown(app)
        assert first_page == [r["id"] for r in rows[:50]]
        for sort in ("name", "key", "type"):
            await pilot.press("s")
            await settle(pilot, app)
            want = [r["id"] for r in sorted(rows, key=KEYS[sort])]  # stable: ties in the server's order
            assert app.screen.filters.sort == sort
            assert shown(app) == want[:50], sort
            assert info(app).startswith(f"rows 1–50 of 1,200 sorted by {sort} · scanned all 3 pages")
            assert f"sorted by {sort}" in screen_lines(app)[1]
            await pilot.press("right_square_bracket")  # the next page of the sorted rows, asking nothing
            await settle(pilot, app)
            assert shown(app) == want[50:100]
        await pilot.press("s")
        await settle(pilot, app)
        assert app.screen.filters.sort == "" and shown(app) == first_page
        assert "newest first" in screen_lines(app)[1]


async def test_a_sort_shows_nothing_until_every_page_is_read_and_esc_sorts_what_was_read(make_app, big):
    rows = server_rows(big)
    held = FaultyTransport(big.transport())
    app = make_app(transport=held)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        held.arm("hang", match=lambda r: r.method == "GET" and r.url.path == "/v1/identities/"
                 and "after" in r.url.params and r.url.params.get("limit") == "500")
        await pilot.press("s")
        await held.hanging.wait()
        await pilot.pause()
        assert shown(app) == []  # no unsorted rows shown as if sorted
        assert info(app).startswith("reading every page to sort by name: scanned 1 of ~3 pages")
        await pilot.press("escape")
        await settle(pilot, app)
        read = rows[:500]
        assert shown(app) == [r["id"] for r in sorted(read, key=KEYS["name"])][:50]
        assert "of 500" in info(app) and "sorted by name" in info(app) and "scan stopped after 1 page" in info(app)


async def test_a_sort_keeps_the_filters_and_sorts_only_the_matches(make_app, big):
    rows = server_rows(big)
    test = matcher(["plan=free"])
    want = [r["id"] for r in sorted((r for r in rows if r["identity_type"] == "user" and test(r)), key=KEYS["name"])]
    assert 50 < len(want) < 100
    app = make_app(store=big)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.screen.set_filters(Filters(identity_type="user", where=("plan=free",)))
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        assert shown(app) == want[:50]
        assert info(app).startswith(f"matches 1–50 of {len(want)} sorted by name")
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert shown(app) == want[50:]


def test_numbers_in_names_sort_as_numbers_and_case_is_ignored():
    names = ["User 10", "user 2", "User 1", "Zed", "alpha", "User 2b", "user02", "Ünsal", "x9", "x10"]
    assert sorted(names, key=natural) == [
        "alpha", "user02", "User 1", "user 2", "User 2b", "User 10", "x9", "x10", "Zed", "Ünsal"]
