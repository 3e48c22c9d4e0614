"""An httpx transport that hands requests straight to a Sandbox, so clients can talk to it without a socket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from identity_tui.core.httpx_lean import httpx


class Handler(Protocol):
    """What answers the requests: the Sandbox, or anything with its ``handle``."""

    def handle(self, method: str, target: str, headers: Mapping[str, str],
               body: bytes) -> tuple[int, list[tuple[str, str]], bytes]: ...


def make_transport(sandbox: Handler) -> httpx.MockTransport:
    """MockTransport reads the request body for async clients too, so one sync handler serves both kinds."""

    def respond(request: httpx.Request) -> httpx.Response:
        headers = dict(request.headers.multi_items())
        status, response_headers, data = sandbox.handle(
            request.method, request.url.raw_path.decode("ascii"), headers, request.read()
        )
        return httpx.Response(status, headers=response_headers, content=data, request=request)

    return httpx.MockTransport(respond)
