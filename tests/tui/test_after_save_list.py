"""After a save the list shows what was saved (also through the conflict dialog), and a sentence about a
save does not stay under the form once the form changes again."""

from __future__ import annotations


from identity_tui.tui.screens.conflict import ConflictScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.edit_helpers import ALICE_ID, list_screen, message, open_alice
from tests.support.pilot import settle


def listed_name(app, identity_id: str) -> str:
    table = list_screen(app).table
    return next(i.name for i in table.identities if i.id == identity_id)


async def test_the_list_shows_the_name_saved_through_the_conflict_dialog(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" Jr")
        await app.client.update(ALICE_ID, {"name": "Someone Else"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("M", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen and message(app).startswith("Saved"), message(app)
        assert people.store.get(ALICE_ID)["name"] == "Alice Example Jr"
        assert listed_name(app, ALICE_ID) == "Alice Example Jr"
        await pilot.press("escape")
        await settle(pilot, app)
        assert listed_name(app, ALICE_ID) == "Alice Example Jr"


async def test_the_list_shows_their_name_taken_in_the_conflict_dialog(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" Jr")
        await app.client.update(ALICE_ID, {"name": "Someone Else"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("T", "enter")  # theirs for every row: nothing is left to send
        await settle(pilot, app)
        assert app.screen is screen
        assert listed_name(app, ALICE_ID) == "Someone Else"


async def test_a_save_sentence_goes_once_the_form_changes_again(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" Jr", "ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert message(app) == "Saved."
        await pilot.press("!")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen) and screen.modified == {"name"}
        assert "Saved" not in message(app), message(app)


async def test_a_failure_sentence_goes_once_the_form_changes_again(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("tab", "ctrl+u", *"bob@example.com", "ctrl+s")  # Bob's key
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "409" in message(app) or "already" in message(app), message(app)
        await pilot.press("x")
        await settle(pilot, app)
        assert screen.modified == {"identifier_key"}
        assert "409" not in message(app) and "already" not in message(app), message(app)
