"""Keys that arrive all at once (key repeat, an unbracketed paste over SSH) are applied in the order typed.

The driver queues a whole burst before any of it is handled; these tests post the keys the same way, with
no pause between them, and compare with what slow typing gives.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from identity_tui.tui.widgets.value_editors import JsonValueEditor, TextValueEditor
from tests.support.edit_helpers import focus_on, open_alice
from tests.support.typeahead import BACKSPACE, burst, typed_slowly

# The burst from the issue: a value typed, 16 backspaces, the rest typed, with no pause anywhere.
BURST = '{"y": 12345678901234567890123}}}' + BACKSPACE * 16 + '1.5e3}}, "b2": 9007199254740993}'


def test_typed_slowly_is_the_expected_text():
    assert typed_slowly("", BURST) == '{"y": 12345678901.5e3}}, "b2": 9007199254740993}'


async def test_a_burst_in_a_json_value_lands_in_order(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        editor = screen.form.rows[3].editor
        assert isinstance(editor, JsonValueEditor)
        await focus_on(pilot, app, editor)
        editor.clear()
        await burst(pilot, app, BURST)
        assert editor.text == typed_slowly("", BURST)


@pytest.mark.parametrize("where", ["name", "identifier_key", "string value", "number value", "property key"])
async def test_a_burst_in_a_one_line_field_lands_in_order(make_app, people, where):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        rows = screen.form.rows
        field = {
            "name": lambda: screen.query_one("#name", Input),
            "identifier_key": lambda: screen.query_one("#identifier-key", Input),
            "string value": lambda: rows[0].editor,
            "number value": lambda: rows[1].editor,
            "property key": lambda: rows[0].key_input,
        }[where]()
        if where.endswith("value"):
            assert isinstance(field, TextValueEditor)
        await focus_on(pilot, app, field)
        field.action_end()
        before = field.value
        await burst(pilot, app, BURST)
        assert field.value == typed_slowly(before, BURST)


async def test_a_property_typed_key_tab_tab_value_in_one_burst_passes_the_type_select(make_app, people):
    """The property key, its type (a select) and its value, filled in by one burst: key, two tabs, value."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        row = screen.form.rows[0]
        assert isinstance(row.editor, TextValueEditor)  # a string row: key, type select, one-line value
        await focus_on(pilot, app, row.key_input)
        row.key_input.value = ""
        row.editor.value = ""
        await burst(pilot, app, "plan\t\tpro")
        assert row.key_input.value == "plan"
        assert row.editor.value == "pro"
        assert screen.focused is row.editor


async def test_a_burst_that_reaches_a_type_select_first_goes_on_in_order(make_app, people):
    """Keys after a tab can reach a select straight from the terminal (a burst read in pieces): its tab
    moves the focus on at once and the keys after it land in the next box, in order."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        row = screen.form.rows[0]  # email: its type, then its value
        await focus_on(pilot, app, row.query_one(".prop-type"))
        row.editor.value = ""
        await burst(pilot, app, "\tab" + BACKSPACE + "cd")
        assert screen.focused is row.editor
        assert row.editor.value == "acd"
