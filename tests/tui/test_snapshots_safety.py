"""Snapshots: the conflict dialog, and hostile server text shown literally in the form, the delete dialog,
an error sentence and a toast (markup stays text, escapes and bidi controls are drawn as visible symbols)."""

from __future__ import annotations

import copy

import httpx
from textual import events
from tests.support.edit_helpers import ALICE_ID
from tests.support.pilot import settle

HOSTILE_ID = "identity-00000000-0000-4000-8000-0000000000bd"
HOSTILE = {
    "id": HOSTILE_ID,
    "identifier_key": "[b]key[/b]\x1b[31m",
    "name": "[bold red]not red[/] \x1b[31mESC \u202eRTL [@click=app.quit]q[/]",
    "identity_type": "user",
    "project_id": None,
    "properties": [
        {"key": "[u]k[/u]", "value": "[link=https://e.vil]v[/link] \x1b]52;c;aGk=\x07", "type": "string"},
        {"key": "j", "value": {"[i]": "\x1b[2J\u202e"}, "type": "json"},
    ],
}


def hostile(sandbox):
    sandbox.store.insert(copy.deepcopy(HOSTILE))  # the newest: first in the list
    sandbox.clear_log()
    return sandbox


async def _open_first(pilot) -> None:
    await settle(pilot, pilot.app)
    await pilot.press("enter")
    await settle(pilot, pilot.app)


def test_conflict_dialog_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await _open_first(pilot)  # Alice
        await pilot.press("ctrl+u", *"Alice Mine")
        for _ in range(5):
            await pilot.press("tab")  # row 1's value
        await pilot.press("ctrl+u", *"mine@example.com")
        with httpx.Client(transport=people.transport(), base_url="http://sandbox.invalid") as other:
            other.patch(f"/v1/identities/{ALICE_ID}", json={"name": "Alice Theirs", "properties": [
                {"key": "email", "value": "theirs@example.com", "type": "string"},
                {"key": "age", "value": 50, "type": "number"}]})
        await pilot.press("ctrl+s")
        await settle(pilot, pilot.app)
        await pilot.press("m")  # name: keep mine; the email row is still to choose

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_hostile_text_in_the_form_80x24(snap_compare, make_app, sandbox):
    hostile(sandbox)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open_first)


def test_hostile_text_in_the_delete_dialog_80x24(snap_compare, make_app, sandbox):
    hostile(sandbox)

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"[b]key", "enter")  # not the key: the dialog stays, saying so
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_hostile_key_in_the_409_sentence_80x24(snap_compare, make_app, sandbox):
    hostile(sandbox)

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press(*"Copy", "tab")
        app.post_message(events.Paste(HOSTILE["identifier_key"]))  # escapes arrive pasted, never typed
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_hostile_name_in_the_toast_after_a_delete_80x24(snap_compare, make_app, sandbox):
    hostile(sandbox)

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot, app)
        await pilot.press("d")
        await pilot.pause()
        app.post_message(events.Paste(HOSTILE["identifier_key"]))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_hostile_server_detail_in_the_error_toast_80x24(snap_compare, make_app, sandbox):
    inner = sandbox.transport()
    broken = []

    def handler(request: httpx.Request) -> httpx.Response:
        if broken and request.url.path == "/v1/identities/":
            return httpx.Response(400, json={"detail": "[bold red]red[/] [@click=app.quit]quit[/] \x1b[31mESC"})
        return inner.handle_request(request)

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        broken.append(True)
        await pilot.press("ctrl+r")
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(transport=httpx.MockTransport(handler)), terminal_size=(80, 24),
                        run_before=run_before)
