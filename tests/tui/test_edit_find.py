"""Find in the edit form's properties (ctrl+f, / outside a text field, F3): driven by keys on the real app."""

from __future__ import annotations

import copy
import time

from textual.widgets import Input

from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.edit_helpers import focus_field, open_alice
from tests.support.pilot import settle

FRUIT_ID = "identity-00000000-0000-4000-8000-0000000f4017"
FRUIT = {
    "id": FRUIT_ID,
    "identifier_key": "fruit",
    "name": "Fruit",
    "identity_type": "org",
    "project_id": None,
    "properties": [
        {"key": "banana", "value": "yellow", "type": "string"},
        {"key": "apple", "value": "x", "type": "string"},
        {"key": "k2", "value": "pineapple", "type": "string"},
        {"key": "k3", "value": "APPLE pie", "type": "string"},
        {"key": "ripe", "value": True, "type": "boolean"},
    ],
}
MANY_ID = "identity-00000000-0000-4000-8000-0000000010ad"
NEEDLE_AT = 7345


def many(n: int) -> dict:
    props = [{"key": f"p{i:05}", "value": f"v{i}", "type": "string"} for i in range(n)]
    props[NEEDLE_AT]["value"] = "a Needle here"
    props[NEEDLE_AT + 1500]["key"] = "needle-key"
    return {"id": MANY_ID, "identifier_key": "many", "name": "Many", "identity_type": "user",
            "project_id": None, "properties": props}


async def open_first(pilot, app, identity_id: str) -> EditScreen:
    await settle(pilot, app)
    assert app.screen.query_one(IdentityTable).selected.id == identity_id
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, EditScreen)
    return app.screen


def status(screen) -> str:
    return str(screen.form.find_bar.status.render())


def find_input(screen) -> Input:
    return screen.form.find_bar.input


async def test_find_in_ten_thousand_properties_lands_on_the_row_and_esc_leaves_the_keyboard_there(make_app, sandbox):
    sandbox.store.insert(many(10_000))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app, MANY_ID)
        form = screen.form
        await pilot.press("ctrl+f")
        await settle(pilot, app)
        assert form.find_bar.is_open and app.focused is find_input(screen)
        started = time.perf_counter()
        await pilot.press(*"NEEDLE")
        await settle(pilot, app)
        took = time.perf_counter() - started
        assert form.grid.cursor == NEEDLE_AT
        assert form.live.row_id == form.model.view(NEEDLE_AT).row_id, "the live row holds the row found"
        assert form.live.shown, "and stands over it, on screen"
        assert status(screen) == "1 of 2"
        assert took < 10, took  # six looks over 10,000 rows' texts; a look over widgets would take minutes
        await pilot.press("enter")
        await settle(pilot, app)
        assert form.grid.cursor == NEEDLE_AT + 1500 and status(screen) == "2 of 2"
        await pilot.press("escape")
        await settle(pilot, app)
        assert not form.find_bar.is_open
        assert form.focus_path(app.focused) == f"properties.{NEEDLE_AT + 1500}.key", "found in the key"
        assert isinstance(app.screen, EditScreen), "esc closed the bar, not the form"
        assert screen.modified == set()


async def test_next_previous_wrap_and_count(make_app, sandbox):
    sandbox.store.insert(copy.deepcopy(FRUIT))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first(pilot, app, FRUIT_ID)
        grid = screen.form.grid
        await pilot.press("ctrl+f", *"apple")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (1, "1 of 3")
        assert grid.search == "apple", "the rows highlight the text while the bar is open"
        await pilot.press("enter")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (2, "2 of 3")
        await pilot.press("f3")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (3, "3 of 3")
        await pilot.press("enter")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (1, "1 of 3 · no more matches, from the top")
        await pilot.press("shift+f3")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (3, "3 of 3 · no more matches, from the bottom")
        await pilot.press("up")  # in the bar, up and down step too
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (2, "2 of 3")
        await pilot.press("down")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (3, "3 of 3")
        await pilot.press("f15")  # shift+F3 as xterm-style terminals send it
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (2, "2 of 3")
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("backspace")  # "appl": looked up again from the row the find started on
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (1, "1 of 3")
        await pilot.press(*"zz")
        await settle(pilot, app)
        assert (grid.cursor, status(screen)) == (1, "no match"), "the cursor stays where it was"
        await pilot.press("escape")
        await settle(pilot, app)
        assert grid.search == ""
        # F3 with the bar closed opens it again on the same text and moves on.
        await pilot.press("ctrl+f")
        await settle(pilot, app)
        assert find_input(screen).value == "applzz" and find_input(screen).selected_text == "applzz"
        await pilot.press(*"pie", "escape")
        await settle(pilot, app)
        assert screen.form.focus_path(app.focused) == "properties.3.value", "found in the value"
        await pilot.press("f3")
        await settle(pilot, app)
        assert screen.form.find_bar.is_open and (grid.cursor, status(screen)) == (3, "1 of 1 · no more matches, from the top")


async def test_esc_leaves_the_keyboard_on_the_value_found_and_typing_goes_into_it(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("ctrl+f", *"42", "escape")
        await settle(pilot, app)
        assert screen.form.focus_path(app.focused) == "properties.1.value"
        await pilot.press("1")
        await settle(pilot, app)
        assert screen.form.values().rows[1].value == 421
        assert screen.modified == {"properties", "properties.1", "properties.1.value"}


async def test_slash_types_in_a_text_field_and_opens_find_elsewhere(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("/")
        await settle(pilot, app)
        assert screen.query_one("#name", Input).value == "Alice Example/"
        assert not screen.form.find_bar.is_open
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("/")
        await settle(pilot, app)
        assert screen.form.values().rows[0].value == "alice@example.com/"
        assert not screen.form.find_bar.is_open
        await focus_field(pilot, app, screen, "properties.2.value")  # the boolean's switch: not a text field
        await pilot.press("/")
        await settle(pilot, app)
        assert screen.form.find_bar.is_open and app.focused is find_input(screen)
        await pilot.press("/")  # in the find bar / is a character to find
        await settle(pilot, app)
        assert find_input(screen).value == "/"
        await pilot.press("backspace", "escape")
        await settle(pilot, app)
        assert screen.form.focus_path(app.focused) == "properties.2.value", "nothing found: back where it was"


async def test_typing_in_the_find_bar_never_changes_the_form(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        form = screen.form
        before = form.texts()
        title = str(screen.query_one("#edit-title").render())
        await pilot.press("ctrl+f", *"theme", "backspace", "ctrl+u", *"x y", "enter", "f3", "shift+f3", *"!\\")
        await settle(pilot, app)
        assert form.texts() == before
        assert screen.modified == set() and str(screen.query_one("#edit-title").render()) == title
        await pilot.press("escape")
        await settle(pilot, app)
        assert form.texts() == before and screen.modified == set()


async def test_find_is_in_help_the_palette_and_the_key_hint(make_app, people):
    from identity_tui.tui.screens.help import collect

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        names = [c.title for c in app.get_system_commands(screen)]
        assert {"Find in properties", "Copy value", "Copy key"} <= set(names)
        ids = {binding_id for _, _, binding_id in collect(screen)}
        assert {"edit.find", "edit.find_slash", "edit.find_next", "edit.find_previous", "find.close",
                "edit.copy_value", "edit.copy_key"} <= ids
        assert "ctrl+f find" in str(screen.query_one("#props-hint").render())
        command = next(c for c in app.get_system_commands(screen) if c.title == "Find in properties")
        command.callback()
        await settle(pilot, app)
        assert screen.form.find_bar.is_open and app.focused is find_input(screen)
