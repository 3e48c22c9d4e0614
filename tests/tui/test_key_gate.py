"""Keys typed ahead end exactly as the same keys typed slowly: the cases as they were found, each a burst
against slow typing on a fresh app."""

from __future__ import annotations

import pytest

from identity_tui.tui.screens.edit import EditScreen
from tests.support.typeahead import ahead, seen, slowly
from tests.support.edit_helpers import ALICE_ID, open_alice
from tests.support.pilot import settle


def chars(text: str) -> list[str]:
    return [" " if c == " " else c for c in text]


# (where the keys start, the keys)
CASES = {
    # 1. A burst renamed a property: the new row got the key and the value went into an old key.
    "form: ctrl+n, a key, two tabs, a value": ("form", ["ctrl+n", *chars("newk"), "tab", "tab", *chars("newv")]),
    "new form: name, key, two rows": ("new", [*chars("Burst Name"), "tab", *chars("burst-key-1"), "ctrl+n",
                                              *chars("alpha"), "tab", "tab", *chars("one"), "ctrl+n",
                                              *chars("beta"), "tab", "tab", *chars("two")]),
    # 2. Keys went to the screen underneath.
    "list: enter k j j": ("list", ["enter", "k", "j", "j"]),
    "list: enter end": ("list", ["enter", "end"]),
    "list: / then a filter": ("list", ["slash", *chars("Filt 012")]),
    "list: n then a name": ("list", ["n", *chars("QuickName")]),
    # 3. ctrl+t three times on a new row: no press dropped.
    "form: ctrl+n, ctrl+t three times": ("form", ["ctrl+n", *chars("k"), "ctrl+t", "ctrl+t", "ctrl+t"]),
    # 5. Keys after a dialog-closing enter.
    "list: filters dialog, enter, then keys": ("list", ["f", *chars("alice"), "enter", "j", "k"]),
}


async def _start(pilot, app, where: str) -> None:
    await settle(pilot, app)
    if where == "form":
        screen = await open_alice(pilot, app)
        assert isinstance(screen, EditScreen)
    elif where == "new":
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)


@pytest.mark.parametrize("case", list(CASES))
async def test_a_burst_ends_as_the_same_keys_typed_slowly(make_app, people, sandbox, case, monkeypatch, tmp_path):
    where, keys = CASES[case]
    results = []
    for typing in (slowly, ahead):
        # Each run from the same start: its own drafts folder (a draft of the first would be offered back).
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / typing.__name__))
        sandbox.clear_log()
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await _start(pilot, app, where)
            await typing(pilot, app, keys)
            results.append(seen(app))
        app.stop_key_gate()
    slow, burst = results
    assert burst == slow


async def test_keys_typed_while_a_big_identity_loads_are_kept_and_applied(make_app, monkeypatch, tmp_path):
    """enter on an identity of 150 properties, then five tabs and a letter at once: the keys wait for the form
    (its fresh copy, then every row) and land where they land typed after it is ready."""
    from identity_tui.sandbox import Sandbox

    big = {"id": "identity-00000000-0000-4000-8000-0000000000b1", "identifier_key": "big", "name": "Big",
           "identity_type": "org", "project_id": None,
           "properties": [{"key": f"k{i:03}", "value": f"v{i}", "type": "string"} for i in range(150)]}
    keys = ["enter", "tab", "tab", "tab", "tab", "tab", "Q"]
    results = []
    for typing in (slowly, ahead):
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / typing.__name__))
        store = Sandbox(path=":memory:")
        store.store.insert(big)
        app = make_app(store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await typing(pilot, app, keys)
            results.append(seen(app))
        app.stop_key_gate()
        store.close()
    slow, burst = results
    assert "Q" in "".join(slow["inputs"])
    assert burst == slow
