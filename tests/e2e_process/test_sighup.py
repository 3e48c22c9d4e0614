"""The real program on a real pseudo-terminal at 80x24: an edit survives SIGHUP, a closed terminal (with or
without a SIGHUP) and kill -9.

Each test starts ``python -m identity_tui --sandbox`` with its state under a temp dir, edits Alice's
name, ends the process the way a dropped SSH session or an impatient admin would, and reads the draft
file; the first one also starts the program again and takes the restore offer.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
from pathlib import Path

import pytest

from .people import ALICE
from .terminal import Terminal, app_on

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pytest.fixture
def start(db: Path, hermetic: Path):
    """``start()`` runs the app on the sandbox in a terminal; whatever is left running is killed after."""
    started: list[Terminal] = []

    def run(*, controlling: bool = True) -> Terminal:
        term = app_on(db, controlling=controlling)
        started.append(term)
        return term

    yield run
    for term in started:
        term.stop()


def draft_files(hermetic: Path) -> list[Path]:
    return sorted((hermetic / "state").glob("identity-tui/drafts/*/*.json"))


def kept_names(hermetic: Path) -> list[str]:
    return [json.loads(p.read_text())["form"]["name"] for p in draft_files(hermetic)]


def name_line(screen: str) -> str:
    return next((line for line in screen.splitlines() if line.lstrip().startswith("Name ")), "")


def edit_alice(term: Terminal) -> None:
    """Open Alice from the list and add " Jr" to her name, waiting for each step on screen."""
    term.wait_for("Alice Example")  # the list is painted
    term.send("\r")
    term.wait_for("Properties (2)")  # the form holds the fresh copy and the name has the cursor
    term.send(" Jr")
    term.wait_for(lambda text: "Alice Example Jr" in text and "modified" in text)


def test_sighup_writes_the_draft_and_the_next_start_restores_it(start, hermetic):
    term = start()
    edit_alice(term)
    term.kill(signal.SIGHUP)  # at once: well inside the debounce, so the handler's flush is what writes
    status = term.wait_exit()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGHUP
    (path,) = draft_files(hermetic)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["form"]["name"] == "Alice Example Jr"
    assert data["base"]["name"] == "Alice Example"
    assert data["identity_id"] == ALICE["id"]

    again = start()
    again.wait_for("Unsaved draft from an earlier session")
    again.wait_for('name: "Alice Example" -> "Alice Example Jr"')  # what restoring it changes
    again.send("\r")
    screen = again.wait_for(lambda text: "Restored the draft" in text and "Alice Example Jr" in name_line(text)
                            and "modified" in text.splitlines()[0])  # the heading follows the fields
    assert "●" in name_line(screen)  # marked modified against the identity as loaded
    again.kill(signal.SIGTERM)  # a polite stop keeps it too
    status = again.wait_exit()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM
    assert kept_names(hermetic) == ["Alice Example Jr"]


def test_a_closed_terminal_keeps_the_draft(start, hermetic):
    term = start()
    edit_alice(term)
    term.close_terminal()  # what a dropped SSH session or tmux kill-session does to the program
    term.wait_exit()
    assert kept_names(hermetic) == ["Alice Example Jr"]


def test_a_closed_terminal_without_a_sighup_ends_the_program_and_keeps_the_draft(start, hermetic):
    """Started outside the terminal's session (setsid, a supervisor), no SIGHUP comes: the app notices anyway."""
    term = start(controlling=False)
    edit_alice(term)
    term.close_terminal()
    status = term.wait_exit(timeout=10)  # it would otherwise spin on end-of-input for ever
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGHUP
    assert kept_names(hermetic) == ["Alice Example Jr"]


def test_kill_9_after_the_pause_keeps_the_debounced_draft(start, hermetic):
    term = start()
    edit_alice(term)
    term.wait_for(lambda _: kept_names(hermetic) == ["Alice Example Jr"], timeout=15)  # nobody flushed it
    term.kill(signal.SIGKILL)
    status = term.wait_exit()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert kept_names(hermetic) == ["Alice Example Jr"]


def test_sigint_keeps_the_draft_and_ends_with_130(start, hermetic):
    """kill -INT (ctrl+c inside the app is a key, its quit asks first): as SIGTERM, the draft is written first."""
    term = start()
    edit_alice(term)
    term.kill(signal.SIGINT)
    status = term.wait_exit()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGINT
    assert kept_names(hermetic) == ["Alice Example Jr"]
