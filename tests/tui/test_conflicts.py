"""Someone else saves the same identity between opening the form and sending: merged, asked about, or re-created.

A second client on the same sandbox plays the other admin, writing through HTTP between key presses.
"""

from __future__ import annotations

import copy

import pytest
from textual.widgets import Input

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.config import Config
from identity_tui.tui.screens.confirm import ConfirmScreen
from identity_tui.tui.screens.conflict import ConflictRow, ConflictScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.edit_helpers import ALICE, ALICE_ID, ALICE_PATH, focus_field, message, open_alice, writes
from tests.support.pilot import settle

EMAIL, AGE, VERIFIED, PREFS = copy.deepcopy(ALICE["properties"])
TIER = {"key": "tier", "value": "gold", "type": "string"}


@pytest.fixture
async def other(people):
    """Another admin's client on the same server."""
    client = LettaClient("http://sandbox.invalid", transport=people.transport(), options=ClientOptions(retries=0))
    yield client
    await client.aclose()


def row(screen, i):
    """What row ``i`` holds: key, type, value, origin."""
    return screen.form.values().rows[i]


def stored(sandbox) -> dict:
    return sandbox.store.get(ALICE_ID)


def ours(sandbox, after: int) -> list[tuple[str, str, object]]:
    """Our writes: everything after the other client's first ``after`` writes."""
    return writes(sandbox)[after:]


def preview_text(app) -> str:
    assert isinstance(app.screen, PreviewScreen), app.screen
    return str(app.screen.query_one("#preview-body").render())


async def test_their_change_to_other_fields_is_kept_and_only_mine_is_sent(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" Jr")
        await other.update(ALICE_ID, {"properties": [dict(AGE, value=43), TIER]})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = preview_text(app)
        assert "Someone else saved this identity since you opened it" in text and "'age', 'tier'" in text
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == [("PATCH", ALICE_PATH, {"name": "Alice Example Jr"})]
        server = stored(people)
        assert server["name"] == "Alice Example Jr"
        assert server["properties"] == [EMAIL, dict(AGE, value=43), VERIFIED, PREFS, TIER]
        assert message(app) == "Saved. Kept what others changed meanwhile: 'age', 'tier'."
        assert [r.key for r in screen.form.values().rows] == ["email", "age", "verified", "prefs", "tier"]
        assert screen.modified == set()


async def test_a_put_carries_their_new_property(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.key")
        await pilot.press("ctrl+d")  # remove age: a PUT of the whole list
        await other.update(ALICE_ID, {"properties": [TIER]})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Why a PUT" in preview_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == [("PUT", ALICE_PATH + "/properties", [EMAIL, VERIFIED, PREFS, TIER])]
        assert stored(people)["properties"] == [EMAIL, VERIFIED, PREFS, TIER]


async def test_without_the_preview_the_merge_still_happens(make_app, people, other):
    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.3.key")
        await pilot.press("ctrl+d")  # remove prefs
        await other.replace_properties(ALICE_ID, [TIER, EMAIL, AGE, VERIFIED, PREFS])  # they add one on top
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert ours(people, 1) == [("PUT", ALICE_PATH + "/properties", [TIER, EMAIL, AGE, VERIFIED])]
        assert stored(people)["properties"] == [TIER, EMAIL, AGE, VERIFIED]
        assert message(app).startswith("Saved. Kept what others changed meanwhile:")


async def test_the_same_change_made_by_both_is_not_sent_again(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("!")
        await other.update(ALICE_ID, {"name": "Alice Example!"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        assert ours(people, 1) == []
        assert message(app) == "Nothing sent: the server already holds these values (saved there meanwhile)."
        assert screen.modified == set()


async def test_overlapping_changes_open_the_conflict_dialog_and_nothing_is_sent_until_each_row_is_chosen(
        make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("ctrl+u", *"Alice Mine")
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("ctrl+u", *"mine@example.com")
        await other.update(ALICE_ID, {"name": "Alice Theirs", "properties": [
            dict(EMAIL, value="theirs@example.com"), dict(AGE, value=50)]})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ConflictScreen)
        rows = list(dialog.query(ConflictRow))
        assert [r.conflict.field for r in rows] == ["name", "properties.email"]
        first = str(rows[0].render())
        assert "Name" in first and "Alice Example" in first and "Alice Theirs" in first and "Alice Mine" in first
        assert "string  theirs@example.com" in str(rows[1].render())
        assert "'age'" in str(dialog.query_one("#conflict-about").render())  # their other change: kept
        await pilot.press("enter")  # nothing chosen yet
        await pilot.pause()
        assert "2 rows still to choose" in str(dialog.query_one("#conflict-message").render())
        assert ours(people, 1) == []
        await pilot.press("m")  # name: keep mine; the focus moves on to the email row
        assert app.focused is rows[1]
        await pilot.press("t")  # email: take theirs
        assert "✓ take theirs" in str(rows[1].render())
        await pilot.press("enter")
        await settle(pilot, app)
        text = preview_text(app)
        assert "'age'" in text
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == [("PATCH", ALICE_PATH, {"name": "Alice Mine"})]
        server = stored(people)
        assert server["name"] == "Alice Mine"
        assert server["properties"][:2] == [dict(EMAIL, value="theirs@example.com"), dict(AGE, value=50)]
        assert row(screen, 0).value == "theirs@example.com"  # the form shows what was saved


async def test_escape_in_the_conflict_dialog_sends_nothing_and_keeps_the_form_as_typed(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("ctrl+u", *"Alice Mine")
        await other.update(ALICE_ID, {"name": "Alice Theirs"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("T")  # all theirs, then change of mind
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
        assert ours(people, 1) == []
        assert screen.query_one("#name", Input).value == "Alice Mine"
        assert screen.modified == {"name"}
        assert message(app).startswith("Not sent: the overlapping changes were not resolved")


async def test_all_theirs_with_capital_t_takes_every_row(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("ctrl+u", *"Alice Mine")
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press("backspace", "backspace", *"7")
        await other.update(ALICE_ID, {"name": "Alice Theirs", "properties": [dict(AGE, value=8)]})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("T", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        assert ours(people, 1) == []
        assert "the server already holds these values" in message(app)
        assert screen.query_one("#name", Input).value == "Alice Theirs"


async def test_rows_moved_differently_on_both_sides_is_an_order_conflict(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.0.key")
        await pilot.press("alt+down")  # mine: age, email, verified, prefs
        await other.replace_properties(ALICE_ID, [PREFS, EMAIL, AGE, VERIFIED])
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ConflictScreen)
        [only] = list(dialog.query(ConflictRow))
        text = str(only.render())
        assert "Order of the properties" in text and "prefs, email, age, verified" in text
        await pilot.press("m", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == [("PUT", ALICE_PATH + "/properties", [AGE, EMAIL, VERIFIED, PREFS])]


async def test_a_change_made_while_the_preview_is_open_is_caught_before_sending(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)
        assert "Someone else" not in preview_text(app)
        await other.update(ALICE_ID, {"properties": [TIER]})  # while the preview is open
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == []  # not sent: the plan was rebuilt and is shown again
        assert "Their changes are kept: 'tier'" in preview_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == [("PATCH", ALICE_PATH, {"name": "Alice Example!"})]
        assert stored(people)["properties"][-1] == TIER


async def test_an_overlapping_change_made_while_the_preview_is_open_asks(make_app, people, other):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)
        await other.update(ALICE_ID, {"name": "Alice Theirs"})
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        assert ours(people, 1) == []
        await pilot.press("m", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert ours(people, 1) == [("PATCH", ALICE_PATH, {"name": "Alice Example!"})]


async def test_deleted_while_the_preview_is_open_offers_to_recreate(make_app, people, other, fixed_ids):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)
        await other.delete(ALICE_ID)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert "deleted on the server after you opened it" in message(app)
        assert ours(people, 1) == []
        await pilot.press("enter")  # re-create
        await settle(pilot, app)
        await pilot.press("enter")  # the preview of one POST
        await settle(pilot, app)
        assert [m for m, _, _ in ours(people, 1)] == ["POST"]
        assert isinstance(app.screen, ListScreen)
        assert people.store.find_by_key("alice@example.com", None)["name"] == "Alice Example!"


async def test_a_failed_read_before_sending_sends_nothing_and_says_so(make_app, people, monkeypatch):
    from identity_tui.core.errors import ConnectionFailed

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)

        async def down(identity_id):
            raise ConnectionFailed("Cannot reach http://sandbox.invalid: refused.", status=None)

        monkeypatch.setattr(app.client, "get", down)
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        assert writes(people) == []
        assert message(app).startswith("Not sent: could not read the server's copy to check for changes")
        assert screen.query_one("#name", Input).value == "Alice Example!"
        assert not screen.busy and not screen.form.disabled
