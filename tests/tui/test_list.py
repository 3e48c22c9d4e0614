"""Pilot tests of the list screen, driven by key presses against the in-process sandbox."""

from __future__ import annotations

import json

import httpx
import pytest
from textual.command import CommandPalette

from identity_tui.core.models import Identity
from identity_tui.tui.screens.connect import ConnectScreen
from identity_tui.tui.screens.detail import DetailScreen
from identity_tui.tui.screens.help import HelpScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.raw_json import RawJsonScreen
from identity_tui.tui.timing import Timing
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.status_bar import StatusBar
from tests.support.pilot import settle




def list_requests(sandbox, **match):
    """GET /v1/identities/ records whose query holds every ``match`` item."""
    out = []
    for r in sandbox.request_log:
        if r.method == "GET" and r.path == "/v1/identities/":
            if all(r.query.get(k) == v for k, v in match.items()):
                out.append(r)
    return out


def server_page(sandbox, **query) -> list[str]:
    """Ids of a page straight from the sandbox, for comparison with what the screen shows."""
    client = httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.invalid")
    params = {"limit": "50", **{k: str(v) for k, v in query.items()}}
    rows = client.get("/v1/identities/", params=params).json()
    client.close()
    return [Identity.model_validate(r).id for r in rows]


def shown_ids(app) -> list[str]:
    return [i.id for i in app.screen.query_one(IdentityTable).identities]


async def test_start_shows_the_newest_page_with_the_first_row_selected(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        table = app.screen.query_one(IdentityTable)
        expected = server_page(sandbox)
        assert shown_ids(app) == expected
        assert len(expected) == 50
        assert table.cursor_row == 0
        assert table.selected.id == expected[0]
        assert app.focused is table
        total = app.screen.query_one(StatusBar).render()
        assert "120 identities" in str(total)


async def test_paging_forward_and_back_returns_the_same_rows(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        first = shown_ids(app)
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        second = shown_ids(app)
        assert second == server_page(sandbox, after=first[-1])
        assert not set(first) & set(second)
        await pilot.press("pagedown")
        await settle(pilot, app)
        third = shown_ids(app)
        assert len(third) == 20  # 120 seeded: the last page is short
        await pilot.press("pagedown")
        await settle(pilot, app)
        assert shown_ids(app) == third, "past the last page nothing moves"
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert shown_ids(app) == second
        await pilot.press("pageup")
        await settle(pilot, app)
        assert shown_ids(app) == first
        # Every page request walked forward with `after`: the server's `before` is never used.
        assert all("before" not in r.query for r in sandbox.request_log)


async def test_cursor_keys_move_within_the_page(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == 49
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_typing_a_name_filter_sends_one_debounced_request(make_app, sandbox):
    # The debounce runs out when the test says so, however slowly the keys arrive.
    app = make_app(timing=Timing(filter_debounce=3600))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        sandbox.clear_log()
        await pilot.press("slash", *"an")
        await settle(pilot, app)
        assert not any(r.query.get("name") for r in list_requests(sandbox)), "a request went out while typing"
        app.screen.filter_countdown.tick()  # typing paused long enough
        await settle(pilot, app)
        first_pages = [r for r in list_requests(sandbox) if "after" not in r.query]
        assert [r.query.get("name") for r in first_pages] == ["an"]
        assert shown_ids(app) == server_page(sandbox, name="an")
        # esc in the filter clears it and goes back to the unfiltered list
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen.filters.name == ""
        assert shown_ids(app) == server_page(sandbox)
        assert app.focused is app.screen.query_one(IdentityTable)


async def test_filter_dialog_sends_key_type_project_and_order(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        target = app.screen.query_one(IdentityTable).identities[3]
        sandbox.clear_log()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*target.identifier_key)
        await pilot.press("enter")
        await settle(pilot, app)
        assert list_requests(sandbox, identifier_key=target.identifier_key)
        assert shown_ids(app) == [target.id]

        sandbox.clear_log()
        screen = app.screen
        from identity_tui.tui.screens.list_model import Filters

        screen.set_filters(Filters(identity_type="org", project_id="", order="asc"))
        await settle(pilot, app)
        reqs = list_requests(sandbox, identity_type="org", order="asc")
        assert reqs and "identifier_key" not in reqs[0].query
        assert shown_ids(app) == server_page(sandbox, identity_type="org", order="asc")
        assert all(i.identity_type.value == "org" for i in app.screen.query_one(IdentityTable).identities)


async def test_order_key_flips_to_oldest_first(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert list_requests(sandbox, order="asc")
        assert shown_ids(app) == server_page(sandbox, order="asc")
        await pilot.press("escape")
        await settle(pilot, app)
        assert shown_ids(app) == server_page(sandbox)


async def test_project_filter_is_sent_as_project_id(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        projects = {i.project_id for i in app.screen.query_one(IdentityTable).identities if i.project_id}
        assert projects, "the seed should put some identities in projects"
        project = sorted(projects)[0]
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", *project, "enter")  # past the key, its match and the type
        await settle(pilot, app)
        assert list_requests(sandbox, project_id=project)
        assert shown_ids(app) == server_page(sandbox, project_id=project)


async def test_help_and_palette_open(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.rows}
        assert {"list.filter", "list.next_page", "list.new", "list.delete", "app.quit", "table.down"} <= ids
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        for _ in range(3):  # the first esc may only close the palette's result list
            if isinstance(app.screen, ListScreen):
                break
            await pilot.press("escape")
            await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_raw_json_and_copy_id(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("j")
        selected = app.screen.query_one(IdentityTable).selected
        await pilot.press("c")
        assert app.clipboard == selected.id
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RawJsonScreen)
        assert f'"id": "{selected.id}"' in app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)


async def test_details_show_links_from_the_link_routes(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        sandbox.clear_log()
        await pilot.press("i")
        await settle(pilot, app)
        assert isinstance(app.screen, DetailScreen)
        ident = app.screen.identity
        paths = [r.path for r in sandbox.request_log]
        assert f"/v1/identities/{ident.id}/agents" in paths
        assert f"/v1/identities/{ident.id}/blocks" in paths


async def test_unreachable_server_shows_the_connect_screen():
    from identity_tui.core.config import Config, Connection
    from identity_tui.tui.app import IdentityApp

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    app = IdentityApp(
        Connection(base_url="http://10.255.255.1:8283"),
        Config(),
        transport=httpx.MockTransport(refuse),
        cursor_blink=False,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        assert "Cannot reach http://10.255.255.1:8283" in app.screen.message


async def test_connect_screen_can_open_the_sandbox():
    from identity_tui.core.config import Config, Connection
    from identity_tui.tui.app import IdentityApp

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    app = IdentityApp(
        Connection(base_url="http://10.255.255.1:8283"), Config(), transport=httpx.MockTransport(refuse), cursor_blink=False
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert app.conn.sandbox is not None
        assert len(shown_ids(app)) > 0


async def test_wrong_token_shows_the_connect_screen_and_retry_with_a_token_works(sandbox):
    from identity_tui.core.config import Config, Connection
    from identity_tui.sandbox import Sandbox
    from identity_tui.sandbox.seed import seed
    from identity_tui.tui.app import IdentityApp

    secure = Sandbox(path=":memory:", password="canary-pw-123")
    seed(secure, 5, rng_seed=3)
    app = IdentityApp(
        Connection(base_url="http://letta.test:8283"), Config(), transport=secure.transport(), cursor_blink=False
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        assert "401" in app.screen.message
        token_input = app.screen.query_one("#token")
        token_input.focus()
        await pilot.press(*"canary-pw-123")
        await pilot.pause()
        # the token input is masked: the screen never shows it
        assert token_input.password
        assert "canary-pw-123" not in app.export_screenshot()
        await pilot.press("enter")
        await settle(pilot, app)
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert len(shown_ids(app)) == 5
    secure.close()


async def test_untrusted_names_render_literally(make_app, empty_sandbox):
    client = httpx.Client(transport=empty_sandbox.transport(), base_url="http://sandbox.invalid")
    for key, name in (("markup", "[bold red]x[/]"), ("escape", "\x1b[31mred\x1b[0m")):
        r = client.post("/v1/identities/", json={"identifier_key": key, "name": name, "identity_type": "user"})
        assert r.status_code == 200
    client.close()
    app = make_app(store=empty_sandbox)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        names = [table.get_row_at(i)[0].plain for i in range(2)]
        assert names == ["\\x1b[31mred\\x1b[0m", "[bold red]x[/]"]


async def test_readonly_hides_write_actions(make_app, sandbox):
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        sandbox.clear_log()
        await pilot.press("n", "d")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert [r for r in sandbox.request_log if r.method != "GET"] == []
        footer_keys = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "new" not in footer_keys and "delete" not in footer_keys


async def test_last_page_is_one_request_and_paging_back_from_it_walks_the_tail(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        everything = server_page(sandbox, limit=0)
        assert len(everything) == 120
        sandbox.clear_log()
        await pilot.press("greater_than_sign")
        await settle(pilot, app)
        # the end of the list, newest-first order kept on screen, from one request in reverse order
        assert shown_ids(app) == everything[-50:]
        first_requests = [r for r in list_requests(sandbox) if "after" not in r.query]
        assert [r.query.get("order") for r in first_requests] == ["asc"]
        assert app.screen.query_one(IdentityTable).cursor_row == 0
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert shown_ids(app) == everything[-100:-50]
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert shown_ids(app) == everything[:20], "the top of the list: a short page"
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert shown_ids(app) == everything[:20], "nothing before the first page"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot, app)
        assert shown_ids(app) == everything[-50:]
        await pilot.press("less_than_sign")
        await settle(pilot, app)
        assert shown_ids(app) == everything[:50]
        assert "Page 1" in str(app.screen.query_one("#page-info").render())


async def test_the_status_line_keeps_the_total_on_the_right_of_a_long_label(make_app, sandbox):
    from identity_tui.core.config import Connection

    long_profile = "a-profile-name-long-enough-to-fill-the-line" * 3
    conn = Connection(base_url="http://sandbox.invalid", profile=long_profile, sandbox=None)
    app = make_app(conn=conn, transport=sandbox.transport())
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot, app)
        line = str(app.screen.query_one(StatusBar).render())
        assert line.endswith(" 120 identities in all")
        assert len(line) == 58  # the bar's width inside its padding: the label gave way, not the total
        assert line.startswith("identity-tui  a-profile") and "…" in line


async def test_raw_json_of_a_number_json_cannot_write_copies_valid_json(make_app, empty_sandbox):
    """The server stores 1e400 (infinity to a reader): the view and its copy are JSON a tool can read back."""
    import json

    empty_sandbox.store.insert({"id": "identity-00000000-0000-4000-8000-0000000001e4", "identifier_key": "inf",
                                "name": "Inf", "identity_type": "org", "project_id": None,
                                "properties": [{"key": "n", "value": float("inf"), "type": "number"}]})
    app = make_app(store=empty_sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RawJsonScreen)
        assert "Infinity" not in app.screen.text
        assert json.loads(app.screen.text)["properties"][0]["value"] == float("inf")
        await pilot.press("c")
        assert json.loads(app.clipboard)["properties"][0]["value"] == float("inf")


async def test_shift_c_copies_the_identity_as_json_from_the_list_and_the_details(make_app, sandbox):
    hostile = {
        "id": "identity-0000c0de-0000-4000-8000-000000000001",
        "identifier_key": "k\x1b]52;c;cHduZWQ=\x07",
        "name": "Mallory\x1b[2J",
        "identity_type": "user",
        "project_id": None,
        "properties": [{"key": "note\u202e", "value": {"deep": ["\x9b31m"]}, "type": "json"}],
    }
    sandbox.store.insert(hostile)  # the newest: first in the list
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.screen.query_one(IdentityTable).selected.id == hostile["id"]
        await pilot.press("C")
        copied = app.clipboard
        data = json.loads(copied)
        assert data["id"] == hostile["id"] and data["name"] == hostile["name"]
        assert data["properties"] == hostile["properties"]
        assert not any(ord(ch) < 0x20 and ch != "\n" or 0x7F <= ord(ch) < 0xA0 or ch == "\u202e" for ch in copied)
        assert any("Copied the JSON of Mallory" in n for n in app.notices)
        await pilot.press("i")
        await settle(pilot, app)
        assert isinstance(app.screen, DetailScreen)
        app.copy_to_clipboard("")
        await pilot.press("C")
        assert json.loads(app.clipboard) == data
