"""Snapshot tests: what a person sees on the list, help and connect screens at fixed sizes."""

from __future__ import annotations


import httpx

from identity_tui.core.config import Config, Connection
from identity_tui.tui.app import IdentityApp


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_list_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_settle)


def test_list_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_settle)


def test_help_80x24(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_connect_screen_80x24(snap_compare):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    app = IdentityApp(
        Connection(base_url="http://letta.internal:8283"),
        Config(),
        transport=httpx.MockTransport(refuse),
        cursor_blink=False,
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_untrusted_text_snapshot(snap_compare, make_app, empty_sandbox, fixed_ids):
    client = httpx.Client(transport=empty_sandbox.transport(), base_url="http://sandbox.invalid")
    for key, name in (
        ("markup", "[bold red]not red[/]"),
        ("escape", "\x1b[31mESC shown\x1b[0m"),
        ("bidi", "abc\u202edcba"),
    ):
        client.post("/v1/identities/", json={"identifier_key": key, "name": name, "identity_type": "user"})
    client.close()
    assert snap_compare(make_app(store=empty_sandbox), terminal_size=(80, 24), run_before=_settle)


