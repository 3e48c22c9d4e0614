"""The Sandbox: a Letta-compatible identities server in one object, callable in-process or over HTTP."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from identity_tui.httpx_lean import httpx

from identity_tui.sandbox import routing, wire
from identity_tui.sandbox.store import Store
from identity_tui.sandbox.transport import make_transport

# The server's password middleware lets exactly these paths through (note: not "/latest/health").
_AUTH_EXEMPT = frozenset({"/v1/health", "/v1/health/", "/latest/health/", "/v1/ready", "/v1/ready/",
                          "/latest/ready", "/latest/ready/"})


@dataclass
class LoggedRequest:
    """One request as the sandbox saw it, for tests to assert on what a client actually sent."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int


class Sandbox:
    """A SQLite-backed server speaking the Letta 0.16.8 identities wire protocol, quirks included; thread-safe."""

    def __init__(self, path: str = ":memory:", password: str | None = None):
        self.store = Store(path)
        self.password = password
        self.actor = wire.Actor(self.store.created_at())
        self.lock = threading.RLock()
        self.request_log: list[LoggedRequest] = []

    def handle(self, method: str, target: str, headers: Mapping[str, str],
               body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one HTTP request given as method, path-plus-query and raw body."""
        method = method.upper()
        split = urlsplit(target)
        path = unquote(split.path) or "/"
        query = dict(parse_qsl(split.query, keep_blank_values=True))  # last value wins, as in Starlette
        lowered = {k.lower(): v for k, v in headers.items()}
        with self.lock:
            try:
                status, payload, extra = self._answer(method, path, split.query, query, lowered, body)
            except wire.HTTPError as exc:
                status, payload, extra = exc.status, exc.body, exc.headers
            except Exception:
                status, payload, extra = 500, {"detail": "An unknown error occurred"}, []
            self.request_log.append(LoggedRequest(method, path, query, _parsed(body), status))
        if status == 307:
            return status, [*extra, ("content-length", "0"), wire.SANDBOX_HEADER], b""
        try:
            data = wire.encode_json(payload)
        except OverflowError:
            # The write (if any) is committed, but the answer cannot be written: Letta's 500.
            status, data = 500, wire.encode_json({"detail": "An unknown error occurred"})
        response_headers = [("content-length", str(len(data))), ("content-type", "application/json"), *extra,
                            wire.SANDBOX_HEADER]
        # HEAD gets the headers a GET would have, without the body, as from uvicorn.
        return status, response_headers, b"" if method == "HEAD" else data

    def _answer(self, method: str, path: str, query_string: str, query: dict[str, str], headers: dict[str, str],
                body: bytes) -> tuple[int, Any, list[tuple[str, str]]]:
        if self.password is not None and path not in _AUTH_EXEMPT and not self._authorized(headers):
            raise wire.detail(401, "Unauthorized")
        route, params = routing.resolve(method, path, headers.get("host", "testserver"), query_string)
        status, payload = routing.dispatch(route, params, query, headers, body, self.store, self.actor)
        return status, payload, []

    def _authorized(self, headers: dict[str, str]) -> bool:
        # Exact string comparisons, as the server's middleware does: "bearer" in lower case is refused.
        return (headers.get("x-bare-password") == f"password {self.password}"
                or headers.get("authorization") == f"Bearer {self.password}")

    def transport(self) -> httpx.MockTransport:
        """An in-process httpx transport; works for both httpx.Client and httpx.AsyncClient."""
        return make_transport(self)

    def clear_log(self) -> None:
        with self.lock:
            self.request_log.clear()

    def count(self) -> int:
        with self.lock:
            return self.store.count()

    def close(self) -> None:
        with self.lock:
            self.store.close()


def _parsed(body: bytes) -> Any:
    if not body:
        return None
    try:
        return wire.loads(body)
    except (ValueError, RecursionError):  # the log must never fail where the answer did not
        return None
