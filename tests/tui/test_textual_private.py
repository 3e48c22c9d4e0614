"""The guard for Textual's private names: each one identity-tui uses, named, and checked to do what the app relies
on. A Textual release that renames or changes one fails here, loudly, with the name in the test's name.

Also the assumptions the key gate (``tui/key_gate.py``) makes of Textual's public side: raw keys reach
``App.on_event`` unforwarded, a forwarded key is marked so, and ``call_later`` says when a node is closed.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import textual
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from identity_tui.tui import textual_private
from identity_tui.tui.textual_private import DrawnInput, character_to_key, normalize_key_list
from tests.support.screen_text import screen_lines

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"identity_tui/tui/textual_private.py"}


def test_textual_keys_normalize_key_list_spells_keys_as_bindings_do():
    assert normalize_key_list("ctrl+n, tab") == "ctrl+n,tab"
    assert normalize_key_list("question_mark,f1") == "question_mark,f1"


def test_textual_keys_character_to_key_names_punctuation():
    assert character_to_key("/") == "slash"
    assert character_to_key("?") == "question_mark"


def test_input_value_is_the_drawn_text_and_watch_value_runs_on_each_change():
    assert isinstance(Input.__dict__.get("_value"), property), "Input._value is no longer a property"
    assert callable(Input.__dict__.get("_watch_value")), "Input._watch_value is gone"

    seen: list[str] = []

    class Shown(DrawnInput):
        def drawn_text(self) -> Text | None:
            return Text("DRAWN-" + self.value)

        def value_changed(self, value: str) -> None:
            seen.append(value)

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Shown("a")

    async def run() -> None:
        app = One()
        async with app.run_test(size=(40, 3)) as pilot:
            field = app.query_one(Shown)
            field.value = "ab"
            field.cursor_position = 2
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
            assert any("DRAWN-abc" in line for line in screen_lines(app))

    asyncio.run(run())
    assert seen[-2:] == ["ab", "abc"]


def test_the_key_gates_assumptions_of_textual_hold():
    key = events.Key("a", "a")
    assert key.is_forwarded is False  # raw input: what the gate holds

    class Marks(App[None]):
        got: list[bool] = []

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                self.got.append(event.is_forwarded)
            await super().on_event(event)

    async def run() -> None:
        app = Marks()
        async with app.run_test() as pilot:
            await pilot.press("x")
            await pilot.pause()
            assert app.got and app.got[0] is False  # a raw key reaches App.on_event before it is routed
            assert app.message_queue_size >= 0
            assert app.call_later(lambda: None) is True

    asyncio.run(run())


def test_no_private_textual_name_is_used_outside_the_one_module():
    """Imports of a ``_name`` from textual, and overrides of Input's private methods, live in one module."""
    found = []
    for path in [*ROOT.glob("identity_tui/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel == "tests/tui/test_textual_private.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        methods = {id(f) for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for f in c.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual"):
                found += [f"{rel}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.FunctionDef) and id(node) in methods and node.name in (
                    "_watch_value", "_value", "_set_forwarded"):
                found.append(f"{rel}: def {node.name}")
            if isinstance(node, ast.Attribute) and node.attr in ("_set_forwarded", "_forward_event"):
                found.append(f"{rel}: .{node.attr}")
    assert found == [], found


def test_the_module_names_what_it_wraps():
    assert textual.__version__.startswith("8."), textual.__version__
    assert set(textual_private.__all__) == {"DrawnInput", "character_to_key", "normalize_key_list"}
