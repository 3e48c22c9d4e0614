"""The app as a process on a terminal: whether the terminal is still there, and the collector after start-up."""

from __future__ import annotations

import gc
import os
import select
import sys


def terminal_fd() -> int | None:
    """The descriptor Textual reads keys from, when it is a terminal."""
    try:
        fd = sys.__stdin__.fileno()
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

