"""Hostile text pasted into each field of the form: a clear error and nothing sent, or sent and shown back exactly.

Control characters, NUL and escapes cannot be typed, so each text arrives the way a terminal delivers it:
as a bracketed paste (``events.Paste``) into the focused field, after real keys have moved there and
cleared it; saving is ctrl+s and enter. The expectations are the core table's (``tests.support.hostile``).
"""

from __future__ import annotations

import json

import pytest
from textual import events
from textual.widgets import Input

from identity_tui.core.form import read_text
from identity_tui.core.kinds import PropertyType
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.error import ErrorScreen
from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.hostile import ERRORS, TEXTS, nested
from tests.support.edit_helpers import ALICE_ID, focus_field, message, open_alice, writes
from tests.support.pilot import settle

PLAIN = ["empty", "whitespace", "10000-chars", "nul", "controls", "ansi", "rich-markup", "wide-combining",
         "right-to-left"]
# -0 and -0.0 apart: saved one after the other, the server would drop the second as equal to the first
# (Python's -0.0 == 0), and the form would say so; that quirk has its own test in test_edit.
NUMBERS = ["nan", "inf", "1e309", "-0", "0x10", "1_000", "2**53+1", "-0.0", "2**64-1", "2**64", "10000-digits"]
JSONS = [k for k in TEXTS if k.startswith("json-")]
INPUTS = {
    "name": PLAIN,
    "identifier_key": PLAIN,
    "property-key": PLAIN,
    "string": PLAIN + NUMBERS[:3],
    "number": PLAIN[:4] + NUMBERS,
    "json": PLAIN[:4] + ["rich-markup"] + JSONS,
}


# Where each kind of input is typed, by the form's field names.
FIELD = {
    "name": "name",
    "identifier_key": "identifier_key",
    "property-key": "properties.0.key",
    "string": "properties.0.value",
    "number": "properties.1.value",
    "json": "properties.3.value",
}


def widget_for(screen: EditScreen, field: str):
    """The widget showing ``field`` (for a row, the live editor once the cursor is on that row)."""
    return screen.form.widget_for(FIELD[field])


def stored_value(sandbox, field: str):
    held = sandbox.store.get(ALICE_ID)
    props = held["properties"]
    return {
        "name": lambda: held["name"],
        "identifier_key": lambda: held["identifier_key"],
        "property-key": lambda: props[0]["key"],
        "string": lambda: props[0]["value"],
        "number": lambda: props[1]["value"],
        "json": lambda: props[3]["value"],
    }[field]()


def typed(value) -> str:
    """Types spelt out, so that 0 and -0.0 or 1 and 1.0 never pass for each other."""
    return f"{type(value).__name__}:{value!r}"


async def paste_into(pilot, app, screen, field: str, text: str) -> None:
    """Move there by keys, clear it by keys, then paste ``text`` as a terminal would."""
    await focus_field(pilot, app, screen, FIELD[field])
    widget = app.focused
    if isinstance(widget, Input):
        await pilot.press("end", "ctrl+u")
    else:
        await pilot.press("f7", "delete")  # a TextArea: select all, delete
    app.post_message(events.Paste(text))
    await pilot.pause()


@pytest.mark.parametrize("field", list(INPUTS))
async def test_hostile_text_in_each_field_is_refused_clearly_or_saved_and_shown_exactly(make_app, people, field):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_alice(pilot, app)
        for name in INPUTS[field]:
            text = TEXTS[name]
            await paste_into(pilot, app, screen, field, text)
            before = len(writes(people))
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert not isinstance(app.screen, ErrorScreen), f"{name}: {app.screen.details}"
            words = ERRORS.get((field, name))
            if words is not None:
                assert app.screen is screen, f"{name}: {app.screen}"
                said = message(app)
                assert said.startswith("Not saved: "), f"{name}: {said}"
                assert words.lower() in said.lower(), f"{name}: {said}"
                assert "\x1b" not in said and "\x00" not in said
                assert len(writes(people)) == before, f"{name} was sent"
                continue
            assert isinstance(app.screen, PreviewScreen), f"{name}: {message(app)}"
            await pilot.press("enter")
            await settle(pilot, app)
            assert len(writes(people)) > before, f"{name} was not sent"
            assert message(app) == "Saved.", f"{name}: {message(app)}"
            held = stored_value(people, field)
            if field == "number":
                assert typed(held) == typed(read_text(PropertyType.NUMBER, text)), name
            elif field == "json":
                assert held == json.loads(text), name
            else:
                assert held == text, name
                assert widget_for(screen, field).value == text, name  # shown back exactly
            assert screen.modified == set(), name
        assert "Traceback" not in app.export_screenshot()


def test_every_field_is_tried_with_every_kind_of_input():
    tried = {name for names in INPUTS.values() for name in names}
    assert tried == set(TEXTS)


@pytest.mark.parametrize("levels", [300, 900])
async def test_a_value_nested_far_too_deep_is_shown_everywhere_and_refused_never_a_crash(make_app, sandbox, levels):
    """The server (or another tool) holds an object deeper than any parser likes: the list, the raw JSON, the
    details and the form all show it, and the form refuses to send it back."""
    deep_id = "identity-00000000-0000-4000-8000-00000000dee9"
    sandbox.store.insert({"id": deep_id, "identifier_key": "deep", "name": "Deep", "identity_type": "user",
                          "project_id": None, "properties": [{"key": "deep", "type": "json", "value": nested(levels)}]})
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for key in ("y", "escape", "i", "escape", "enter"):  # raw JSON, details, then the form
            await pilot.press(key)
            await settle(pilot, app)
            assert not isinstance(app.screen, ErrorScreen), app.screen.details
        screen = app.screen
        assert isinstance(screen, EditScreen) and screen.identity_id == deep_id
        error = screen.form.error_line(0)
        assert "nested more than 250 levels deep" in error
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert message(app).startswith("Not saved: 1 problem.")
        assert writes(sandbox) == []
        assert "Traceback" not in app.export_screenshot()
