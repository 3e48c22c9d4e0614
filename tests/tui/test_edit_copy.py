"""Copying from the edit form (ctrl+o the value, ctrl+g the key) through the terminal: what the app copied."""

from __future__ import annotations

import copy

from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.edit_helpers import focus_field, open_alice
from tests.support.pilot import settle


def said(app) -> str:
    return app.notices[-1] if app.notices else ""


async def test_ctrl_o_copies_the_focused_field_and_ctrl_g_the_cursor_rows_key(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "Alice Example"
        assert "Copied Name: Alice Example" in said(app)
        await pilot.press("tab", "ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "alice@example.com" and "Copied Identifier key" in said(app)
        await pilot.press("tab", "ctrl+o")  # the type list
        await settle(pilot, app)
        assert app.clipboard == "user"
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press("9", "ctrl+o")  # what is typed is copied, before the form has looked at it
        await settle(pilot, app)
        assert app.clipboard == "429" and "Copied the value of row 2 (age): 429" in said(app)
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert app.clipboard == "age" and "Copied the key of row 2: age" in said(app)
        await focus_field(pilot, app, screen, "properties.2.key")  # in the key, ctrl+o still copies the value
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "true"
        await focus_field(pilot, app, screen, "properties.3.value")
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == screen.form.live.json_editor.text
        assert '"theme": "dark"' in app.clipboard and "\n" in app.clipboard, "the JSON as its editor shows it"
        assert 'Copied the value of row 4 (prefs): { "theme": "dark"' in said(app), "said on one line"
        assert screen.form.values().rows[1].value == 429 and screen.modified == {
            "properties", "properties.1", "properties.1.value"}, "copying changed nothing"


async def test_copy_works_from_the_palette_and_on_a_button(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.0.key")
        screen.query_one("#save").focus()
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "alice@example.com", "outside a field: the cursor row's value"
        command = next(c for c in app.get_system_commands(screen) if c.title == "Copy key")
        command.callback()
        await settle(pilot, app)
        assert app.clipboard == "email"


async def test_a_row_scrolled_out_of_view_is_copied_from_the_model(make_app, sandbox):
    props = [{"key": f"k{i:03}", "value": f"value {i}", "type": "string"} for i in range(300)]
    identity = {"id": "identity-00000000-0000-4000-8000-00000000c0b1", "identifier_key": "copyme",
                "name": "Copy", "identity_type": "user", "project_id": None, "properties": props}
    sandbox.store.insert(identity)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.screen.query_one(IdentityTable).selected.id == identity["id"]
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, EditScreen)
        form = screen.form
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("end", "!")  # typed, then scrolled away with the mouse wheel
        await settle(pilot, app)
        form.grid.scroll_end(animate=False)
        await settle(pilot, app)
        assert not form.live.shown, "the cursor row is out of view"
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "value 0!"
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert app.clipboard == "k000"
        await pilot.press("ctrl+f", *"value 250", "escape", "ctrl+o")  # found far below: the row's own value
        await settle(pilot, app)
        assert form.grid.cursor == 250 and app.clipboard == "value 250"


async def test_control_characters_are_copied_as_escapes_and_a_secret_as_it_is(make_app, sandbox):
    hostile = {
        "id": "identity-00000000-0000-4000-8000-0000000c0de5",
        "identifier_key": "hostile",
        "name": "Hostile",
        "identity_type": "user",
        "project_id": None,
        "properties": [
            {"key": "k\x1b]52;c;cHduZWQ=\x07", "value": "a\x1b[201~rm -rf ~\r", "type": "string"},
            {"key": "api_token", "value": "sk-live-0123456789abcdef", "type": "string"},
        ],
    }
    sandbox.store.insert(copy.deepcopy(hostile))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "a\\x1b[201~rm -rf ~\\x0d"
        assert said(app) == "Copied the value of row 1 (k\\x1b]52;c;cHduZWQ=…): a\\x1b[201~rm -rf ~\\x0d " \
                            "(control characters as \\x escapes)"
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert app.clipboard == "k\\x1b]52;c;cHduZWQ=\\x07"
        await pilot.press("down", "ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "sk-live-0123456789abcdef", "a secret-looking value is copied as the form shows it"


async def test_copy_in_a_read_only_form(make_app, people):
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.key")
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        assert app.clipboard == "42"
