"""Drafts in the app: kept while a form is modified, gone once it is saved or given up, offered back at start."""

from __future__ import annotations

import json
import signal

from textual.widgets import Input, OptionList

from identity_tui.core.config import drafts_dir, server_key
from identity_tui.core.draft_store import DraftStore
from identity_tui.tui.screens.confirm import ConfirmScreen, DeleteScreen, LeaveScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from identity_tui.tui.screens.restore import RestoreScreen
from identity_tui.tui.timing import Timing
from tests.support.edit_helpers import ALICE, ALICE_ID, ALICE_PATH, focus_field, focus_on, message, open_alice, writes
from tests.support.pilot import settle

# Drafts written a moment after typing stops: short here, so the tests wait on the write, not for 0.7 s.
QUICK = Timing(draft_delay=0.05, draft_max_wait=0.5)


def store_of(app) -> DraftStore:
    return DraftStore(drafts_dir(), server_key(app.conn))


def kept(app) -> list:
    drafts, problems = store_of(app).load()
    assert problems == []
    return drafts


async def wait_for(pilot, condition, timeout: float = 5.0) -> None:
    """Let the app run until ``condition`` holds (the debounce is a real timer, made short with QUICK)."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("timed out waiting")


async def rename_alice(pilot, app, suffix: str = " Jr") -> EditScreen:
    screen = await open_alice(pilot, app)
    await focus_on(pilot, app, screen.query_one("#name", Input))
    await pilot.press(*suffix)
    return screen


async def save(pilot, app) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, PreviewScreen)
    await pilot.press("enter")
    await settle(pilot, app)


# -- kept while modified ---------------------------------------------------------------------------


class SteppedClock:
    """The draft keeper's clock, moved only by the test: the delay has passed when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_an_edit_is_kept_a_moment_after_typing_stops(make_app, people):
    clock = SteppedClock()
    app = make_app(timing=Timing(draft_delay=0.05, draft_max_wait=0.5, clock=clock))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await rename_alice(pilot, app)
        clock.now += 0.04  # typing stopped, but not for long enough
        await pilot.pause(0.1)  # the timer comes and goes: it is not time yet by the clock
        assert kept(app) == []  # not on every key press
        assert screen.drafts.pending
        clock.now += 0.01
        await wait_for(pilot, lambda: len(kept(app)) == 1)  # on disk
        assert not screen.drafts.pending
        (draft,) = kept(app)
        assert draft.identity_id == ALICE_ID
        assert draft.base.name == "Alice Example"
        assert draft.texts.name == "Alice Example Jr"
        assert [r.key for r in draft.texts.rows] == ["email", "age", "verified", "prefs"]
        assert draft.server == server_key(app.conn)


async def test_a_half_typed_invalid_value_is_kept_as_typed(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press("backspace", "backspace", *"4x")
        screen.flush_draft()
        (draft,) = kept(app)
        assert draft.texts.rows[1].text == "4x"
        assert json.loads(draft.texts.rows[3].text) == {"theme": "dark", "newsletter": False}


async def test_an_unmodified_form_keeps_nothing(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("x", "backspace")  # typed and taken back
        screen.flush_draft()
        assert not screen.drafts.pending  # and nothing is written later either
        assert kept(app) == []


async def test_read_only_keeps_nothing_and_offers_nothing(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await rename_alice(pilot, app)
        app.screen.flush_draft()
    assert len(kept(app)) == 1
    readonly = make_app(readonly=True)
    async with readonly.run_test(size=(80, 24)) as pilot:
        await settle(pilot, readonly)
        assert isinstance(readonly.screen, ListScreen)
        screen = await open_alice(pilot, readonly)
        await focus_on(pilot, readonly, screen.query_one("#name", Input))
        await pilot.press(*"!!")
        screen.flush_draft()
        assert screen.modified == set()  # a read-only form takes no typing at all
    assert [d.texts.name for d in kept(app)] == ["Alice Example Jr"]


# -- gone once saved or given up ---------------------------------------------------------------------


async def test_a_save_removes_the_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await rename_alice(pilot, app)
        screen.flush_draft()
        assert len(kept(app)) == 1
        await save(pilot, app)
        assert message(app) == "Saved."
        assert kept(app) == []
        assert not app.screen.drafts.pending  # and nothing is written later either
        assert kept(app) == []


async def test_discarding_on_the_way_out_removes_the_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await rename_alice(pilot, app)
        screen.flush_draft()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert kept(app) == []
    assert writes(people) == []


async def test_quitting_with_discard_removes_the_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await rename_alice(pilot, app)
        screen.flush_draft()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
    assert kept(app) == []


async def test_reverting_removes_the_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await rename_alice(pilot, app)
        screen.flush_draft()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.modified == set()
        assert kept(app) == []


async def test_deleting_the_identity_removes_its_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await rename_alice(pilot, app)
        screen.flush_draft()
        await focus_on(pilot, app, screen.query_one("#delete"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DeleteScreen)
        await pilot.press(*ALICE["identifier_key"], "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert kept(app) == []


async def test_a_created_identity_leaves_no_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Carol", "tab", *"carol")
        app.screen.flush_draft()
        (draft,) = kept(app)
        assert draft.creating and draft.texts.name == "Carol"
        await save(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert kept(app) == []


# -- a signal or a crash keeps it -----------------------------------------------------------------------


async def test_a_hang_up_writes_the_pending_draft_at_once_and_exits(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await rename_alice(pilot, app)
        assert kept(app) == []  # still inside the debounce
        app.hang_up(signal.SIGHUP)
        assert [d.texts.name for d in kept(app)] == ["Alice Example Jr"]
        await pilot.pause()
    assert app.return_code == 128 + signal.SIGHUP
    assert [d.texts.name for d in kept(app)] == ["Alice Example Jr"]


async def test_the_app_stopping_under_a_modified_form_keeps_the_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await rename_alice(pilot, app)
        await pilot.pause()
        app.exit(return_code=1)  # what an unhandled error does: no dialog, no choice
        await pilot.pause()
    assert [d.texts.name for d in kept(app)] == ["Alice Example Jr"]


# -- offered back at start ----------------------------------------------------------------------------


async def leave_a_draft(make_app, suffix: str = " Jr") -> None:
    """A session that edits Alice's name and ends with a hang-up (an offer from an earlier one is put off)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        if isinstance(app.screen, RestoreScreen):
            await pilot.press("escape")
        await rename_alice(pilot, app, suffix)
        app.hang_up(signal.SIGHUP)


async def test_the_next_start_offers_the_draft_and_restoring_it_saves_the_edit(make_app, people):
    await leave_a_draft(make_app)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, RestoreScreen)
        shown = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "Alice Example Jr" in shown and "just now" in shown
        assert 'name: "Alice Example" -> "Alice Example Jr"' in shown
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen)
        assert screen.query_one("#name", Input).value == "Alice Example Jr"
        assert screen.modified == {"name"}
        assert message(app).startswith("Restored the draft from just now.")
        assert len(kept(app)) == 1  # the same draft, still kept until saved
        await save(pilot, app)
        assert writes(people) == [("PATCH", ALICE_PATH, {"name": "Alice Example Jr"})]
        assert kept(app) == []


async def test_a_server_copy_changed_since_is_said_and_only_the_draft_changes_are_sent(make_app, people):
    await leave_a_draft(make_app)
    people.store.update(ALICE_ID, {"identifier_key": "alice@example.org"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert screen.modified == {"name"}
        assert "The server copy has changed since (identifier_key)" in message(app)
        assert screen.baseline.identifier_key == "alice@example.com"  # the copy the draft began from
        people.clear_log()
        await save(pilot, app)
        assert writes(people) == [("PATCH", ALICE_PATH, {"name": "Alice Example Jr"})]


async def test_later_keeps_the_draft_and_the_drafts_command_offers_it_again(make_app, people):
    await leave_a_draft(make_app)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, RestoreScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert len(kept(app)) == 1
        app.action_drafts()
        await pilot.pause()
        assert isinstance(app.screen, RestoreScreen)


async def test_opening_an_identity_with_a_kept_draft_leaves_that_draft_alone(make_app, people):
    await leave_a_draft(make_app)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("escape")
        screen = await rename_alice(pilot, app, "!")
        screen.flush_draft()
        assert sorted(d.texts.name for d in kept(app)) == ["Alice Example Jr", "Alice Example!"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot, app)
        assert [d.texts.name for d in kept(app)] == ["Alice Example Jr"]


async def test_discarding_in_the_offer_removes_the_file_after_a_confirmation(make_app, people):
    await leave_a_draft(make_app)
    await leave_a_draft(make_app, " Sr")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.screen.query_one(OptionList).option_count == 2
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert len(kept(app)) == 2
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RestoreScreen)
        assert len(kept(app)) == 1
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert kept(app) == []


async def test_a_new_identitys_draft_reopens_the_create_form(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Carol", "tab", *"carol", "ctrl+n", *"plan", "tab", "tab", *"pro")
        await pilot.pause()
        app.hang_up(signal.SIGHUP)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        shown = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert shown.startswith("New identity: Carol") and '+ property plan = "pro"' in shown
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen) and screen.creating
        assert screen.query_one("#identifier-key", Input).value == "carol"
        assert [r.value for r in screen.form.values().rows] == ["pro"]
        await save(pilot, app)
        assert writes(people) == [
            ("POST", "/v1/identities/", {"identifier_key": "carol", "name": "Carol", "identity_type": "user",
                                         "properties": [{"key": "plan", "value": "pro", "type": "string"}]})
        ]
        assert kept(app) == []


async def test_a_draft_whose_identity_was_deleted_opens_as_a_new_identity(make_app, people):
    await leave_a_draft(make_app)
    people.store.delete(ALICE_ID)
    app = make_app(timing=QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen) and screen.creating
        assert screen.query_one("#name", Input).value == "Alice Example Jr"
        assert [r.key for r in screen.form.values().rows] == ["email", "age", "verified", "prefs"]
        await wait_for(pilot, lambda: [d.creating for d in kept(app)] == [True])


async def test_a_restored_invalid_value_comes_back_as_typed_with_its_error(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press("backspace", "backspace", *"4x")
        app.hang_up(signal.SIGHUP)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert screen.form.row_view(1).text == "4x"
        assert screen.form.widget_for("properties.1.value").value == "4x"
        assert screen.modified == {"properties", "properties.1", "properties.1.value"}
        assert "Not a number" in screen.form.error_line(1)


async def test_an_unreadable_draft_is_a_warning_not_a_crash(make_app, people):
    app = make_app()
    store = store_of(app)
    store.dir.mkdir(parents=True)
    (store.dir / "broken--aaaaaaaaaaaa.json").write_text("{")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert any("Skipped the unreadable draft" in n for n in app.notices)


async def test_the_drafts_command_leaves_out_the_open_forms_own_draft(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await rename_alice(pilot, app)
        screen.flush_draft()
        assert len(kept(app)) == 1
        app.action_drafts()
        await pilot.pause()
        assert app.screen is screen
        notes = list(app.notices)
        assert not any("No unsaved drafts" in n for n in notes), notes  # the open form's draft is on disk
        assert any("open form's unsaved changes are kept as a draft" in n and "no other" in n for n in notes), notes
