"""A program on a pseudo-terminal of a fixed size, and the screen it draws, read back as lines of text.

The screen model knows what Textual writes: absolute cursor moves, text, erases; colours and modes are
skipped. Enough to ask "is this on screen?", with no terminal emulator to install.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

_TOKEN = re.compile(
    r"\x1b\[(?P<params>[0-9;:?<=>]*)[ -/]*(?P<final>[@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[P_^X][\s\S]*?\x1b\\"  # DCS, APC, PM, SOS
    r"|\x1b[()*+#%][\s\S]"  # charset and line-size choices
    r"|\x1b[^\[\]P_^X()*+#%]"  # any other two-byte escape
)
_INCOMPLETE = re.compile(r"\x1b(?:\[[0-9;:?<=>]*[ -/]*|\][^\x07\x1b]*\x1b?|[P_^X][\s\S]*|[()*+#%])?\Z")


class ScreenModel:
    """A grid of characters updated from a terminal's output stream."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols = cols
        self.rows = rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self._pending = ""

    def feed(self, text: str) -> None:
        data = self._pending + text
        self._pending = ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                match = _TOKEN.match(data, i)
                if match is None:
                    if _INCOMPLETE.match(data, i):
                        self._pending = data[i:]  # the rest comes with the next read
                        return
                    i += 1
                    continue
                if match.group("final"):
                    self._csi(match.group("params"), match.group("final"))
                i = match.end()
                continue
            self._char(ch)
            i += 1

    def _char(self, ch: str) -> None:
        if ch == "\r":
            self.col = 0
        elif ch == "\n":
            self.row = min(self.row + 1, self.rows - 1)
        elif ch == "\b":
            self.col = max(self.col - 1, 0)
        elif ch == "\t":
            self.col = min((self.col // 8 + 1) * 8, self.cols - 1)
        elif ch >= " " and ch != "\x7f":
            if unicodedata.combining(ch):
                return
            if self.col < self.cols:
                self.grid[self.row][self.col] = ch
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            self.col = min(self.col + (2 if wide else 1), self.cols)

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", "<", "=", ">")):
            return  # modes and queries
        nums = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")] if params else []

        def arg(i: int, default: int = 1) -> int:
            return nums[i] if len(nums) > i and nums[i] else default

        if final in "Hf":
            self.row = min(arg(0) - 1, self.rows - 1)
            self.col = min(arg(1) - 1, self.cols - 1)
        elif final == "A":
            self.row = max(self.row - arg(0), 0)
        elif final == "B":
            self.row = min(self.row + arg(0), self.rows - 1)
        elif final == "C":
            self.col = min(self.col + arg(0), self.cols - 1)
        elif final == "D":
            self.col = max(self.col - arg(0), 0)
        elif final == "G":
            self.col = min(arg(0) - 1, self.cols - 1)
        elif final == "d":
            self.row = min(arg(0) - 1, self.rows - 1)
        elif final == "J":
            mode = arg(0, 0)
            if mode in (2, 3):
                self.grid = [[" "] * self.cols for _ in range(self.rows)]
            elif mode == 0:
                self.grid[self.row][self.col:] = [" "] * (self.cols - self.col)
                for r in range(self.row + 1, self.rows):
                    self.grid[r] = [" "] * self.cols
        elif final == "K":
            mode = arg(0, 0)
            if mode == 0:
                self.grid[self.row][self.col:] = [" "] * (self.cols - self.col)
            elif mode == 1:
                self.grid[self.row][: self.col + 1] = [" "] * (self.col + 1)
            else:
                self.grid[self.row] = [" "] * self.cols
        elif final == "X":
            end = min(self.col + arg(0), self.cols)
            self.grid[self.row][self.col:end] = [" "] * (end - self.col)

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.grid]

    def text(self) -> str:
        return "\n".join(self.lines())


class Terminal:
    """``argv`` running on its own pseudo-terminal (its controlling terminal, so closing it hangs up)."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: str, cols: int = 80, rows: int = 24,
                 controlling: bool = True) -> None:
        """``controlling=False``: the terminal is only the program's input and output, as under setsid or a
        supervisor, so closing it sends no SIGHUP."""
        self.screen = ScreenModel(cols, rows)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: set the size before the program asks for it
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                if not controlling:
                    # Giving up the controlling terminal hangs up our own process group once: ignore that.
                    signal.signal(signal.SIGHUP, signal.SIG_IGN)
                    fcntl.ioctl(0, termios.TIOCNOTTY)
                    signal.signal(signal.SIGHUP, signal.SIG_DFL)
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd: int | None = fd

    # -- output -------------------------------------------------------------------------------

    def pump(self, timeout: float) -> None:
        """Read what the program wrote within ``timeout`` seconds into the screen."""
        if self.fd is None:
            time.sleep(timeout)
            return
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program closed its side
            data = b""
        if not data:
            self.close_terminal()
            return
        self.screen.feed(self._decoder.decode(data))

    def wait_for(self, condition: str | Callable[[str], bool], timeout: float = 25.0) -> str:
        """Pump output until ``condition`` (text on screen, or a test of it) holds; the screen's text."""
        test = (lambda text: condition in text) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen.text()
            if test(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen after {timeout} s: {condition!r}\n{text}")
            if self.poll() is not None and self.fd is None:
                raise AssertionError(f"the program exited ({self.status}) before {condition!r}\n{text}")
            self.pump(0.05)

    # -- input and signals ----------------------------------------------------------------------

    def send(self, keys: str) -> None:
        assert self.fd is not None, "the terminal is closed"
        os.write(self.fd, keys.encode("utf-8"))

    def kill(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def close_terminal(self) -> None:
        """Close our side: for the program the terminal is gone (the kernel sends it SIGHUP)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status

    def wait_exit(self, timeout: float = 25.0) -> int:
        """The wait status once the program ends (its output is read meanwhile, so it never blocks on it)."""
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout} s\n{self.screen.text()}")
            self.pump(0.05)
        return self.status  # type: ignore[return-value]

    def stop(self) -> None:
        """Make sure nothing is left running."""
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.wait_exit(10)
        self.close_terminal()


ROOT = Path(__file__).resolve().parents[2]


def app_env() -> dict[str, str]:
    """The environment the program runs in: this one without pytest's and Textual's own variables, an xterm,
    no animations, no bytecode written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TEXTUAL"))}
    env.update(TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", PYTHONDONTWRITEBYTECODE="1")
    return env


def app_on(db: Path, **kwargs: object) -> Terminal:
    """identity-tui on the sandbox file ``db``, in a pseudo-terminal (80x24 unless told)."""
    return Terminal([sys.executable, "-m", "identity_tui", "--sandbox", str(db)], env=app_env(), cwd=str(ROOT),
                    **kwargs)  # type: ignore[arg-type]
