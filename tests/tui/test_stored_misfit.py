"""Values the server stores with a type they do not fit: shown as stored, and the obvious fix saves."""

from __future__ import annotations

import pytest

from tests.support.edit_helpers import focus_field, save_with_preview, writes
from tests.support.pilot import settle

ODD_ID = "identity-00000000-0000-4000-8000-0000000000ce"
ODD_PATH = f"/v1/identities/{ODD_ID}"


def odd(prop: dict) -> dict:
    return {"id": ODD_ID, "identifier_key": "odd", "name": "Odd", "identity_type": "other",
            "project_id": None, "properties": [prop]}


async def open_odd(pilot, app):
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    return app.screen


def error_line(screen) -> str:
    return screen.form.error_line(0)


@pytest.mark.parametrize("stored", ["yes", 1])
async def test_a_boolean_stored_as_something_else_toggled_back_to_false_saves_false(make_app, sandbox, stored):
    sandbox.store.insert(odd({"key": "flag", "value": stored, "type": "boolean"}))
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await open_odd(pilot, app)
        shown = '"yes"' if stored == "yes" else "1"
        assert f"stored: {shown} (not a boolean)" in error_line(screen)
        assert screen.modified == set()
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("space", "space")  # on, then off again: still a change
        await settle(pilot, app)
        assert "properties.0.value" in screen.modified
        assert error_line(screen) == ""
        await save_with_preview(pilot, app)
        assert writes(sandbox) == [
            ("PATCH", ODD_PATH, {"properties": [{"key": "flag", "value": False, "type": "boolean"}]})
        ]


async def test_a_string_holding_a_number_saves_as_text_once_typed_in(make_app, sandbox):
    sandbox.store.insert(odd({"key": "s", "value": 42, "type": "string"}))
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await open_odd(pilot, app)
        assert "stored: 42 (not text)" in error_line(screen)
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("backspace", "2")  # the same text, now typed: text
        await settle(pilot, app)
        assert error_line(screen) == ""
        assert "properties.0.value" in screen.modified
        await save_with_preview(pilot, app)
        assert writes(sandbox) == [
            ("PATCH", ODD_PATH, {"properties": [{"key": "s", "value": "42", "type": "string"}]})
        ]


async def test_a_number_stored_as_text_fixed_by_changing_the_type(make_app, sandbox):
    sandbox.store.insert(odd({"key": "n", "value": 42, "type": "string"}))
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await open_odd(pilot, app)
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("ctrl+t")  # string -> number: 42 fits
        await settle(pilot, app)
        assert error_line(screen) == ""
        await save_with_preview(pilot, app)
        assert writes(sandbox) == [
            ("PATCH", ODD_PATH, {"properties": [{"key": "n", "value": 42, "type": "number"}]})
        ]
