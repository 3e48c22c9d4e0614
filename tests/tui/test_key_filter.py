"""The identifier key filter: exact goes to the server; starts with and contains (any case) are scanned for."""

from __future__ import annotations

import json

import httpx
from textual.widgets import Input, Select

from identity_tui.tui.screens.filters import FilterScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.list_model import Filters
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle
from tests.support.screen_text import screen_lines


def server_keys(sb) -> list[tuple[str, str]]:
    """(id, identifier_key) of every identity, newest first, read straight from the server."""
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox.invalid") as http:
        rows = http.get("/v1/identities/", params={"limit": "0"}).json()
    return [(r["id"], r["identifier_key"]) for r in rows]


def shown(app) -> list[str]:
    return [i.id for i in app.screen.query_one(IdentityTable).identities]


async def filter_key(pilot, app, text: str, presses_down: int) -> None:
    """Type ``text`` in the key box, pick the match (0 is exactly, 1 starts with, 2 contains), apply."""
    await settle(pilot, app)
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, FilterScreen)
    assert app.screen.focused is app.screen.query_one("#f-key", Input)
    await pilot.press(*text, "tab")
    assert app.screen.focused is app.screen.query_one("#f-key-match", Select)
    if presses_down:
        await pilot.press("down")  # opens the list on the current choice
        await pilot.pause()
        await pilot.press(*["down"] * presses_down, "enter")  # picks
        await pilot.pause()
    await pilot.press("enter")  # applies
    await settle(pilot, app)
    assert isinstance(app.screen, ListScreen)


async def test_starts_with_ignores_case_and_scans_the_pages(make_app, sandbox):
    want = [i for i, k in server_keys(sandbox) if k.casefold().startswith("svc:")]
    assert 5 < len(want) < 50
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        sandbox.clear_log()
        await filter_key(pilot, app, "SVC:", 1)
        assert app.screen.filters.key_match == "prefix"
        assert shown(app) == want
        lists = [r for r in sandbox.request_log if r.path == "/v1/identities/"]
        assert lists and all("identifier_key" not in r.query for r in lists)
        assert "key^=SVC:" in "\n".join(screen_lines(app))


async def test_contains_finds_the_key_anywhere(make_app, sandbox):
    want = [i for i, k in server_keys(sandbox) if "tyrell" in k.casefold()]
    assert 1 < len(want) < 20
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filter_key(pilot, app, "Tyrell", 2)
        assert shown(app) == want
        assert "key~Tyrell" in "\n".join(screen_lines(app))


async def test_is_exactly_stays_the_servers_filter(make_app, sandbox):
    first_id, first_key = server_keys(sandbox)[3]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        sandbox.clear_log()
        await filter_key(pilot, app, first_key, 0)
        assert shown(app) == [first_id]
        lists = [r for r in sandbox.request_log if r.path == "/v1/identities/"]
        assert lists and all(r.query.get("identifier_key") == first_key for r in lists)


async def test_an_export_from_a_key_prefix_exports_only_its_matches(make_app, sandbox, tmp_path):
    want = sorted(i for i, k in server_keys(sandbox) if k.casefold().startswith("org_"))
    assert 5 < len(want) < 60
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.screen.set_filters(Filters(identifier_key="ORG_", key_match="prefix"))
        await settle(pilot, app)
        await pilot.press("x")
        await pilot.pause()
        about = "\n".join(screen_lines(app))
        assert "starts with ORG_" in about
        target = tmp_path / "orgs.jsonl"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot, app)
        got = sorted(json.loads(line)["id"] for line in target.read_text().splitlines())
        assert got == want
