"""The history screen: the journal newest first, the diff of the highlighted record, and u (undo)."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest
from textual.widgets import DataTable, Input

from identity_tui.core import deletion
from identity_tui.core import transaction as tx
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.journal import Record
from identity_tui.tui.screens.conflict import ConflictScreen
from identity_tui.tui.screens.history import HistoryScreen, UndoDeleteScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.screen_text import screen_lines
from tests.support.edit_helpers import ALICE, ALICE_ID, BOB_ID, writes
from tests.support.pilot import settle


def text(app) -> str:
    return "\n".join(screen_lines(app))


async def save(app, identity_id: str, **changes) -> None:
    """One journaled save through the app's client, as the form sends it."""
    current = await app.client.get(identity_id)
    prepared = await tx.prepare(app.client, current, replace(Draft.of(current), **changes))
    assert prepared.job is not None
    outcome = await tx.send(app.client, prepared.job)
    assert isinstance(outcome, tx.Saved)


async def open_history(pilot, app, *, key: str | None = None) -> HistoryScreen:
    if key:
        await pilot.press(key)
    else:
        app.action_history()
    await settle(pilot, app)
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


def rename_on_server(sandbox, identity_id: str, name: str) -> None:
    """Someone else's change, not in this app's journal."""
    client = httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.invalid")
    client.patch(f"/v1/identities/{identity_id}", json={"name": name}).raise_for_status()
    client.close()


async def test_history_lists_records_newest_first_with_the_diff(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice One")
        await save(app, BOB_ID, name="Bob Two")
        screen = await open_history(pilot, app)
        table = screen.query_one("#history-table", DataTable)
        assert table.row_count == 2
        lines = screen_lines(app)
        bob = next(i for i, line in enumerate(lines) if "bob@example.com" in line and "update" in line)
        alice = next(i for i, line in enumerate(lines) if "alice@example.com" in line and "update" in line)
        assert bob < alice  # newest first
        assert "u Undo" in screen_lines(app)[-1]
        assert "name: 'Bob Example' -> 'Bob Two'" in text(app)  # the highlighted (newest) record's diff
        await pilot.press("down")
        await pilot.pause()
        assert "name: 'Alice Example' -> 'Alice One'" in text(app)


async def test_u_undoes_a_patch_after_a_preview_and_the_server_holds_the_before_image(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        props = (*Draft.of(await app.client.get(ALICE_ID)).properties, DraftProperty("tier", "string", "gold"))
        await save(app, ALICE_ID, name="Alice Changed", properties=props)
        people.clear_log()
        await open_history(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)  # what it sends, before it sends it
        assert writes(people) == []
        # named as the header names the server (as the form's preview does), and esc goes back here
        assert f"Send 2 requests to {app.conn.label}?" in text(app) and "sandbox.invalid" not in text(app)
        assert "esc back to the history (nothing sent)" in text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        held = people.store.get(ALICE_ID)
        assert held["name"] == ALICE["name"] and held["properties"] == ALICE["properties"]
        assert "Undid " in text(app) and "restored alice@example.com" in text(app)
        # the undo is journaled too, newest first
        assert app.screen.query_one("#history-table", DataTable).row_count == 2
        assert "update of alice@example.com  (undoes " in text(app)  # the newest, highlighted: the undo


async def test_an_undo_the_journal_cannot_record_still_lands_and_a_warning_says_so(make_app, people, monkeypatch):
    from tests.support.full_disk import NO_SPACE, FullDisk

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice Changed")
        await open_history(pilot, app)
        FullDisk(monkeypatch).full()
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert people.store.get(ALICE_ID)["name"] == ALICE["name"]
        assert "restored alice@example.com" in text(app)
        assert f"The journal could not be written ({NO_SPACE}); the write itself went through." in " ".join(text(app).split())


async def test_an_overlapping_undo_shows_the_conflict_dialog_and_esc_sends_nothing(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice Mine")
        rename_on_server(people, ALICE_ID, "Alice Theirs")
        people.clear_log()
        await open_history(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        assert "nothing was sent" in text(app)
        assert writes(people) == []
        assert people.store.get(ALICE_ID)["name"] == "Alice Theirs"


async def test_an_overlapping_undo_settled_in_the_dialog_is_sent(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice Mine")
        rename_on_server(people, ALICE_ID, "Alice Theirs")
        await open_history(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("m", "enter")  # keep the undo's value
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert people.store.get(ALICE_ID)["name"] == "Alice Example"


async def test_h_on_the_list_shows_the_selected_identitys_records_only(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice One")
        await save(app, BOB_ID, name="Bob Two")
        assert isinstance(app.screen, ListScreen)
        screen = await open_history(pilot, app, key="h")  # Alice is the first row
        assert screen.query_one("#history-table", DataTable).row_count == 1
        assert "History of alice@example.com" in text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)


async def test_undo_of_a_create_asks_for_the_typed_key_then_deletes(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        draft = Draft("Carol", "carol@example.com", Draft.of(await app.client.get(BOB_ID)).identity_type)
        outcome = await tx.send(app.client, tx.prepare_create(draft).job)
        assert isinstance(outcome, tx.Saved)
        new_id = outcome.identity.id
        people.clear_log()
        await open_history(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, UndoDeleteScreen)
        app.screen.query_one(Input).value = "wrong"
        await pilot.press("enter")
        await settle(pilot, app)
        assert writes(people) == []
        app.screen.query_one(Input).value = "carol@example.com"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        assert writes(people) == [("DELETE", f"/v1/identities/{new_id}", None)]
        assert people.store.get(new_id) is None
        assert "deleted Carol" in text(app)
        assert "delete of carol@example.com  (undoes " in text(app)  # journaled as the undo


async def test_read_only_hides_u(make_app, people):
    app = make_app(readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await open_history(pilot, app)
        assert "No writes recorded" in text(app)
        assert "u Undo" not in screen_lines(app)[-1]
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)


async def test_damaged_journal_lines_are_one_warning_line(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice One")
        with open(app.client.journal.path, "a", encoding="utf-8") as f:
            f.write("{not json\n")
            f.write('{"id": 3}\n')
        screen = await open_history(pilot, app)
        assert screen.query_one("#history-table", DataTable).row_count == 1
        warnings = [line for line in screen_lines(app) if "damaged journal line" in line]
        assert len(warnings) == 1 and "2 damaged journal lines skipped (the first: line 3 of its file)" in warnings[0]


async def test_undo_of_a_delete_previews_the_post_and_creates_it_again(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert isinstance(await deletion.delete(app.client, BOB_ID), deletion.Deleted)
        people.clear_log()
        await open_history(pilot, app)
        assert "deleted: 'Bob Example', user" in text(app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        assert "POST /v1/identities/" in text(app)
        assert writes(people) == []
        await pilot.press("enter")
        await settle(pilot, app)
        again = people.store.find_by_key("bob@example.com", None)
        assert again is not None and again["id"] != BOB_ID and again["name"] == "Bob Example"
        assert "recreated bob@example.com (a new id" in text(app)


async def test_esc_while_an_undo_waits_for_the_server_stops_waiting(make_app, people):
    from tests.support.faults import FaultyTransport

    faulty = FaultyTransport(people.transport())
    app = make_app(transport=faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice One")
        await open_history(pilot, app)
        faulty.arm("hang", lambda r: r.method == "GET" and r.url.path == f"/v1/identities/{ALICE_ID}")
        await pilot.press("u")
        await faulty.hanging.wait()
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        assert "Stopped reading the server: nothing was sent." in text(app)
        assert [r for r in faulty.seen if r.method != "GET"][-1].method == "PATCH"  # only the save itself
        assert len([r for r in faulty.seen if r.method != "GET"]) == 1


async def test_the_token_never_shows_in_the_history_screen_or_the_journal(make_app, people):
    """A canary token (a server in secure mode, reached over a transport as a real one is): every write is
    journaled and listed, and the token is in neither."""
    import os
    from pathlib import Path

    from identity_tui.core.config import Connection
    from identity_tui.core.secret import Secret

    canary = "canary-token-7f3e9a1c"
    people.password = canary
    conn = Connection(base_url="http://letta.test:8283", token=Secret(canary))
    app = make_app(transport=people.transport(), conn=conn)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await save(app, ALICE_ID, name="Alice Canary")
        await open_history(pilot, app)
        shown = text(app)
        assert "Alice Canary" in shown and canary not in shown
    journal = Path(os.environ["XDG_STATE_HOME"]) / "identity-tui" / "journal"
    written = "".join(p.read_text() for p in journal.glob("*"))
    assert '"Alice Canary"' in written and canary not in written


@pytest.mark.parametrize("variant", ["patch", "put"])
async def test_a_change_made_while_the_undo_preview_is_open_is_met_by_the_conflict_dialog(make_app, people, variant):
    """The preview says the server is read once more right before sending: it is, and nothing is overwritten.
    ``put``: the undo of a property's removal (a PUT of the list) meets someone who set that property again."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        if variant == "patch":
            await save(app, ALICE_ID, name="Alice Mine")
        else:
            kept = Draft.of(await app.client.get(ALICE_ID)).properties
            assert kept, "Alice has properties"
            removed = kept[0]
            await save(app, ALICE_ID, properties=kept[1:])
        await open_history(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        if variant == "patch":  # while the preview stands open
            rename_on_server(people, ALICE_ID, "Alice Theirs")
        else:
            client = httpx.Client(transport=people.transport(), base_url="http://sandbox.invalid")
            client.patch(f"/v1/identities/{ALICE_ID}", json={"properties": [
                {"key": removed.key, "type": "string", "value": "theirs"}]}).raise_for_status()
            client.close()
        people.clear_log()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        assert writes(people) == []
        await pilot.press("escape")
        await settle(pilot, app)
        assert writes(people) == []
        held = people.store.get(ALICE_ID)
        if variant == "patch":
            assert held["name"] == "Alice Theirs"
        else:
            assert {"key": removed.key, "type": "string", "value": "theirs"} in held["properties"]


async def test_a_save_given_up_whose_patch_landed_later_is_in_the_history_and_undone(make_app, people):
    from tests.support.faults import FaultyTransport, method

    faulty = FaultyTransport(people.transport())
    app = make_app()
    app.transport = faulty
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        current = await app.client.get(ALICE_ID)
        prepared = await tx.prepare(app.client, current, replace(Draft.of(current), name="Alice Late"))
        faulty.arm("hang_after", method("PATCH"), times=1)  # the server acts; the answer never comes
        sending = app.run_worker(tx.send(app.client, prepared.job))
        await faulty.hanging.wait()
        sending.cancel()  # esc: the form gives up waiting
        await settle(pilot, app)
        faulty.arm(None)
        assert people.store.get(ALICE_ID)["name"] == "Alice Late"
        await open_history(pilot, app)
        await settle(pilot, app)
        assert "landed" in text(app) and "name: 'Alice Example' -> 'Alice Late'" in text(app)
        await pilot.press("u")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert people.store.get(ALICE_ID)["name"] == "Alice Example"


async def test_at_80_columns_each_row_shows_its_outcome_before_the_key(make_app, people):
    """The outcome is what a history is read for: it comes before the identifier key, which the last column
    cuts at 80 columns, even for a batch's undo (the longest operation)."""
    long_key = "a-very-long-identifier-key-that-runs-on@example.com"
    lines = [Record(id=f"2026113012{n}000-0000000{n}", time=f"2026-11-30T12:{n}0:00.000+00:00", server="sandbox",
                    operation="update", identity_id=f"identity-{n}", identifier_key=long_key, requests=[],
                    before=None, after=None, outcome=outcome, status=status, undoes="x" if n == 2 else None,
                    batch="80e6f7dd" + "0" * 24 if n == 2 else None).to_json()
             for n, (status, outcome) in enumerate([
                 ("landed", "saved"),
                 ("unknown", "unknown: the answer was lost, and a read right after did not show it (it may land late)"),
                 ("not_landed", "refused: identifier_key 'x' is already used (409)")])]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        path = app.client.journal.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        await open_history(pilot, app)
        rows = [line for line in screen_lines(app) if "2026-11-30" in line]
        assert len(rows) == 3, rows
        undo_row = next(r for r in rows if "(undo) [batch 80e6f7dd]" in r)
        assert "refused" in undo_row and "a-very-long" in undo_row, undo_row
        assert any("unknown" in r and "a-very-long" in r for r in rows), rows
        assert any("saved" in r and "a-very-long" in r for r in rows), rows
