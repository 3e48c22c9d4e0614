"""The form's writes are journaled like every other: one record each, with the identity before and after."""

from __future__ import annotations

from textual.widgets import Input

from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.full_disk import FullDisk, intent_line
from tests.support.journal_files import folded
from tests.support.edit_helpers import ALICE_ID, focus_on, message, open_alice
from tests.support.pilot import settle


def records() -> list[dict]:
    return folded()


async def save_name(pilot, app, suffix: str) -> None:
    screen = await open_alice(pilot, app)
    await focus_on(pilot, app, screen.query_one("#name", Input))
    await pilot.press(*suffix, "ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, PreviewScreen)
    await pilot.press("enter")
    await settle(pilot, app)


async def test_a_save_from_the_form_leaves_one_record(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await save_name(pilot, app, " Jr")
        assert message(app).startswith("Saved")
    (rec,) = records()
    assert (rec["operation"], rec["identity_id"], rec["source"], rec["outcome"]) == ("update", ALICE_ID, "app", "saved")
    assert rec["before"]["name"] == "Alice Example" and rec["after"]["name"] == "Alice Example Jr"
    assert [q["method"] for q in rec["requests"]] == ["PATCH"] and rec["requests"][0]["body"] == {
        "name": "Alice Example Jr"}


async def test_a_journal_that_cannot_be_written_is_said_and_the_save_still_happens(make_app, people, monkeypatch):
    FullDisk(monkeypatch).full(when=intent_line)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await save_name(pilot, app, " Sr")
        assert "The journal could not be written (No space left on device)" in message(app)
    assert people.store.get(ALICE_ID)["name"] == "Alice Example Sr"
    assert records() == []
