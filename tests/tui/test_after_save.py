"""After every outcome of a save, the focus is where it was: typing goes on into the field, and no single
letter deletes a row, deletes the identity or quits."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Switch, TextArea

from identity_tui.core.config import Config

from identity_tui.tui.screens.confirm import DeleteScreen
from identity_tui.tui.screens.conflict import ConflictScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.faults import FaultyTransport, method
from tests.support.edit_helpers import focus_field, message, open_alice
from tests.support.pilot import settle

STRAY = "axdqtJKe"


def row_count(screen) -> int:
    return len(screen.form.values().rows)


async def type_stray_letters(pilot, app, screen, field: str = "name") -> None:
    """Type ``STRAY`` and check it went into ``field`` (a form field name) and nowhere else."""
    rows = row_count(screen)
    for letter in STRAY:
        await pilot.press(letter)
    await settle(pilot, app)
    assert app.is_running
    assert app.screen is screen, app.screen
    assert row_count(screen) == rows
    assert screen.form.focus_path(app.focused) == field, app.focused
    assert app.focused.value.endswith(STRAY), app.focused.value


@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize("where", ["name", "value"])
async def test_after_a_save_typing_goes_on_into_the_field(make_app, people, preview, where):
    app = make_app(config=Config(preview_saves=preview))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        field = "name"
        if where == "value":
            field = "properties.0.value"  # the email
            await focus_field(pilot, app, screen, field)
        await pilot.press("end", "space", "X")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        if preview:
            assert isinstance(app.screen, PreviewScreen)
            await pilot.press("enter")
            await settle(pilot, app)
        assert message(app).startswith("Saved"), message(app)
        await type_stray_letters(pilot, app, screen, field)


async def test_after_a_cancelled_preview_typing_goes_on_into_the_field(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("space", "X", "ctrl+s")
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert message(app).startswith("Not sent"), message(app)
        await type_stray_letters(pilot, app, screen)


async def test_after_a_failed_save_typing_goes_on_into_the_field(make_app, people):
    faulty = FaultyTransport(people.transport())
    app = make_app()
    app.transport = faulty  # the sandbox backend takes this transport instead of its own
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        faulty.arm("429", method("PATCH"))
        await pilot.press("space", "X", "ctrl+s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "429" in message(app), message(app)
        await type_stray_letters(pilot, app, screen)


async def test_after_the_conflict_dialog_typing_goes_on_into_the_field(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("space", "X")
        identity = await app.client.get(screen.identity_id)
        await app.client.update(identity.id, {"name": "Someone Else"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("M", "enter")
        await settle(pilot, app)
        if isinstance(app.screen, PreviewScreen):
            await pilot.press("enter")
            await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        assert message(app).startswith("Saved"), message(app)
        await type_stray_letters(pilot, app, screen)


async def test_no_letter_changes_rows_deletes_or_quits_outside_text_fields(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        for target in ("properties.2.value", "#add-property"):  # a switch, then a button
            await focus_field(pilot, app, screen, target)
            for letter in STRAY:
                await pilot.press(letter)
                await settle(pilot, app)
                assert app.is_running
                assert app.screen is screen, (letter, app.screen)
            assert [r.key for r in screen.form.values().rows] == ["email", "age", "verified", "prefs"]
        assert screen.modified == set()


async def test_the_row_and_identity_keys_work_without_letters(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.2.value")
        assert isinstance(app.focused, Switch)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert row_count(screen) == 5
        await pilot.press("ctrl+delete")
        await settle(pilot, app)
        assert isinstance(app.screen, DeleteScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen


async def test_ctrl_z_never_reverts_the_form_and_the_help_says_what_it_is(make_app, people):
    from identity_tui.tui.screens.help import collect

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" Jr", "ctrl+z")
        await settle(pilot, app)
        assert app.screen is screen
        assert screen.query_one("#name", Input).value == "Alice Example Jr"
        assert "ctrl+r" in message(app), message(app)
        rows = {binding_id: (keys, text) for keys, text, binding_id in collect(screen)}
        assert "undo" in rows["edit.undo"][1].lower() and "ctrl+r" in rows["edit.undo"][1]
        assert "revert" in rows["edit.revert"][1].lower()


async def test_ctrl_z_in_a_json_value_is_its_undo(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.3.value")
        editor = app.focused
        assert isinstance(editor, TextArea)
        before = editor.text
        await pilot.press("end", "x")
        await settle(pilot, app)
        assert editor.text != before
        assert screen.form.row_view(3).text != before
        await pilot.press("ctrl+z")
        await settle(pilot, app)
        assert editor.text == before
        assert screen.form.row_view(3).text == before
        assert app.screen is screen and "ctrl+r" not in message(app)


async def test_after_the_conflict_dialog_is_dismissed_typing_goes_on_into_the_field(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("space", "X")
        await app.client.update(screen.identity_id, {"name": "Someone Else"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert message(app).startswith("Not sent"), message(app)
        await type_stray_letters(pilot, app, screen)
