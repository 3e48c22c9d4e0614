"""A hostile test server: a sandbox over real HTTP on 127.0.0.1 whose answers a test can replace.

Every request goes to a ``Sandbox`` unless a rule answers it first: a rule matches a method and a path
(exact, or a prefix ending in ``*``) and gives the status, the headers and the body, raw bytes (JSON no
client would write: ``1e400``, a json value that is an array, escapes in any field) or an iterable of
byte chunks, each written and flushed in turn (a huge answer streamed, or a slow one that waits on an
event between chunks). ``identities(...)`` serves a fixed list for the list and each identity's path.

    with HostileServer() as server:
        server.identities([{"id": ..., "name": "\\x1b]2;title\\x07", ...}])
        run("list", "--base-url", server.url, "--token", server.token)
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from identity_tui.sandbox import Sandbox

Body = bytes | Iterable[bytes]


@dataclass
class Answer:
    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})


@dataclass
class Rule:
    method: str
    path: str
    answer: Answer | Callable[[str, str, bytes], Answer]

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


def huge_list(size: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """A list answer of about ``size`` bytes, streamed: one identity whose name is that long."""
    head = json.dumps([identity("")])[:-1].encode()
    cut = head.index(b'"name": ""') + len(b'"name": "')
    yield head[:cut]
    left = size
    while left > 0:
        yield b"x" * min(chunk, left)
        left -= chunk
    yield head[cut:] + b"]"


def dripped(body: bytes, step: threading.Event, size: int = 1) -> Iterator[bytes]:
    """``body`` ``size`` bytes at a time, each once ``step`` is set (the test sets it; it is cleared after
    each): a slow server that a test paces without sleeping."""
    for start in range(0, len(body), size):
        step.wait()
        step.clear()
        yield body[start:start + size]


def identity(name: str = "Hostile", key: str | None = None, properties: list[dict] | None = None,
             **fields: Any) -> dict[str, Any]:
    """An identity as the server sends one, any field replaced."""
    return {"id": f"identity-{uuid.uuid4()}", "identifier_key": key or f"hostile-{uuid.uuid4().hex[:8]}",
            "name": name, "identity_type": "user", "project_id": None, "agent_ids": [], "block_ids": [],
            "organization_id": "org-00000000-0000-4000-8000-000000000000",
            "properties": properties or [], **fields}


class HostileServer:
    """A context manager serving on 127.0.0.1 (any free port) until the block ends."""

    def __init__(self, sandbox: Sandbox | None = None, token: str = "pw") -> None:
        self.token = token
        self.sandbox = sandbox or Sandbox(password=token)
        self.rules: list[Rule] = []
        self.requests: list[tuple[str, str]] = []
        self.httpd = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile-http", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def args(self) -> list[str]:
        """The connection flags for a command run against this server."""
        return ["--base-url", self.url, "--token", self.token]

    def answer(self, method: str, path: str, answer: Answer | Callable[[str, str, bytes], Answer]) -> None:
        """Answer ``method`` on ``path`` (a prefix when it ends in ``*``) with ``answer``; the newest rule wins."""
        self.rules.insert(0, Rule(method, path, answer))

    def identities(self, items: list[dict[str, Any]], raw: bytes | None = None) -> None:
        """Serve ``items`` as the whole list (one page, however it is asked for) and each one by its id;
        ``raw`` is the list's body as given (JSON a client's encoder would not write)."""
        body = raw if raw is not None else json.dumps(items).encode()
        served = json.loads(body) if raw is not None else items
        self.answer("GET", "/v1/identities/", lambda _m, target, _b: Answer(
            body=body if "after=" not in target else b"[]"))
        for item, text in zip(served, _elements(body, served)):
            self.answer("GET", f"/v1/identities/{item['id']}", Answer(body=text))
        self.answer("GET", "/v1/identities/count", Answer(body=str(len(served)).encode()))

    def start(self) -> "HostileServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()
        self.sandbox.close()

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()


def _elements(body: bytes, items: list[Any]) -> list[bytes]:
    """Each element's own text when the list holds one, else each re-encoded (good enough for a get)."""
    if len(items) == 1:
        text = body.strip()
        return [text[1:-1]]
    return [json.dumps(item).encode() for item in items]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up on a slow or huge answer is what these tests do


def _handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlsplit(self.path).path
            server.requests.append((self.command, self.path))
            rule = next((r for r in server.rules if r.matches(self.command, path)), None)
            if rule is None:
                status, headers, data = server.sandbox.handle(self.command, self.path, dict(self.headers.items()),
                                                              body)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                return
            answer = rule.answer if isinstance(rule.answer, Answer) else rule.answer(self.command, self.path, body)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if isinstance(answer.body, bytes):
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                return
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for chunk in answer.body:
                if chunk:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# Answers no server should send, each by a name: every command and the app meet each one (issue 24).
def _with_number(text: bytes) -> bytes:
    return json.dumps([identity("n", properties=[{"key": "n", "type": "number", "value": 0}])]).encode().replace(
        b'"value": 0', b'"value": ' + text)


ANSWERS: dict[str, Answer] = {
    "wrong-shape": Answer(body=b'[{"id": 5}]'),
    "detail-with-escapes": Answer(400, json.dumps({"detail": "\x1b]2;TITLE\x07\u202e\u2028\x9b"}).encode()),
    "html": Answer(200, b"<html>\x1b[2J</html>", {"content-type": "text/html"}),
    "null": Answer(body=b"null"),
    "nested-100000-deep": Answer(body=b"[" * 100_000 + b"]" * 100_000),
    "properties-not-objects": Answer(body=json.dumps([identity("x", properties=[5, "x", None])]).encode()),
    "infinity": Answer(body=_with_number(b"1e400")),
    "422-as-a-repr": Answer(422, b'{"detail": "[{\'loc\': (\'body\', \'x\'), \'msg\': \'\\u001b[2J\'}]"}'),
    "empty-200": Answer(200, b""),
    "5000-digit-int": Answer(body=_with_number(b"9" * 5000)),
}
