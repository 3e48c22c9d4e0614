"""The real program on a real pseudo-terminal: a burst of keys written in one go lands as if typed slowly.

Key repeat, or a paste into a terminal without bracketed paste (common over SSH), hands the app many
keys in a single read. Each test focuses a field the way a person does, waits until the terminal cursor
stands in it, writes the whole burst with ONE ``os.write`` (backspace is DEL, ``\\x7f``), and compares what
the app keeps with what the same keys typed one at a time give.
"""

from __future__ import annotations

import copy
import json
import os
import random
import sys
import time
from pathlib import Path

import pytest

from identity_tui.sandbox import Sandbox

from .terminal import Terminal, app_on

ALICE_ID = "identity-00000000-0000-4000-8000-00000000a11c"
ALICE = {
    "id": ALICE_ID,
    "identifier_key": "alice@example.com",
    "name": "Alice Example",
    "identity_type": "user",
    "project_id": None,
    "properties": [
        {"key": "prefs", "value": {}, "type": "json"},
        {"key": "nick", "value": "", "type": "string"},
    ],
}
DEL = "\x7f"
# The burst from the issue: a value, 16 backspaces, the rest, with no pause anywhere.
BURST = '{"y": 12345678901234567890123}}}' + DEL * 16 + '1.5e3}}, "b2": 9007199254740993}'
# The same with one "}}" fewer, so that what it leaves is a JSON object that can be saved.
VALID = '{"y": 12345678901234567890123}}}' + DEL * 16 + '1.5e3, "b2": 9007199254740993}'

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def typed_slowly(text: str, keys: str) -> str:
    """What ``keys`` leave after ``text`` (cursor at its end), applied one at a time."""
    for ch in keys:
        text = text[:-1] if ch == DEL else text + ch
    return text


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sandbox.sqlite3"
    sb = Sandbox(path=str(path))
    sb.store.insert(copy.deepcopy(ALICE))
    sb.close()
    return path


def draft_form(hermetic: Path) -> dict | None:
    paths = sorted((hermetic / "state").glob("identity-tui/drafts/*/*.json"))
    return json.loads(paths[0].read_text())["form"] if paths else None


def line_with(screen: str, word: str) -> tuple[int, str]:
    return next((i, line) for i, line in enumerate(screen.splitlines()) if word in line)


def cursor_at(term: Terminal, row: int, col: int) -> bool:
    """The terminal cursor (Textual leaves it where the focused field's cursor is) stands at row, col."""
    return (term.screen.row, term.screen.col) == (row, col)


def open_form(term: Terminal) -> str:
    term.wait_for("Alice Example")
    term.send("\r")
    # The list's copy shows at once under "Loading..." until the fresh read is in: wait for the rows themselves.
    return term.wait_for(lambda text: "Properties (2)" in text and "Loading" not in text and "nick" in text)


def focus_row_value(term: Terminal, key: str, tabs: int, shown: str) -> None:
    """tab to the value of property ``key`` (showing ``shown``) and wait for the cursor to stand at its start.

    Where the row stands is read from the screen as it is then: rows below a JSON row's editor move up when
    the editor leaves it."""
    term.send("\t" * tabs)

    def there(text: str) -> bool:
        try:
            row, line = line_with(text, key)
            if not shown:  # an empty value: the cursor stands on the row, right of the type column's words
                header = next(words for words in text.splitlines() if words.split()[:3] == ["key", "type", "value"])
                return term.screen.row == row and term.screen.col > header.index(" type ") + len(" boolean ")
            return cursor_at(term, row, line.index(shown, line.index(key) + len(key)))
        except (StopIteration, ValueError):  # a frame drawn before the rows or the value show
            return False

    term.wait_for(there, timeout=20)


def write_burst(term: Terminal, keys: str) -> None:
    assert term.fd is not None
    os.write(term.fd, keys.encode())  # one write: the app reads the whole burst at once


def wait_for_draft(term: Terminal, hermetic: Path, field, length: int) -> str:
    """The debounced draft, once it holds as many characters as the burst leaves (then nothing is queued)."""
    def written(_: str) -> bool:
        form = draft_form(hermetic)
        return form is not None and len(field(form)) == length

    term.wait_for(written, timeout=20)
    return field(draft_form(hermetic))


def prefs_text(form: dict) -> str:
    return form["properties"][0]["text"]


def test_a_burst_in_a_json_value_keeps_its_order(term, hermetic):
    open_form(term)
    focus_row_value(term, "prefs", 5, "{}")  # name, key, type, prefs key, prefs type, prefs value
    term.send("\x0b")  # ctrl+k: the value's line cleared
    term.wait_for(lambda text: "{}" not in line_with(text, "prefs")[1])
    write_burst(term, BURST)
    expected = typed_slowly("", BURST)
    assert expected == '{"y": 12345678901.5e3}}, "b2": 9007199254740993}'
    assert wait_for_draft(term, hermetic, prefs_text, len(expected)) == expected
    term.wait_for("Extra data")  # the form says what is wrong with it, as for slow typing


def test_a_burst_in_a_json_value_saves_what_was_typed(term, hermetic, db):
    open_form(term)
    focus_row_value(term, "prefs", 5, "{}")
    term.send("\x0b")
    term.wait_for(lambda text: "{}" not in line_with(text, "prefs")[1])
    write_burst(term, VALID)
    expected = typed_slowly("", VALID)
    assert wait_for_draft(term, hermetic, prefs_text, len(expected)) == expected
    term.send("\x13")  # ctrl+s: the preview of the requests
    term.wait_for("enter send")
    assert "9007199254740993" in term.screen.text()
    term.send("\r")
    term.wait_for("Saved")
    sb = Sandbox(path=str(db))
    try:
        stored = sb.store.get(ALICE_ID)
    finally:
        sb.close()
    assert stored["properties"][0]["value"] == json.loads(expected)
    assert stored["properties"][0]["value"]["b2"] == 9007199254740993  # an int past 2**53, not a float


def test_a_burst_in_a_string_value_keeps_its_order(term, hermetic):
    open_form(term)
    focus_row_value(term, "nick", 8, "")  # ... prefs value, nick key, nick type, nick value
    write_burst(term, BURST)
    expected = typed_slowly("", BURST)
    assert wait_for_draft(term, hermetic, lambda form: form["properties"][1]["text"], len(expected)) == expected


def test_a_burst_in_the_name_keeps_its_order(term, hermetic):
    screen = open_form(term)
    row, line = line_with(screen, "Name ")
    end = line.index("Alice Example") + len("Alice Example")
    term.wait_for(lambda _: term.screen.row == row and term.screen.col >= end)  # the name has the cursor
    write_burst(term, BURST)
    expected = typed_slowly("Alice Example", BURST)
    assert wait_for_draft(term, hermetic, lambda form: form["name"], len(expected)) == expected


def test_ctrl_s_at_the_end_of_a_burst_previews_every_key_typed_before_it(term, hermetic):
    screen = open_form(term)
    row, line = line_with(screen, "Name ")
    end = line.index("Alice Example") + len("Alice Example")
    term.wait_for(lambda _: term.screen.row == row and term.screen.col >= end)  # the name has the cursor
    typed = " Jr" + "x" * 40 + DEL * 40 + "!"
    write_burst(term, typed + "\x13")  # the keys, then ctrl+s, in one read
    expected = typed_slowly("Alice Example", typed)
    assert expected == "Alice Example Jr!"
    preview = term.wait_for("enter send")
    assert f'"name": "{expected}"' in preview, preview


def test_a_tab_in_a_burst_moves_on_before_the_keys_after_it(term, hermetic):
    term.wait_for("Alice Example")
    term.send("n")  # a new identity: the name has the cursor
    term.wait_for("New identity")
    term.send("N")  # the first letter alone: once it shows, the name has the keys
    term.wait_for(lambda text: line_with(text, "Name ")[1].split()[-1] == "N")
    write_burst(term, "av Test\tnav-test-1")  # the rest of the name, tab, the key: as fast as a paste
    assert wait_for_draft(term, hermetic, lambda form: form["name"] + "|" + form["identifier_key"],
                          len("Nav Test|nav-test-1")) == "Nav Test|nav-test-1"


def test_tabs_past_the_selects_then_an_expression_and_enter_in_one_burst_apply_it(term, hermetic):
    term.wait_for("Alice Example")
    term.send("f")  # the filters dialog: key, its match and type (selects), project, order (a select), property
    term.wait_for(lambda text: "Filters" in text and "Property" in text)
    term.send("x")  # one letter alone: once it shows, the key box has the keys
    term.wait_for(lambda text: line_with(text, "Identifier key")[1].split("▏")[1].startswith("x"))
    write_burst(term, DEL + "\t\t\t\t\tnick?\r")  # the letter taken back, then as fast as a paste
    # (the scan paints its progress first: "no matches yet · scanned 0 of ~1 pages")
    shown = term.wait_for(lambda text: "match 1 of 1" in text and "Project id (exact)" not in text)
    assert "scanned" in shown and "Alice Example" in shown, shown


def write_in_pieces(term: Terminal, keys: str, seed: int) -> None:
    """The burst cut at random places, each piece one write, a moment apart: a terminal handing it over as it
    comes (an SSH connection, a slow link)."""
    assert term.fd is not None
    rng = random.Random(seed)
    at = 0
    while at < len(keys):
        size = rng.randint(1, 4)
        os.write(term.fd, keys[at:at + size].encode())
        at += size
        time.sleep(rng.choice((0, 0, 0.001, 0.01)))


def drafts(hermetic: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((hermetic / "state").glob("identity-tui/drafts/*/*.json"))]


@pytest.mark.parametrize("pieces", [None, 1, 2, 3], ids=["one-write", "pieces-1", "pieces-2", "pieces-3"])
def test_ctrl_n_a_key_two_tabs_and_a_value_make_one_new_row(term, hermetic, pieces):
    """The burst that renamed a property: the new row gets the key and the value; the other rows keep theirs."""
    screen = open_form(term)
    row, line = line_with(screen, "Name ")
    end = line.index("Alice Example") + len("Alice Example")
    term.wait_for(lambda _: term.screen.row == row and term.screen.col >= end)  # the name has the cursor
    keys = "\x0e" + "newk" + "\t\t" + "newv"  # ctrl+n, a key, tab past the type, the value
    if pieces is None:
        write_burst(term, keys)
    else:
        write_in_pieces(term, keys, pieces)

    def rows(_: str) -> list | None:
        found = drafts(hermetic)
        if not found:
            return None
        got = [(r["key"], r["text"]) for r in found[0]["form"]["properties"]]
        return got if got[-1] == ("newk", "newv") else None

    term.wait_for(lambda text: rows(text) is not None, timeout=30)
    assert rows("") == [("prefs", "{}"), ("nick", ""), ("newk", "newv")]


@pytest.fixture
def term_two(tmp_path: Path, hermetic: Path):
    """The program on a sandbox of two: Bob, then Alice (the newest, so the first row)."""
    path = tmp_path / "two.sqlite3"
    sb = Sandbox(path=str(path))
    sb.store.insert({**copy.deepcopy(ALICE), "id": "identity-00000000-0000-4000-8000-000000000b0b",
                     "identifier_key": "bob@example.com", "name": "Bob Example"})
    sb.store.insert(copy.deepcopy(ALICE))
    sb.close()
    t = app_on(path)
    yield t
    t.stop()


@pytest.mark.parametrize("pieces", [None, 7], ids=["one-write", "pieces"])
def test_enter_then_k_j_j_opens_the_row_under_the_cursor_and_types_into_its_name(term_two, hermetic, pieces):
    term = term_two
    term.wait_for(lambda text: "Alice Example" in text and "Bob Example" in text)
    if pieces is None:
        write_burst(term, "\rkjj")
    else:
        write_in_pieces(term, "\rkjj", pieces)
    term.wait_for(lambda text: "Alice Examplekjj" in text, timeout=30)
    found = term.wait_for(lambda _: bool(drafts(hermetic)), timeout=30)
    (draft,) = drafts(hermetic)
    assert draft["form"]["name"] == "Alice Examplekjj" and draft.get("identity_id") == ALICE_ID, found
