"""The real program on a real pseudo-terminal: SIGHUP (the terminal closed), SIGTERM and SIGINT end it at any
moment of its start-up, on the sandbox and over HTTP, and a stray SIGCONT does not start the terminal over.

A hang-up comes with a SIGCONT from the kernel. Textual answers every SIGCONT by starting its terminal mode
again, meant for coming back from ctrl+z; on a terminal that is gone the new output thread died at its first
write, and when a frame or two followed (keys typed just before) the app waited for good on that thread's
full queue, deaf to every signal.

The random runs take about 15 s a test (one round of every kind at least); ``IDENTITY_TUI_SIGNAL_RUNS=N``
runs N rounds instead, ``IDENTITY_TUI_SIGNAL_SEED`` picks the moments.
"""

from __future__ import annotations

import copy
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from identity_tui.sandbox import Sandbox

from .terminal import Terminal, app_env
from .people import ALICE

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "signals-test"
# Gone within this long after the signal or the hang-up, whatever it interrupted (a generous bound: the
# machine running the tests may be busy; the app itself takes a fraction of a second).
BOUND = 15.0
RUNS = int(os.environ.get("IDENTITY_TUI_SIGNAL_RUNS", "0"))
SEED = int(os.environ.get("IDENTITY_TUI_SIGNAL_SEED", str(random.randrange(1 << 30))))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


class Recording(Terminal):
    """A terminal that also keeps every byte the program wrote, escapes and all."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.raw: list[str] = []
        feed = self.screen.feed

        def keep(text: str) -> None:
            self.raw.append(text)
            feed(text)

        self.screen.feed = keep  # type: ignore[method-assign]

    def drain(self) -> str:
        """Everything written, once the program has ended and its side is closed."""
        deadline = time.monotonic() + 5
        while self.fd is not None and time.monotonic() < deadline:
            self.pump(0.05)
        return "".join(self.raw)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A sandbox file holding Alice and more others than a screen shows (a non-empty sandbox is not seeded)."""
    path = tmp_path / "sandbox.sqlite3"
    sb = Sandbox(path=str(path))
    sb.store.insert(copy.deepcopy(ALICE))
    for i in range(45):
        row = copy.deepcopy(ALICE)
        row.update(id=f"identity-00000000-0000-4000-8000-{i:012d}", identifier_key=f"user-{i:02d}@example.com",
                   name=f"User {i:02d}")
        sb.store.insert(row)
    sb.close()
    return path


@pytest.fixture
def server(tmp_path: Path, db: Path):
    """The same sandbox served over HTTP by ``identity-tui sandbox serve``; its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "identity_tui", "sandbox", "serve", "--port", "0", "--db", str(db),
         "--password", PASSWORD], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert match, "the server did not say where it listens"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _stack_of(pid: int) -> str:
    """The threads' stacks of a stuck program, when py-spy is at hand (it says where the wait is)."""
    try:
        return subprocess.run(["py-spy", "dump", "--pid", str(pid)], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "(install py-spy for the threads' stacks)"


MOMENTS = ("starting", "first output", "keys after the paint", "opening a form")
ENDS = ("hang-up", "SIGTERM", "SIGINT")


def _end_once(argv: list[str], env: dict[str, str], moment: str, end: str, rng: random.Random) -> float | str:
    """Start the program, end it at ``moment`` by ``end``: how long it took to go, or what went wrong."""
    term = Terminal(argv, env=env, cwd=str(ROOT))
    try:
        if moment == "starting":  # importing, opening the sandbox or the connection, mounting
            until = time.monotonic() + rng.uniform(0.0, 1.5)
            while time.monotonic() < until and term.poll() is None:
                term.pump(0.01)
        elif moment == "first output":  # the terminal just switched over; the list is loading and painting
            term.wait_for(lambda text: text.strip() != "")
            until = time.monotonic() + rng.uniform(0.0, 0.6)
            while time.monotonic() < until:
                term.pump(0.01)
        elif moment == "keys after the paint":  # frames are still being drawn when it ends
            term.wait_for("Page 1")
            term.send("jjjk" * rng.randint(4, 10))  # each key moves the cursor: a frame to draw
            time.sleep(rng.uniform(0.0, 0.02))
        else:  # enter on a row: the form's modules are imported, the identity read, its rows mounted
            term.wait_for("Page 1")
            term.send("\r")
            until = time.monotonic() + rng.uniform(0.0, 0.5)
            while time.monotonic() < until:
                term.pump(0.01)
        ended = time.monotonic()
        if end == "hang-up":
            term.close_terminal()
        else:
            term.kill(signal.SIGTERM if end == "SIGTERM" else signal.SIGINT)
        try:
            status = term.wait_exit(timeout=BOUND)
        except AssertionError:
            return f"{moment}, {end}: still running after {BOUND} s\n{_stack_of(term.pid)}"
        signum = {"hang-up": signal.SIGHUP, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}[end]
        if os.WIFSIGNALED(status):  # before the app caught it: the default action
            ok = os.WTERMSIG(status) == signum
        else:
            ok = os.WEXITSTATUS(status) == 128 + signum
        if ok:
            return time.monotonic() - ended
        for _ in range(20):  # what it printed on its way out (a traceback)
            term.pump(0.05)
        return f"{moment}, {end}: ended with wait status {status}\n{term.screen.text()}"
    finally:
        term.stop()


def _runs(argv: list[str], env: dict[str, str], budget: float) -> None:
    """Every kind once, then more at random until ``budget`` seconds have gone (or RUNS rounds of every kind)."""
    rng = random.Random(SEED)
    kinds = [(moment, end) for moment in MOMENTS for end in ENDS]
    rng.shuffle(kinds)
    failures: list[str] = []
    took: list[float] = []
    started = time.monotonic()
    while True:
        done = len(took) + len(failures)
        if done >= len(kinds) * max(RUNS, 1) and (RUNS or time.monotonic() - started > budget):
            break
        moment, end = kinds[done % len(kinds)] if done < len(kinds) * max(RUNS, 1) else rng.choice(kinds)
        outcome = _end_once(argv, env, moment, end, rng)
        if isinstance(outcome, str):
            failures.append(outcome)
        else:
            took.append(outcome)
    print(f"{done} runs (seed {SEED}), gone within {max(took, default=0):.2f} s at the longest")
    assert not failures, f"{len(failures)} of {done} runs (seed {SEED}):\n" + "\n".join(failures)


def test_a_signal_or_a_hang_up_at_any_moment_of_start_up_ends_the_app_on_the_sandbox(db, hermetic):
    argv = [sys.executable, "-m", "identity_tui", "--sandbox", str(db)]
    _runs(argv, app_env(), budget=15)


def test_a_signal_or_a_hang_up_at_any_moment_of_start_up_ends_the_app_over_http(server, hermetic):
    env = {**app_env(), "LETTA_BASE_URL": server, "LETTA_API_KEY": PASSWORD}
    argv = [sys.executable, "-m", "identity_tui"]
    _runs(argv, env, budget=15)


def test_a_stray_sigcont_does_not_start_the_terminal_over(db, hermetic):
    """SIGCONT with no ctrl+z before it (the kernel sends one with every hang-up): the app carries on as it was."""
    term = Recording([sys.executable, "-m", "identity_tui", "--sandbox", str(db)], env=app_env(), cwd=str(ROOT))
    try:
        term.wait_for("Page 1")
        term.kill(signal.SIGCONT)
        term.send("?")
        term.wait_for("Id (for [keymap])")  # the help screen: the app took a key after the SIGCONT
        term.kill(signal.SIGTERM)
        status = term.wait_exit()
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM
        assert term.drain().count("\x1b[?1049h") == 1  # the alternate screen entered once: no second start
    finally:
        term.stop()
