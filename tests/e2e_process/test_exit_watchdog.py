"""The exit watchdog, the last resort behind a clean exit: whatever the main thread waits on, a signal or a
terminal gone ends the process.

Each test starts a small program whose main thread then waits for good on a full queue (as the app once did
on the output queue of a dead terminal), and ends it the way the app's handlers would.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOUND = 15.0  # generous: the watchdog is armed for a fraction of a second; the machine may be busy

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and a pseudo-terminal")

STUCK = """
import queue
queue_ = queue.Queue(1)
queue_.put(None)
print("stuck", flush=True)
queue_.put(None)  # nobody takes from it: waits for good
"""


def start(prelude: str, **kwargs) -> subprocess.Popen:
    code = textwrap.dedent(prelude) + textwrap.dedent(STUCK)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True, **kwargs)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "stuck"
    return proc


def test_a_signal_arms_it_while_the_main_thread_waits_on_a_lock_for_good():
    proc = start("""
        import signal
        from identity_tui.tui.process import ExitWatchdog
        dog = ExitWatchdog()
        signal.signal(signal.SIGTERM, lambda signum, frame: dog.arm(128 + signum, 0.2))
    """)
    try:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=BOUND) == 128 + signal.SIGTERM
    finally:
        proc.kill()
        proc.wait()


def test_a_terminal_gone_without_a_sighup_arms_it():
    master, slave = pty.openpty()
    try:
        # A session of its own and the terminal only inherited: closing it sends no SIGHUP (setsid, a supervisor).
        proc = start("""
            from identity_tui.tui.process import ExitWatchdog
            dog = ExitWatchdog(0, check=0.05, hang_up_grace=0.2)
        """, stdin=slave, start_new_session=True)
    finally:
        os.close(slave)
    try:
        os.close(master)
        assert proc.wait(timeout=BOUND) == 128 + signal.SIGHUP
    finally:
        proc.kill()
        proc.wait()


def test_cancelled_it_lets_the_process_be():
    """The app's exit finished in time: the watchdog stands down and ends nothing."""
    proc = start("""
        from identity_tui.tui.process import ExitWatchdog
        dog = ExitWatchdog()
        dog.arm(99, 0.2)
        dog.cancel()
    """)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1.5)  # well past the 0.2 s it was armed for
    finally:
        proc.kill()
        proc.wait()
