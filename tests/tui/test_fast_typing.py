"""Keys that arrive all at once (key repeat, an unbracketed paste over SSH) are applied in the order typed.

The driver queues a whole burst before any of it is handled; these tests post the keys the same way, with
no pause between them, and compare with what slow typing gives.
"""

from __future__ import annotations

import pytest

from identity_tui.tui.widgets.value_editors import JsonValueEditor, TextValueEditor
from tests.support.edit_helpers import focus_field, open_alice
from tests.support.typeahead import BACKSPACE, burst, typed_slowly

# The burst from the issue: a value typed, 16 backspaces, the rest typed, with no pause anywhere.
BURST = '{"y": 12345678901234567890123}}}' + BACKSPACE * 16 + '1.5e3}}, "b2": 9007199254740993}'


def test_typed_slowly_is_the_expected_text():
    assert typed_slowly("", BURST) == '{"y": 12345678901.5e3}}, "b2": 9007199254740993}'


async def test_a_burst_in_a_json_value_lands_in_order(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.3.value")
        editor = app.focused
        assert isinstance(editor, JsonValueEditor)
        editor.clear()
        await burst(pilot, app, BURST)
        assert editor.text == typed_slowly("", BURST)


@pytest.mark.parametrize("where", ["name", "identifier_key", "string value", "number value", "property key"])
async def test_a_burst_in_a_one_line_field_lands_in_order(make_app, people, where):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        name = {
            "name": "name",
            "identifier_key": "identifier_key",
            "string value": "properties.0.value",
            "number value": "properties.1.value",
            "property key": "properties.0.key",
        }[where]
        await focus_field(pilot, app, screen, name)
        field = app.focused
        if where.endswith("value"):
            assert isinstance(field, TextValueEditor)
        field.action_end()
        before = field.value
        await burst(pilot, app, BURST)
        assert field.value == typed_slowly(before, BURST)


async def test_a_property_typed_key_tab_tab_value_in_one_burst_passes_the_type_select(make_app, people):
    """The property key, its type (a select) and its value, filled in by one burst: key, two tabs, value."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        form = screen.form
        assert isinstance(form.widget_for("properties.0.value"), TextValueEditor)  # a string row: key, type
        await focus_field(pilot, app, screen, "properties.0.key")  # select, one-line value
        form.widget_for("properties.0.key").value = ""
        form.widget_for("properties.0.value").value = ""
        await burst(pilot, app, "plan\t\tpro")
        assert form.values().rows[0].key == "plan"
        assert form.values().rows[0].value == "pro"
        assert form.focus_path(screen.focused) == "properties.0.value"


async def test_a_burst_that_reaches_a_type_select_first_goes_on_in_order(make_app, people):
    """Keys after a tab can reach a select straight from the terminal (a burst read in pieces): its tab
    moves the focus on at once and the keys after it land in the next box, in order."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        form = screen.form
        await focus_field(pilot, app, screen, "properties.0.type")  # email: its type, then its value
        form.widget_for("properties.0.value").value = ""
        await burst(pilot, app, "\tab" + BACKSPACE + "cd")
        assert form.focus_path(screen.focused) == "properties.0.value"
        assert form.values().rows[0].value == "acd"
