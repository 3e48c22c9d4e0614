"""Faults on every write path (and the form's fresh read): no crash, one clear sentence, the form as typed,
and a retry only where it is safe: a lost create is looked up before it is posted again, a lost delete
that answers 404 on the retry is reported as deleted, a lost save is re-read to learn what landed."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from identity_tui.tui.screens.confirm import DeleteScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.error import ErrorScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.faults import FAULTS, FaultyTransport, method, path_is
from tests.support.edit_helpers import ALICE, ALICE_ID, ALICE_PATH, focus_field, focus_on, message, open_alice
from tests.support.pilot import settle

# What the sentence names, per fault (None: the write landed and only its answer was lost).
WHY = {
    "refused": "the connection failed",
    "dropped": None,
    "timeout": "did not answer in time",
    "500": "the server failed (500)",
    "502": "the server failed (502)",
    "503": "the server failed (503)",
    "429": "the server is busy (429)",
    "malformed": "not JSON",
    "truncated": "not JSON",
    "not_identity": "not with an identity",
}
# Known not to have landed, so nothing to re-read or look up: the server's refusal, or a connection refused
# (nothing reached the server).
DEFINITE = {"429", "refused"}
CAROL_KEY = "carol@example.com"


def faulty_app(make_app, sandbox) -> tuple[object, FaultyTransport]:
    faulty = FaultyTransport(sandbox.transport())
    app = make_app()
    app.transport = faulty  # the sandbox backend takes this transport instead of its own
    return app, faulty


def sent(sandbox, verb: str) -> list:
    """Requests of ``verb`` that reached the server (a fault that answers in the server's place never does)."""
    return [r for r in sandbox.request_log if r.method == verb]


def no_crash(app) -> None:
    assert not isinstance(app.screen, ErrorScreen), app.screen.details
    assert "Traceback" not in app.export_screenshot()


def one_sentence(text: str) -> None:
    assert text and "\n" not in text and text.rstrip().endswith("."), text


# -- open: the form's fresh read --------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_failed_fresh_read_opens_the_lists_copy_and_says_why(make_app, people, fault):
    app, faulty = faulty_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        faulty.arm(fault, path_is(ALICE_PATH), times=1)
        await pilot.press("enter")
        await settle(pilot, app)
        no_crash(app)
        screen = app.screen
        assert isinstance(screen, EditScreen)
        assert faulty.broken, "the fault never fired"
        text = message(app)
        assert text.startswith("Could not read a fresh copy") and "Showing the list's copy" in text
        assert screen.query_one("#name", Input).value == ALICE["name"]
        assert [r.key for r in screen.form.values().rows] == [p["key"] for p in ALICE["properties"]]
        assert not screen.form.disabled and screen.modified == set()


# -- save: PATCH and PUT ----------------------------------------------------------------------------


async def edit_and_send(pilot, app, *, put: bool) -> EditScreen:
    screen = await open_alice(pilot, app)
    await pilot.press(*" Jr")
    if put:
        await focus_field(pilot, app, screen, "properties.1.key")
        await pilot.press("ctrl+d")  # removing age makes the save a PATCH and a PUT
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, PreviewScreen)
    await pilot.press("enter")
    await settle(pilot, app)
    return screen


@pytest.mark.parametrize("verb", ["PATCH", "PUT"])
@pytest.mark.parametrize("fault", FAULTS)
async def test_a_failed_save_keeps_the_form_says_why_and_learns_what_landed(make_app, people, fault, verb):
    app, faulty = faulty_app(make_app, people)
    faulty.arm(fault, method(verb), times=1)
    put = verb == "PUT"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await edit_and_send(pilot, app, put=put)
        no_crash(app)
        assert app.screen is screen and not screen.busy and not screen.form.disabled
        assert faulty.broken, "the fault never fired"
        text = message(app)
        one_sentence(text.split(". ")[0] + ".")
        stored = people.store.get(ALICE_ID)
        if WHY[fault] is None:  # dropped: it landed, and a fresh read proves it
            assert text == "Saved (the answer was lost on the way back, but a fresh read shows every change landed)."
            assert screen.modified == set()
            assert stored["name"] == "Alice Example Jr"
            assert len(sent(people, verb)) == 1  # never sent twice
            return
        assert WHY[fault] in text, text
        if put:
            # The PATCH went first and landed; the PUT failed: the removal is still marked.
            assert text.startswith("Partly saved. Applied: PATCH (set name).")
            assert screen.modified == {"properties"}
            assert [r.key for r in screen.form.values().rows] == ["email", "verified", "prefs"]
        else:
            assert text.startswith("Not saved: ")
            tail = ("" if fault in DEFINITE else
                    " A fresh read shows nothing changed: ctrl+s sends it again.")
            assert text.endswith(tail)
            assert screen.modified == {"name"}
            assert stored["name"] == ALICE["name"]
        assert screen.query_one("#name", Input).value == "Alice Example Jr"  # as typed
        # The fault has passed: ctrl+s re-reads and sends only what is missing.
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert message(app).startswith("Saved"), message(app)
        stored = people.store.get(ALICE_ID)
        assert stored["name"] == "Alice Example Jr"
        assert [p["key"] for p in stored["properties"]] == (
            ["email", "verified", "prefs"] if put else ["email", "age", "verified", "prefs"])


async def test_a_lost_patch_answer_before_the_put_reports_what_landed_and_sends_the_rest(make_app, people):
    app, faulty = faulty_app(make_app, people)
    faulty.arm("dropped", method("PATCH"), times=1)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await edit_and_send(pilot, app, put=True)
        no_crash(app)
        assert message(app) == ("Partly saved: the answer was lost, and a fresh read shows only part landed. "
                                "Still unsaved (marked ●): 'age'. ctrl+s sends the rest.")
        assert screen.modified == {"properties"}
        assert sent(people, "PUT") == []
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "1. PUT" in str(app.screen.query_one("#preview-body").render())
        assert "2. " not in str(app.screen.query_one("#preview-body").render())
        await pilot.press("enter")
        await settle(pilot, app)
        assert message(app) == "Saved."
        assert len(sent(people, "PATCH")) == 1 and len(sent(people, "PUT")) == 1
        assert [p["key"] for p in people.store.get(ALICE_ID)["properties"]] == ["email", "verified", "prefs"]


async def test_a_lost_answer_with_the_read_back_failing_too_says_it_may_or_may_not_have_landed(make_app, people):
    app, faulty = faulty_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)
        patched = []

        def from_the_patch_on(request) -> bool:
            patched.extend([request] if request.method == "PATCH" else [])
            return bool(patched)

        faulty.arm("dropped", from_the_patch_on)  # the PATCH lands, then every answer is lost
        await pilot.press("enter")
        await settle(pilot, app)
        no_crash(app)
        assert message(app) == (
            "Not saved: the connection failed (Cannot reach http://sandbox.invalid: Server disconnected without "
            "sending a response). It may or may not have landed: ctrl+s re-reads first and sends only what is "
            "missing.")
        assert screen.modified == {"name"}
        faulty.arm(None)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, PreviewScreen)  # it had landed: nothing to send
        assert message(app) == "Nothing sent: the server already holds these values (saved there meanwhile)."
        assert len(sent(people, "PATCH")) == 1
        assert screen.modified == set()


# -- create: POST -----------------------------------------------------------------------------------


async def fill_carol(pilot, app, name: str = "Carol Example") -> EditScreen:
    await settle(pilot, app)
    await pilot.press("n")
    await settle(pilot, app)
    await pilot.press(*name, "tab", *CAROL_KEY)
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, PreviewScreen)
    await pilot.press("enter")
    await settle(pilot, app)
    return app.screen


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_failed_create_is_never_sent_twice_blindly(make_app, people, fault):
    app, faulty = faulty_app(make_app, people)
    faulty.arm(fault, method("POST"), times=1)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fill_carol(pilot, app)
        no_crash(app)
        assert app.screen is screen and screen.creating
        text = message(app)
        assert text.startswith("Not created: "), text
        if WHY[fault]:
            assert WHY[fault] in text
        if fault in DEFINITE:
            assert "looks up" not in text
        else:
            assert text.endswith(f"It may have been created all the same: ctrl+s first looks up identifier_key "
                                 f"'{CAROL_KEY}' and creates nothing twice.")
        assert screen.query_one("#name", Input).value == "Carol Example"
        assert screen.query_one("#identifier-key", Input).value == CAROL_KEY
        people.clear_log()
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        preview = str(app.screen.query_one("#preview-body").render())
        assert ("first looks up identifier_key" in preview) is (fault not in DEFINITE)
        await pilot.press("enter")
        await settle(pilot, app)
        no_crash(app)
        assert isinstance(app.screen, ListScreen)
        made = people.store.find_by_key(CAROL_KEY, None)
        assert made is not None and made["name"] == "Carol Example"
        lookups = [r for r in people.request_log if r.method == "GET" and r.query.get("identifier_key") == CAROL_KEY]
        if fault in DEFINITE:
            assert lookups == []
        else:
            assert len(lookups) == 1
        # One identity with the key, and a second POST only when the first never reached the server.
        assert len(sent(people, "POST")) == (0 if fault == "dropped" else 1)
        assert app.screen.query_one(IdentityTable).selected.id == made["id"]


async def test_a_lost_create_found_on_retry_is_reported_as_created(make_app, people):
    app, faulty = faulty_app(make_app, people)
    faulty.arm("dropped", method("POST"), times=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_carol(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        notes = list(app.notices)
        assert ("Created Carol Example (the earlier try had created it; its answer was lost, so nothing was sent "
                "twice).") in notes


async def test_a_lost_create_found_with_other_values_becomes_its_edit_form_keeping_what_was_typed(make_app, people):
    app, faulty = faulty_app(make_app, people)
    faulty.arm("dropped", method("POST"), times=1)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fill_carol(pilot, app)
        await focus_on(pilot, app, screen.query_one("#name", Input))
        await pilot.press(*" Jr")  # changed before retrying
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen and not screen.creating
        made = people.store.find_by_key(CAROL_KEY, None)
        assert screen.identity_id == made["id"]
        assert screen.query_one("#name", Input).value == "Carol Example Jr"
        assert screen.modified == {"name"}
        assert message(app).startswith(f"Nothing sent: identifier_key '{CAROL_KEY}' exists already")
        assert len(sent(people, "POST")) == 1
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert people.store.get(made["id"])["name"] == "Carol Example Jr"
        assert len(sent(people, "POST")) == 1


async def test_a_failed_lookup_sends_no_post(make_app, people):
    app, faulty = faulty_app(make_app, people)
    faulty.arm("timeout", method("POST"), times=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_carol(pilot, app)
        faulty.arm("503", lambda r: r.method == "GET" and "identifier_key" in r.url.params, times=1)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        no_crash(app)
        assert isinstance(app.screen, EditScreen) and app.screen.creating
        assert sent(people, "POST") == []
        assert "ctrl+s first looks up identifier_key" in message(app)


# -- delete: DELETE ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_failed_delete_says_why_and_a_404_on_the_retry_means_deleted(make_app, people, fault):
    app, faulty = faulty_app(make_app, people)
    faulty.arm(fault, method("DELETE"), times=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*ALICE["identifier_key"], "enter")
        await settle(pilot, app)
        no_crash(app)
        dialog = app.screen
        assert isinstance(dialog, DeleteScreen)
        text = str(dialog.query_one("#delete-message").render())
        assert text.startswith("Not deleted"), text
        if fault == "429":
            assert text == "Not deleted: The server is busy (429): try again in a moment."
        elif fault in DEFINITE:
            assert "may have been deleted" not in text and "Connection refused" in text, text
        else:
            assert "It may have been deleted all the same: enter tries again, and a 404 then means it is gone." in text
        assert dialog.query_one("#delete-key", Input).value == ALICE["identifier_key"]
        await pilot.press("enter")  # the fault has passed
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert people.store.get(ALICE_ID) is None
        notes = list(app.notices)
        if fault == "dropped":
            assert any(n.startswith("Alice Example is gone from the server (404)") for n in notes), notes
        else:
            assert "Deleted Alice Example." in notes
        assert ALICE_ID not in [i.id for i in app.screen.query_one(IdentityTable).identities]
        # The retry reads the identity first (for the journal's before-image): found gone, it sends no second DELETE.
        assert len(sent(people, "DELETE")) == 1


def test_every_fault_has_an_expected_sentence():
    assert set(WHY) == set(FAULTS)
