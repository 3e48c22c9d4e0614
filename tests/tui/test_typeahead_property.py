"""A property test: any script of keys over the list, the form and the dialogs ends the same typed ahead (every key
queued at once, as one read from a terminal hands them over) as typed slowly (one key at a time, the app idle in
between): the same screens, the same focus, the same values in every field.

It runs in CI with a fixed seed (``derandomize``) and ``TYPEAHEAD_EXAMPLES`` examples per start (25 by default);
locally, ``TYPEAHEAD_EXAMPLES=2000 python -m pytest tests/tui/test_typeahead_property.py -n 0`` tries many more,
and ``TYPEAHEAD_RANDOM=1`` draws new scripts each run.
"""

from __future__ import annotations

import asyncio
import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_tui.core.config import Config, Connection
from identity_tui.sandbox import Sandbox
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.timing import Timing
from tests.support.pilot import settle
from tests.support.typeahead import ahead, seen, slowly

EXAMPLES = int(os.environ.get("TYPEAHEAD_EXAMPLES", "25"))
RANDOM = os.environ.get("TYPEAHEAD_RANDOM") == "1"
# Nothing happens on a timer while a script runs (a debounce firing between two slow keys and not within a
# burst would be a difference of speed, not of order): drafts and filters wait far longer than any script.
STILL = Timing(draft_delay=3600, draft_max_wait=7200, filter_debounce=3600, loading_delay=3600)

ALICE = {"id": "identity-00000000-0000-4000-8000-00000000a11c", "identifier_key": "alice@example.com",
         "name": "Alice", "identity_type": "user", "project_id": None, "properties": [
             {"key": "email", "value": "a@example.com", "type": "string"},
             {"key": "seats", "value": 3, "type": "number"},
             {"key": "prefs", "value": {"a": 1}, "type": "json"}]}
BOB = {**copy.deepcopy(ALICE), "id": "identity-00000000-0000-4000-8000-000000000b0b",
       "identifier_key": "bob@example.com", "name": "Bob", "properties": []}

# The keys a person reaches for on each screen (q, ctrl+c and ctrl+q quit: left out).
LIST_KEYS = ["j", "k", "enter", "escape", "slash", "n", "f", "i", "a", "b", "backspace", "tab", "shift+tab"]
FORM_KEYS = ["a", "b", "1", "tab", "shift+tab", "ctrl+n", "ctrl+t", "ctrl+d", "backspace", "escape", "enter",
             "ctrl+f", "slash", "f3"]
FILTER_KEYS = ["a", "b", "tab", "shift+tab", "backspace", "enter", "escape", "down", "up"]

STARTS = {
    "list": st.lists(st.sampled_from(LIST_KEYS), min_size=1, max_size=10),
    "form": st.lists(st.sampled_from(FORM_KEYS), min_size=1, max_size=10),
    "filters": st.lists(st.sampled_from(FILTER_KEYS), min_size=1, max_size=10),
}


async def _run(start: str, keys: list[str], typing) -> dict:
    state = tempfile.mkdtemp(prefix="typeahead-")
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = state  # drafts of one run never reach the next
    sandbox = Sandbox(path=":memory:")
    sandbox.store.insert(copy.deepcopy(BOB))
    sandbox.store.insert(copy.deepcopy(ALICE))
    conn = Connection(base_url="http://sandbox.invalid", sandbox=Path("sandbox.sqlite3"))
    app = IdentityApp(conn, Config(), sandbox=sandbox, cursor_blink=False, timing=STILL)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            if start == "form":
                await pilot.press("enter")
                await settle(pilot, app)
                assert isinstance(app.screen, EditScreen)
            elif start == "filters":
                await pilot.press("f")
                await settle(pilot, app)
            await typing(pilot, app, keys)
            result = seen(app)
            result["writes"] = [(r.method, r.path) for r in sandbox.request_log if r.method != "GET"]
        return result
    finally:
        app.stop_key_gate()
        sandbox.close()
        shutil.rmtree(state, ignore_errors=True)
        if old is None:
            os.environ.pop("XDG_STATE_HOME", None)
        else:
            os.environ["XDG_STATE_HOME"] = old


def _compare(start: str, keys: list[str]) -> None:
    slow = asyncio.run(_run(start, keys, slowly))
    burst = asyncio.run(_run(start, keys, ahead))
    assert burst == slow, f"{start}: {keys}"


@pytest.mark.parametrize("start", list(STARTS))
def test_any_script_typed_ahead_ends_as_typed_slowly(start, monkeypatch):
    monkeypatch.delenv("TEXTUAL", raising=False)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(keys=STARTS[start])
    def check(keys: list[str]) -> None:
        _compare(start, keys)

    check()


# Scripts the property test once found different typed ahead: ctrl+t swaps a row's value editor for one of
# another type (as many widgets as before), and a tab right after it skipped the new editor. Whether a burst
# met the swap half-done depended on the machine's timing, so each runs a few times.
FOUND = [
    ["ctrl+n", "tab", "ctrl+t", "tab"],
    ["ctrl+n", "ctrl+t", "tab", "ctrl+t", "tab"],
    ["1", "ctrl+t", "ctrl+d", "ctrl+t", "ctrl+n", "ctrl+t", "ctrl+t", "tab", "ctrl+t", "tab"],
]


@pytest.mark.parametrize("keys", FOUND, ids=["add-type-tab", "add-type-tab-type-tab", "long"])
def test_a_tab_after_a_type_change_lands_on_the_new_editor_typed_ahead(keys, monkeypatch):
    monkeypatch.delenv("TEXTUAL", raising=False)
    for _ in range(4):
        _compare("form", keys)


def test_enter_after_esc_closed_the_dialog_a_button_opened_opens_it_again_typed_ahead(monkeypatch):
    """Found by the property test: on the form, shift+tab reaches Delete…, enter opens its dialog, esc closes
    it and enter opens it again. Typed ahead, that second enter came within the button's press effect of the
    first (0.2 s) and Textual's button ignored it; how often depended on the machine's speed (half the runs
    here), so it runs several times."""
    monkeypatch.delenv("TEXTUAL", raising=False)
    for _ in range(6):
        _compare("filters", ["enter", "b", "enter", "shift+tab", "enter", "escape", "enter", "a", "tab", "down"])
