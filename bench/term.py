"""A pseudo-terminal that runs a TUI in a fresh process and timestamps each frame the process paints.

The terminal answers Textual's query for synchronized output (mode 2026) the way kitty, WezTerm or
iTerm do, so Textual wraps every frame in ``ESC[?2026h`` … ``ESC[?2026l``: a frame's time is the moment
its closing marker is read from the pty. Output written outside those markers (before the answer has
been seen) is matched as it arrives. Times are ``time.perf_counter()``, one clock for every process.
"""

from __future__ import annotations

import atexit
import codecs
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently off": Textual then turns it on per frame
SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
_KEEP = max(len(SYNC_START), len(SYNC_QUERY)) - 1
_ANSI = re.compile(r"\x1b\[[0-9;?<>=$ ]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")

# Keys as a terminal sends them.
KEYS = {"down": b"\x1b[B", "up": b"\x1b[A", "pagedown": b"\x1b[6~", "enter": b"\r", "escape": b"\x1b"}


# A process whose pty is closed under it can spin at full CPU forever: never leave one behind.
_running: weakref.WeakSet[Terminal] = weakref.WeakSet()
atexit.register(lambda: [term.close() for term in list(_running)])


def plain(text: str) -> str:
    """The printable text of terminal output, escape sequences removed."""
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class Frame:
    """What one paint wrote, and when the last byte of it was read."""

    t: float
    text: str
    synced: bool


class TimedOut(Exception):
    """The expected output never arrived."""


class Terminal:
    """Run ``argv`` on a pty of ``cols`` x ``rows`` and collect its frames."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cols: int = 80, rows: int = 24) -> None:
        self.argv = argv
        self.env = env
        self.cols, self.rows = cols, rows
        self.frames: list[Frame] = []
        self._seen = 0  # frames before this index were already handed out by wait_for
        self._raw = b""
        self._in_frame = False
        self._loose = ""  # text written outside synchronized frames, since the last match
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.t_spawn = 0.0
        self.proc: subprocess.Popen | None = None
        self.master = -1

    # -- process ------------------------------------------------------------------------------

    def spawn(self) -> Terminal:
        """Start the process; ``t_spawn`` is taken just before the fork."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self.master = master
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv, stdin=slave, stdout=slave, stderr=slave, env=self.env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        _running.add(self)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def status(self, field: str) -> int:
        """A ``/proc/<pid>/status`` figure in kB, e.g. ``VmHWM`` (peak resident set) or ``VmRSS``."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise KeyError(field)

    def close(self) -> None:
        """Kill the process (it is ours) and release the pty."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def __enter__(self) -> Terminal:
        return self.spawn()

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- input --------------------------------------------------------------------------------

    def press(self, data: bytes | str) -> float:
        """Type ``data`` (a key's bytes) and return the moment it was written."""
        raw = data.encode() if isinstance(data, str) else data
        self._loose = ""  # only what is written from now on can show the key's effect
        t = time.perf_counter()
        os.write(self.master, raw)
        return t

    # -- output -------------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Read what the process wrote within ``timeout`` seconds; False when nothing came."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # the process is gone
            raise TimedOut(f"{self.argv[:3]} exited: {self.proc.poll() if self.proc else '?'}") from None
        now = time.perf_counter()
        self._feed(chunk, now)
        return True

    def _feed(self, chunk: bytes, now: float) -> None:
        self._raw += chunk
        if SYNC_QUERY in self._raw:
            self._raw = self._raw.replace(SYNC_QUERY, b"", 1)
            os.write(self.master, SYNC_REPLY)
        while True:
            if self._in_frame:
                end = self._raw.find(SYNC_END)
                if end < 0:
                    return
                body, self._raw = self._raw[:end], self._raw[end + len(SYNC_END):]
                self.frames.append(Frame(now, plain(body.decode("utf-8", "replace")), True))
                self._in_frame = False
                continue
            start = self._raw.find(SYNC_START)
            if start < 0:
                # Keep a few bytes back: a marker or the query may be split across reads.
                loose, self._raw = self._raw[:-_KEEP], self._raw[-_KEEP:]
            else:
                loose, self._raw = self._raw[:start], self._raw[start + len(SYNC_START):]
                self._in_frame = True
            if loose:
                self._loose_output(loose, now)
            if start < 0:
                return

    def _loose_output(self, data: bytes, now: float) -> None:
        # Escape sequences can be split across reads: strip them from the whole text written so far.
        self._loose = (self._loose + self._decoder.decode(data))[-50_000:]
        self.frames.append(Frame(now, plain(self._loose), False))

    def wait_for(self, match: Callable[[str], bool] | str, *, after: float = 0.0, timeout: float = 10.0) -> Frame:
        """The first frame painted after ``after`` whose text matches (a substring or a predicate)."""
        test = (lambda text: match in text) if isinstance(match, str) else match
        deadline = time.perf_counter() + timeout
        while True:
            while self._seen < len(self.frames):
                frame = self.frames[self._seen]
                self._seen += 1
                if frame.t >= after and test(frame.text):
                    if not frame.synced:
                        self._loose = ""
                    return frame
            left = deadline - time.perf_counter()
            if left <= 0:
                tail = self.frames[-1].text[-300:] if self.frames else "(nothing)"
                raise TimedOut(f"no frame matching {match!r} within {timeout}s; last output: {tail!r}")
            self.pump(min(left, 0.05))

    def settle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:
        """Read until the process has written nothing for ``quiet`` seconds (or ``timeout`` passed)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.pump(quiet):
                break
        self._seen = len(self.frames)
        self._loose = ""
