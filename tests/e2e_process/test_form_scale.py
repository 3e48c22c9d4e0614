"""The real program on a real pseudo-terminal at 80x24 opening an identity with 300 properties.

While the form loads and right after, it must stay answerable: esc goes back to the list, a key is
echoed, and SIGTERM or SIGHUP end the program promptly with the edit kept as a draft. Every wait is on
something appearing on screen; the timeouts are failure bounds only.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from identity_tui.sandbox import Sandbox

from .terminal import Terminal

COUNT = 300
BOUND = 20.0  # seconds: anything slower is a freeze
ALICE_ID = "identity-00000000-0000-4000-8000-00000000a11c"
TYPES = ("string", "number", "boolean", "json")
HELP = "opens the command palette"  # a line of the help screen

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def prop(i: int) -> dict:
    kind = TYPES[i % len(TYPES)]
    value = {"string": f"v{i:04d}", "number": i, "boolean": i % 3 == 0, "json": {"n": i}}[kind]
    return {"key": f"k{i:04d}", "value": value, "type": kind}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sandbox.sqlite3"
    sb = Sandbox(path=str(path))
    sb.store.insert({"id": ALICE_ID, "identifier_key": "alice@example.com", "name": "Alice Example",
                     "identity_type": "user", "project_id": None, "properties": [prop(i) for i in range(COUNT)]})
    sb.close()
    return path


def on_list(text: str) -> bool:
    return "Page 1 · row" in text and "Properties (" not in text and "Loading" not in text


def shown(text: str) -> bool:
    """The form's first rows are painted (the rest may still be coming in)."""
    return "k0000" in text and "v0000" in text


def loaded(text: str) -> bool:
    """Every row is in: the header counts them."""
    return f"Properties ({COUNT})" in text and "k0000" in text


def open_big(term: Terminal) -> None:
    term.wait_for(on_list)
    term.send("\r")


def kept_names(hermetic: Path) -> list[str]:
    paths = sorted((hermetic / "state").glob("identity-tui/drafts/*/*.json"))
    return [json.loads(p.read_text())["form"]["name"] for p in paths]


def name_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.lstrip().startswith("Name ")), "")


def edit_name(term: Terminal) -> None:
    term.wait_for(shown, timeout=BOUND)
    row, line = next((i, line) for i, line in enumerate(term.screen.lines()) if line.lstrip().startswith("Name "))
    end = line.index("Alice Example") + len("Alice Example")
    term.wait_for(lambda _: term.screen.row == row and term.screen.col >= end, timeout=BOUND)  # the name has the cursor
    term.send(" Jr")
    term.wait_for(lambda text: "Alice Example Jr" in name_line(text), timeout=BOUND)


def test_esc_while_the_form_loads_goes_back_to_the_list(term):
    open_big(term)
    term.wait_for(lambda text: not on_list(text), timeout=BOUND)  # the form has begun to show
    term.send("\x1b")
    term.wait_for(on_list, timeout=BOUND)
    term.send("\r")  # and the list still answers: the identity opens again
    term.wait_for(shown, timeout=BOUND)


def test_esc_right_after_the_form_loaded_goes_back_to_the_list(term):
    open_big(term)
    term.wait_for(shown, timeout=BOUND)
    term.send("\x1b")
    term.wait_for(on_list, timeout=BOUND)


def test_keys_are_answered_while_loading_and_right_after(term):
    open_big(term)
    term.wait_for(lambda text: not on_list(text), timeout=BOUND)
    term.send("\x1bOP")  # F1: the help screen opens over the loading form
    term.wait_for(HELP, timeout=BOUND)
    term.send("\x1b")
    term.wait_for(lambda text: HELP not in text, timeout=BOUND)
    edit_name(term)  # typing in the loaded form is echoed
    term.send("\t")  # and the focus moves on
    term.wait_for(lambda _: term.screen.row == 2, timeout=BOUND)  # the identifier key's line


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_while_loading_ends_the_program(term, signum):
    open_big(term)
    term.wait_for(lambda text: not on_list(text), timeout=BOUND)
    term.kill(signum)
    status = term.wait_exit(timeout=BOUND)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signum


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_right_after_an_edit_ends_the_program_and_keeps_the_draft(term, hermetic, signum):
    open_big(term)
    edit_name(term)
    term.kill(signum)  # at once: inside the draft's debounce, so the signal handler's flush writes it
    status = term.wait_exit(timeout=BOUND)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signum
    assert kept_names(hermetic) == ["Alice Example Jr"]


def test_every_row_comes_in_within_the_bound(term):
    open_big(term)
    term.wait_for(loaded, timeout=BOUND)
