"""The app as a process on a terminal: whether the terminal is still there, SIGCONT, the exit watchdog, and the
collector after start-up."""

from __future__ import annotations

import gc
import os
import select
import signal
import struct
import sys
import threading
import time
from typing import Any


def terminal_fd() -> int | None:
    """The descriptor Textual reads keys from, when it is a terminal."""
    stdin = sys.__stdin__
    if stdin is None:  # no stdin at all
        return None
    try:
        fd = stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return fd if os.isatty(fd) else None


def terminal_gone(fd: int) -> bool:
    """True once the terminal on ``fd`` has hung up (its other side closed), SIGHUP or not."""
    if not hasattr(select, "poll"):
        return False  # Windows: no pseudo-terminals to hang up
    poller = select.poll()
    poller.register(fd, select.POLLIN)  # hang-ups and errors are reported whatever is asked for
    try:
        events = poller.poll(0)
    except OSError:
        return True
    return any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events)


def collect_from_now_on() -> bool:
    """Undo the command line's start-up ``gc.disable()``, freezing what start-up made.

    Frozen objects (modules, classes, styles: most of the heap) are never scanned again, so a full
    collection stays short and does not stall a key press. Without the command line (tests) the
    collector was never off and this does nothing. True when it froze the heap.
    """
    if gc.isenabled():
        return False
    gc.freeze()
    gc.enable()
    return True



def resume_only_after_suspend(fd: int | None) -> None:
    """Pass SIGCONT on to the handler in place (Textual's driver) only to come back from a SIGTSTP, and only
    while the terminal on ``fd`` is there.

    Textual's driver starts its terminal mode over on every SIGCONT, meant for coming back from ctrl+z. But
    the kernel sends a SIGCONT with the SIGHUP of every hang-up, and anyone may send one: on a terminal that
    is gone the second terminal mode's output thread dies at its first write, and once a few frames fill
    that thread's queue (30 writes) the app waits on it for good, deaf to every signal; on a live terminal
    a second input thread reads the keys beside the first.
    """
    if not hasattr(signal, "SIGCONT"):
        return  # Windows
    on_stop = signal.getsignal(signal.SIGTSTP)
    on_cont = signal.getsignal(signal.SIGCONT)
    suspended = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal suspended
        suspended = True
        if callable(on_stop):
            on_stop(signum, frame)
        else:  # nobody handled it: what the default does
            os.kill(os.getpid(), signal.SIGSTOP)

    def cont(signum: int, frame: Any) -> None:
        nonlocal suspended
        if not suspended:
            return
        suspended = False
        if fd is not None and terminal_gone(fd):
            return  # the hang-up's own SIGCONT: nothing left to resume on
        if callable(on_cont):
            on_cont(signum, frame)

    signal.signal(signal.SIGTSTP, stop)
    signal.signal(signal.SIGCONT, cont)


def terminal_driver() -> type:
    """Textual's terminal driver for this platform, SIGCONT guarded from the moment it exists."""
    from textual.drivers.linux_driver import LinuxDriver

    class Driver(LinuxDriver):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)  # sets its SIGTSTP and SIGCONT handlers
            resume_only_after_suspend(terminal_fd())

    return Driver


def default_suspension() -> None:
    """SIGTSTP and SIGCONT as a process starts with them: once the app has ended, no terminal mode to resume."""
    if hasattr(signal, "SIGCONT"):
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        signal.signal(signal.SIGCONT, signal.SIG_DFL)


class ExitWatchdog:
    """Ends the process a while after it is armed, whatever the main thread is stuck on.

    The last resort behind a clean exit. Arming it is one write to a pipe, so a signal handler may arm it
    even while the main thread waits on a lock nobody will release (Python runs the handler there). It also
    arms itself when the terminal on ``fd`` hangs up and nobody else did.
    """

    _MESSAGE = struct.Struct("<cBd")  # b"A" status seconds, or b"C" to stand down

    def __init__(self, fd: int | None = None, *, check: float = 1.0, hang_up_grace: float = 5.0) -> None:
        self._read, self._write = os.pipe()
        self._fd = fd
        self._check = check
        self._hang_up_grace = hang_up_grace
        self._thread = threading.Thread(target=self._run, name="exit-watchdog", daemon=True)
        self._thread.start()

    def arm(self, status: int, within: float) -> None:
        """End the process with exit ``status`` at the latest ``within`` seconds from now (an earlier end stands)."""
        self._send(self._MESSAGE.pack(b"A", status & 0xFF, within))

    def cancel(self) -> None:
        """The exit finished: no forced end."""
        self._send(self._MESSAGE.pack(b"C", 0, 0.0))

    def _send(self, message: bytes) -> None:
        try:
            os.write(self._write, message)  # shorter than PIPE_BUF: written whole
        except OSError:
            pass

    def _run(self) -> None:
        deadline: float | None = None
        status = 0
        pending = b""
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                os._exit(status)
            wait = self._check if deadline is None else min(self._check, deadline - now)
            ready, _, _ = select.select([self._read], [], [], wait)
            if ready:
                pending += os.read(self._read, 4096)
                while len(pending) >= self._MESSAGE.size:
                    kind, code, within = self._MESSAGE.unpack_from(pending)
                    pending = pending[self._MESSAGE.size:]
                    if kind == b"C":
                        return
                    end = time.monotonic() + within
                    if deadline is None or end < deadline:
                        deadline, status = end, code
            elif deadline is None and self._fd is not None and terminal_gone(self._fd):
                deadline, status = time.monotonic() + self._hang_up_grace, 128 + getattr(signal, "SIGHUP", 1)
