"""A small hostile HTTP server on 127.0.0.1 for the limits and token tests: it answers every request the way it
is told (a huge answer, an answer dripped one byte at a time, or a plain JSON answer) and records what it was
sent. It is bounded: each answer stops by itself after ``give_up`` seconds or its last byte, and the server stops
when its ``with`` block ends. Events, not the clock, tell a test what happened: ``cut`` is set when the client
hangs up before the answer is over, ``finished`` when the server sent an answer to its end, ``gave_up`` when
an answer ran out of time instead."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MiB = 1024 * 1024


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Answer:
    """How to answer: ``kind`` is "json" (``body``), "huge" (``size`` bytes of a JSON array, with a
    Content-Length header when ``length`` is true) or "drip" (``body`` one byte every ``every`` seconds)."""

    kind: str = "json"
    body: Any = field(default_factory=list)
    size: int = 0
    length: bool = True
    every: float = 0.5
    status: int = 200


class SlowServer:
    """``with SlowServer(Answer("drip")) as server: ... server.base_url ...``"""

    def __init__(self, answer: Answer | None = None, *, give_up: float = 30.0) -> None:
        self.answer = answer or Answer()
        self.give_up = give_up
        self.seen: list[Seen] = []
        self.sent_bytes = 0  # of the body, over every answer
        self.cut = threading.Event()  # the client hung up before the answer was over
        self.finished = threading.Event()  # the server sent an answer to its end
        self.gave_up = threading.Event()  # an answer ran past ``give_up`` seconds (or the server stopped)
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url_with(self, userinfo: str) -> str:
        """The base URL with ``user:password@`` in it."""
        return self.base_url.replace("http://", f"http://{userinfo}@")

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.seen.append(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                try:
                    server._answer(self)
                except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                    server.cut.set()
                finally:
                    self.close_connection = True

            do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

        return Handler

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        a = self.answer
        deadline = time.monotonic() + self.give_up
        if a.kind == "json":
            data = json.dumps(a.body).encode()
            h.send_response(a.status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            self.sent_bytes += len(data)
            self.finished.set()
            return
        h.send_response(a.status)
        h.send_header("Content-Type", "application/json")
        if a.kind == "huge":
            if a.length:
                h.send_header("Content-Length", str(a.size))
            h.send_header("Connection", "close")
            h.end_headers()
            chunk = b"[" + b" " * (256 * 1024 - 1)
            left = a.size
            while left > 0:
                if time.monotonic() > deadline or self.stopping.is_set():
                    self.gave_up.set()
                    return
                piece = chunk[:left]
                h.wfile.write(piece)
                self.sent_bytes += len(piece)
                left -= len(piece)
                chunk = b" " * len(chunk)
            h.wfile.flush()
            self.finished.set()
            return
        if a.kind == "drip":
            data = json.dumps(a.body).encode()
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.flush()
            for i in range(len(data)):
                if self.stopping.wait(a.every) or time.monotonic() > deadline:
                    self.gave_up.set()
                    return
                h.wfile.write(data[i:i + 1])
                h.wfile.flush()
                self.sent_bytes += 1
            self.finished.set()
            return
        raise ValueError(f"unknown answer kind {a.kind!r}")
