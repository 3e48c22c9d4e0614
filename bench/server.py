"""The sandbox served over loopback HTTP, recording when each answer left and optionally delaying it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from identity_tui.sandbox.serve import ServerThread


@dataclass(frozen=True)
class Served:
    """One request the server answered: what was asked, and when the answer was ready to send."""

    t: float
    method: str
    path: str
    query: dict[str, str]
    status: int


class RecordingSandbox:
    """Stands in for a Sandbox in ``ServerThread``: each request waits ``delay`` seconds, then is logged.

    The wait happens on the request's own thread, outside the sandbox lock, so concurrent requests
    overlap as they would behind a slow network.
    """

    def __init__(self, sandbox: Any, delay: float = 0.0) -> None:
        self.sandbox = sandbox
        self.delay = delay
        self.log: list[Served] = []
        self._lock = threading.Lock()

    def handle(self, method: str, target: str, headers: Any, body: bytes):
        if self.delay:
            time.sleep(self.delay)
        status, response_headers, data = self.sandbox.handle(method, target, headers, body)
        split = urlsplit(target)
        with self._lock:
            self.log.append(Served(time.perf_counter(), method, split.path, dict(parse_qsl(split.query)), status))
        return status, response_headers, data

    def lists(self, since: float = 0.0) -> list[Served]:
        """Identity list requests answered after ``since``."""
        with self._lock:
            return [s for s in self.log if s.t >= since and s.path == "/v1/identities/" and s.method == "GET"]


def serve(sandbox: Any, delay: float = 0.0) -> tuple[ServerThread, RecordingSandbox]:
    """Start serving ``sandbox`` on a free loopback port; stop it with ``server.stop()``."""
    recorder = RecordingSandbox(sandbox, delay)
    server = ServerThread(recorder, "127.0.0.1", 0)  # type: ignore[arg-type]
    # An app killed at the end of a run resets its connections; that is not worth a traceback.
    server.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    return server.start(), recorder


class ChildServer:
    """``identity-tui sandbox serve`` in a process of its own, on a copy of ``sandbox`` in ``tmp``.

    For a measurement that keeps the server busy: served from a thread of the bench process, the server's
    JSON encoding holds the interpreter lock the bench reads the terminal with, and the frames' times
    would include that wait.
    """

    def __init__(self, sandbox: Any, tmp: Any, env: dict[str, str]) -> None:
        import re
        import sqlite3
        import subprocess
        import sys

        path = tmp / "served.sqlite3"
        path.unlink(missing_ok=True)
        copy = sqlite3.connect(path)
        sandbox.store.db.backup(copy)
        copy.close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "identity_tui", "sandbox", "serve", "--db", str(path), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"http://[0-9.]+:[0-9]+", line)
        if found is None:
            self.stop()
            raise RuntimeError(f"the sandbox server did not start: {line!r}")
        self.base_url = found.group(0)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
