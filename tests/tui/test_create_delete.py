"""Creating (one POST, the new row selected) and deleting (key typed in full, one DELETE), by key presses."""

from __future__ import annotations

from textual.widgets import Input

from identity_tui.core.config import Connection
from identity_tui.tui.screens.confirm import DeleteScreen, ExistingKeyScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.edit_helpers import (
    ALICE_ID,
    ALICE_PATH,
    BOB_ID,
    focus_on,
    list_screen,
    message,
    open_alice,
    writes,
)
from tests.support.pilot import settle


async def test_create_sends_one_post_and_selects_the_new_row(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen) and screen.creating
        assert app.focused is screen.query_one("#name")
        assert str(screen.query_one("#identity-type").value) == "user"
        await pilot.press(*"Carol Example", "tab", *"carol@example.com")
        await pilot.press("ctrl+n", *"tier", "tab", "ctrl+t", "tab", *"3")  # a number property
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert writes(people) == [
            ("POST", "/v1/identities/", {
                "identifier_key": "carol@example.com",
                "name": "Carol Example",
                "identity_type": "user",
                "properties": [{"key": "tier", "value": 3, "type": "number"}],
            })
        ]
        assert isinstance(app.screen, ListScreen)
        new_id = people.store.find_by_key("carol@example.com", None)["id"]
        assert app.screen.query_one(IdentityTable).selected.id == new_id


async def test_create_with_an_empty_form_is_refused_and_says_why(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        screen = app.screen
        assert "Name is required" not in str(screen.query_one("#name-error").render())  # quiet until a save
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert writes(people) == []
        assert "Name is required" in str(screen.query_one("#name-error").render())
        assert "Identifier key is required" in str(screen.query_one("#identifier_key-error").render())
        assert message(app).startswith("Not saved: 2 problems.")


async def test_create_takes_the_project_from_the_connection(make_app, people, sandbox):
    conn = Connection(base_url="http://sandbox.invalid", sandbox=None, project_id="proj-support")
    app = make_app(conn=conn)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.screen.query_one("#project-id", Input).value == "proj-support"
        await pilot.press(*"Dan", "tab", *"dan")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert writes(people)[0][2]["project_id"] == "proj-support"


async def create_with_a_taken_key(pilot, app) -> None:
    """A new identity with Bob's key, saved through the preview: the server answers 409."""
    await settle(pilot, app)
    await pilot.press("n")
    await settle(pilot, app)
    await pilot.press(*"Another Bob", "tab", *"bob@example.com", "ctrl+s")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, app)


async def test_create_with_a_taken_key_keeps_the_form_and_says_409(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await create_with_a_taken_key(pilot, app)
        assert [m for m, _, _ in writes(people)] == ["POST"]
        offer = app.screen  # get-or-create: the identity holding the key is offered
        assert isinstance(offer, ExistingKeyScreen)
        assert "exists already" in " ".join(str(s.render()) for s in offer.query("Static"))
        await pilot.press("escape")  # stay: the form as typed, the 409 said
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        assert message(app).startswith("Not created: identifier_key 'bob@example.com' is already used")
        assert app.screen.query_one("#name", Input).value == "Another Bob"


async def test_create_with_a_taken_key_offers_to_open_the_one_that_holds_it(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await create_with_a_taken_key(pilot, app)
        assert isinstance(app.screen, ExistingKeyScreen)
        await pilot.press("o")  # open it, as it is
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen) and not screen.creating and screen.identity_id == BOB_ID
        assert screen.query_one("#identifier-key", Input).value == "bob@example.com"
        assert [m for m, _, _ in writes(people)] == ["POST"]  # nothing more was sent


async def test_create_with_a_taken_key_merges_what_was_typed_into_the_one_that_holds_it(make_app, people):
    alice = people.store.get(ALICE_ID)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press(*"Alice Again", "tab", *"alice@example.com")
        await pilot.press("ctrl+n", *"plan", "tab", "tab", *"gold")
        await pilot.press("ctrl+n", *"email", "tab", "tab", *"new@example.com")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")  # the create's preview: send
        await settle(pilot, app)
        offer = app.screen
        assert isinstance(offer, ExistingKeyScreen)
        said = " ".join(str(s.render()) for s in offer.query("Static"))
        assert "it would change Name, 'email', 'plan'" in said
        await pilot.press("m")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen) and not screen.creating and screen.identity_id == ALICE_ID
        values = screen.form.values()
        assert values.name == "Alice Again" and values.identifier_key == "alice@example.com"
        assert [(r.key, r.value) for r in values.rows] == [
            ("email", "new@example.com"), ("age", 42), ("verified", True),
            ("prefs", alice["properties"][3]["value"]), ("plan", "gold")]
        assert {"name", "properties.0.value", "properties.4"} <= screen.modified
        assert [m for m, _, _ in writes(people)] == ["POST"]  # nothing sent yet
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert [m for m, _, _ in writes(people)] == ["POST", "PATCH"]
        held = people.store.get(ALICE_ID)
        assert held["name"] == "Alice Again"
        assert [(p["key"], p["value"]) for p in held["properties"]] == [(k, v) for k, v in [
            ("email", "new@example.com"), ("age", 42), ("verified", True),
            ("prefs", alice["properties"][3]["value"]), ("plan", "gold")]]


async def test_delete_needs_the_key_typed_in_full(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DeleteScreen)
        text = " ".join(str(s.render()) for s in dialog.query("Static"))
        assert "Agents and memory blocks linked to it are not deleted" in text
        await pilot.press(*"alice@example.co", "enter")  # one letter short
        await settle(pilot, app)
        assert app.screen is dialog
        assert "not the identifier key" in str(dialog.query_one("#delete-message").render())
        assert writes(people) == []
        await pilot.press("m", "enter")
        await settle(pilot, app)
        assert writes(people) == [("DELETE", ALICE_PATH, None)]
        assert people.store.get(ALICE_ID) is None
        assert isinstance(app.screen, ListScreen)
        assert ALICE_ID not in [i.id for i in app.screen.query_one(IdentityTable).identities]


async def test_delete_cancelled_with_escape_sends_nothing(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"alice@example.com", "escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert writes(people) == []


async def test_delete_from_the_form_closes_it(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_on(pilot, app, screen.query_one("#add-property"))
        await pilot.press("ctrl+delete")
        await pilot.pause()
        assert isinstance(app.screen, DeleteScreen)
        await pilot.press(*"alice@example.com", "enter")
        await settle(pilot, app)
        assert writes(people) == [("DELETE", ALICE_PATH, None)]
        assert isinstance(app.screen, ListScreen)
        assert list_screen(app).table.selected.id == BOB_ID


async def test_readonly_list_has_no_create_or_delete(make_app, people):
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n", "d")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        app.new_identity()
        app.delete_identity(app.screen.query_one(IdentityTable).selected)
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert writes(people) == []
