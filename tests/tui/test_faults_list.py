"""Faults on the list path: every one ends in a sentence on screen, never a crash or a traceback."""

from __future__ import annotations

import pytest

from identity_tui.tui.screens.connect import ConnectScreen
from identity_tui.tui.screens.error import ErrorScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.faults import FAULTS, FaultyTransport, path_is
from tests.support.pilot import settle

SENTENCES = {
    "refused": "Cannot reach",
    "dropped": "Cannot reach",
    "timeout": "did not answer in time",
    "500": "The server failed (500)",
    "502": "The server failed (502)",
    "503": "The server failed (503)",
    "429": "The server is busy (429)",
    "malformed": "not JSON",
    "truncated": "not JSON",
    "not_identity": "not with a list of identities",
}




@pytest.mark.parametrize("fault", FAULTS)
async def test_a_failed_refresh_keeps_the_rows_and_says_why(make_app, sandbox, fault):
    faulty = FaultyTransport(sandbox.transport())
    app = make_app(transport=None)
    app.transport = faulty  # the sandbox backend takes this transport instead of its own
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(IdentityTable)
        before = [i.id for i in table.identities]
        assert len(before) == 50
        faulty.arm(fault, path_is("/v1/identities/"))
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen), f"{fault}: {app.screen}"
        assert [i.id for i in table.identities] == before
        info = str(app.screen.query_one("#page-info").render())
        assert SENTENCES[fault] in info, info
        assert "Traceback" not in app.export_screenshot()
        # and once the fault clears, refresh works again
        faulty.arm(None)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert "Page 1" in str(app.screen.query_one("#page-info").render())


@pytest.mark.parametrize("fault", ["refused", "timeout", "malformed", "not_identity"])
async def test_a_first_load_that_fails_like_a_dead_server_opens_the_connect_screen(make_app, sandbox, fault):
    faulty = FaultyTransport(sandbox.transport(), fault=fault, match=lambda r: True)
    app = make_app()
    app.transport = faulty
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        assert app.screen.message


async def test_paging_failure_keeps_the_page_and_the_cursor_stack(make_app, sandbox):
    faulty = FaultyTransport(sandbox.transport())
    app = make_app()
    app.transport = faulty
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        # the prefetch has already fetched page 2; break page 3
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        page2 = [i.id for i in screen.query_one(IdentityTable).identities]
        faulty.arm("503", lambda r: r.url.path == "/v1/identities/" and "after" in r.url.params)
        screen.forget_pages()
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert "The server failed (503)" in str(screen.query_one("#page-info").render())
        faulty.arm(None)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert screen.page_number == 3
        assert [i.id for i in screen.query_one(IdentityTable).identities] != page2


async def test_an_unexpected_exception_in_a_worker_opens_the_error_dialog(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)

        async def boom(*args, **kwargs):
            raise RuntimeError("kaboom")

        monkeypatch.setattr(app.client, "list_page", boom)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert isinstance(app.screen, ErrorScreen)
        assert "kaboom" in app.screen.details
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
