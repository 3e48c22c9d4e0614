"""A save to a server that stops answering can be given up with esc (or ctrl+q, which then asks): the form
keeps its edits, the line says the save may or may not have landed, and the next ctrl+s finds out first:
a PATCH/PUT re-reads the identity, a create looks its key up before posting."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from identity_tui.core.config import Config
from identity_tui.tui.screens.confirm import LeaveScreen
from identity_tui.tui.screens.edit import EditScreen
from tests.support.faults import FaultyTransport, method, path_is
from tests.support.edit_helpers import ALICE_PATH, message, open_alice
from tests.support.pilot import settle

CAROL_KEY = "carol@example.com"


def hanging_app(make_app, sandbox):
    faulty = FaultyTransport(sandbox.transport())
    app = make_app(config=Config(preview_saves=False))
    app.transport = faulty  # the sandbox backend takes this transport instead of its own
    return app, faulty


def requests(sandbox) -> list[tuple[str, str, str | None]]:
    """What reached the server as (method, path, identifier_key asked for), leaving out the list's reloads."""
    return [(r.method, r.path, r.query.get("identifier_key")) for r in sandbox.request_log
            if not (r.method == "GET" and r.path in ("/v1/identities/", "/v1/identities/count")
                    and "identifier_key" not in r.query)]


async def settled(pilot, app) -> None:
    """``settle``, bounded: a worker still waiting on the hung request fails the test instead of hanging it."""
    await asyncio.wait_for(settle(pilot, app), timeout=10)


async def until_hanging(pilot, faulty) -> None:
    await asyncio.wait_for(faulty.hanging.wait(), timeout=10)
    await pilot.pause()


async def save_that_hangs(pilot, app, faulty, fault: str, match) -> EditScreen:
    """Alice's form, " Jr" typed, ctrl+s, and the request ``match`` picks hanging (``fault``: hang or hang_after)."""
    screen = await open_alice(pilot, app)
    await pilot.press(*" Jr")
    faulty.arm(fault, match, times=1)
    await pilot.press("ctrl+s")
    await until_hanging(pilot, faulty)
    return screen


def cancelled_state(app, screen, name: str, focused: str = "#name") -> None:
    assert app.screen is screen
    assert not screen.busy
    assert not screen.form.disabled
    assert screen.query_one("#name", Input).value == name
    assert app.focused is screen.query_one(focused, Input)  # back where it was: typing goes on
    line = message(app)
    assert "cancelled" in line.lower() and "may or may not" in line, line


@pytest.mark.parametrize("landed", [False, True], ids=["lost-on-the-way", "landed"])
async def test_esc_gives_up_a_save_and_the_next_save_reads_first(make_app, people, landed):
    app, faulty = hanging_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await save_that_hangs(pilot, app, faulty, "hang_after" if landed else "hang", method("PATCH"))
        assert screen.busy
        assert message(app) == "Saving… (PATCH)  esc stops waiting", message(app)
        await pilot.press("escape")
        await settled(pilot, app)
        cancelled_state(app, screen, "Alice Example Jr")
        assert screen.modified == {"name"}
        people.clear_log()
        await pilot.press("ctrl+s")
        await settled(pilot, app)
        if landed:
            assert requests(people) == [("GET", ALICE_PATH, None)]
            assert "landed after all" in message(app), message(app)
        else:
            assert requests(people) == [("GET", ALICE_PATH, None), ("PATCH", ALICE_PATH, None)]
            assert message(app) == "Saved.", message(app)
        assert people.store.get(screen.identity_id)["name"] == "Alice Example Jr"
        assert screen.modified == set()
        assert app.focused is screen.query_one("#name", Input)


async def test_esc_gives_up_the_read_before_a_save(make_app, people):
    app, faulty = hanging_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await save_that_hangs(pilot, app, faulty, "hang", path_is(ALICE_PATH))
        assert message(app).endswith("esc stops waiting"), message(app)
        await pilot.press("escape")
        await settled(pilot, app)
        assert not screen.busy and app.screen is screen
        assert screen.query_one("#name", Input).value == "Alice Example Jr"
        assert "Cancelled" in message(app) and "nothing was sent" in message(app), message(app)
        await pilot.press("ctrl+s")
        await settled(pilot, app)
        assert people.store.get(screen.identity_id)["name"] == "Alice Example Jr"


async def test_esc_gives_up_a_create_and_the_next_save_looks_the_key_up_first(make_app, people):
    app, faulty = hanging_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot, app)
        await pilot.press("n")
        await settled(pilot, app)
        screen = app.screen
        await pilot.press(*"Carol Example", "tab", *CAROL_KEY)
        faulty.arm("hang", method("POST"), times=1)
        await pilot.press("ctrl+s")
        await until_hanging(pilot, faulty)
        await pilot.press("escape")
        await settled(pilot, app)
        cancelled_state(app, screen, "Carol Example", "#identifier-key")
        assert CAROL_KEY in message(app)
        people.clear_log()
        await pilot.press("ctrl+s")
        await settled(pilot, app)
        assert requests(people) == [("GET", "/v1/identities/", CAROL_KEY), ("POST", "/v1/identities/", None)]
        assert [i["name"] for i in people.store.list(identifier_key=CAROL_KEY)] == ["Carol Example"]


async def test_a_create_given_up_that_landed_is_not_posted_again(make_app, people):
    app, faulty = hanging_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press(*"Carol Example", "tab", *CAROL_KEY)
        faulty.arm("hang_after", method("POST"), times=1)
        await pilot.press("ctrl+s")
        await until_hanging(pilot, faulty)
        await pilot.press("escape")
        await settled(pilot, app)
        people.clear_log()
        await pilot.press("ctrl+s")
        await settled(pilot, app)
        assert requests(people) == [("GET", "/v1/identities/", CAROL_KEY)]
        assert len([i for i in people.store.list(identifier_key=CAROL_KEY)]) == 1


async def test_ctrl_q_while_saving_cancels_and_asks(make_app, people):
    app, faulty = hanging_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await save_that_hangs(pilot, app, faulty, "hang", method("PATCH"))
        await pilot.press("ctrl+q")
        await settled(pilot, app)
        assert isinstance(app.screen, LeaveScreen)
        assert not screen.busy
        await pilot.press("escape")  # stay
        await settled(pilot, app)
        cancelled_state(app, screen, "Alice Example Jr")
        assert isinstance(app.screen, EditScreen)


async def test_a_save_given_up_with_esc_that_landed_later_is_in_the_journal_with_its_before(make_app, people):
    """esc while the PATCH waits; the server had acted: the journal keeps the old value, so it can be put back."""
    from identity_tui.core.journal import UNKNOWN

    app, faulty = hanging_app(make_app, people)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_that_hangs(pilot, app, faulty, "hang_after", method("PATCH"))
        await pilot.press("escape")
        await settled(pilot, app)
        faulty.arm(None)
        (rec,) = list(app.client.journal.records())
        assert rec.status == UNKNOWN and rec.before["name"] == "Alice Example"
        assert [r["body"] for r in rec.requests] == [{"name": "Alice Example Jr"}]
    assert people.store.get(rec.identity_id)["name"] == "Alice Example Jr"
