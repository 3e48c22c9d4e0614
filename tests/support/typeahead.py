"""Typing slowly against typing ahead: the same keys, one at a time with the app idle in between, or posted all at
once as one read from a terminal hands them over; and what a person would see of the result."""

from __future__ import annotations

import unicodedata
from typing import Any

from textual import events
from textual.widgets import Input, Select, Switch, TextArea

from identity_tui.tui.widgets.edit_form import EditForm
from tests.support.pilot import settle

CHARACTERS = {"tab": "\t", "enter": "\r", "escape": "\x1b", "backspace": "\x7f", "space": " ", "slash": "/"}


def key_event(name: str) -> events.Key:
    """The key event a terminal driver makes of one key: ``a``, ``space``, ``tab``, ``ctrl+n``, ``shift+tab``…"""
    if len(name) == 1:
        if name == " ":
            return events.Key("space", " ")
        if name.isalnum():
            return events.Key(name, name)
        from identity_tui.tui.textual_private import character_to_key

        return events.Key(character_to_key(name), name)
    return events.Key(name, CHARACTERS.get(name))


async def slowly(pilot, app, keys: list[str]) -> None:
    for key in keys:
        await pilot.press(" " if key == " " else key if len(key) > 1 or key.isalnum() else key)
        await settle(pilot, app)


async def ahead(pilot, app, keys: list[str]) -> None:
    """Every key queued before the app handles any of them, as one read from the terminal."""
    for key in keys:
        app.post_message(key_event(key))
    await settle(pilot, app)


def seen(app) -> dict[str, Any]:
    """What the keys left: the screens, where the focus is, and every field's value on the top screen."""
    screen = app.screen
    chain = list(screen.focus_chain)
    focused = screen.focused
    found = screen.query(EditForm)
    form = found.first() if found else None
    return {
        "stack": [type(s).__name__ for s in app.screen_stack],
        "focus": (type(focused).__name__, chain.index(focused) if focused in chain else -1) if focused else None,
        "inputs": [w.value for w in screen.query(Input)],
        "texts": [w.text for w in screen.query(TextArea)],
        "selects": [str(w.value) for w in screen.query(Select)],
        "switches": [w.value for w in screen.query(Switch)],
        "identity": getattr(screen, "identity_id", None),
        # The form's rows are data drawn by a grid: what each holds, and which row and part has the focus.
        "rows": screen.form.texts().rows if form is not None else None,
        "row_focus": form.focus_path(focused) if form is not None else None,
    }


# -- a burst of terminal bytes (a paste, key repeat) ------------------------------------------------------

BACKSPACE = "\x7f"


def typed_slowly(text: str, burst: str) -> str:
    """What ``burst`` leaves after ``text`` with the cursor at its end, one key at a time."""
    for ch in burst:
        text = text[:-1] if ch == BACKSPACE else text + ch
    return text


def byte_event(ch: str) -> events.Key:
    """The key event the terminal driver makes of one byte of input."""
    if ch == BACKSPACE:
        return events.Key("backspace", ch)
    if ch == "\t":
        return events.Key("tab", ch)
    if ch == "\r":
        return events.Key("enter", ch)
    if ch == " ":
        return events.Key("space", ch)
    if ch.isalnum():
        return events.Key(ch, ch)
    return events.Key(unicodedata.name(ch).lower().replace(" ", "_").replace("-", "_"), ch)


async def burst(pilot, app, keys: str) -> None:
    """Queue every key before the app handles any, as a single read from the terminal does."""
    for ch in keys:
        app.post_message(byte_event(ch))
    await settle(pilot, app)
