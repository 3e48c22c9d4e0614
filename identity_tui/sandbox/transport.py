"""An httpx transport that hands requests straight to a Sandbox, so clients can talk to it without a socket."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

from identity_tui.httpx_lean import httpx


class Handler(Protocol):
    """What answers the requests: the Sandbox, or anything with its ``handle``."""

    def handle(self, method: str, target: str, headers: Mapping[str, str],
               body: bytes) -> tuple[int, list[tuple[str, str]], bytes]: ...


class SandboxTransport(httpx.MockTransport):
    """One sync handler serves both kinds of client; an async client's request first gives the event loop a
    turn, as a socket would: the sandbox answers in-process, and a long run of requests (an export of every
    identity) would otherwise hold the loop, its keys, paints and signals, until the last answer."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await asyncio.to_thread(self.handle_request, request)


def make_transport(sandbox: Handler) -> httpx.MockTransport:
    """MockTransport reads the request body for async clients too, so one sync handler serves both kinds."""

    def respond(request: httpx.Request) -> httpx.Response:
        headers = dict(request.headers.multi_items())
        status, response_headers, data = sandbox.handle(
            request.method, request.url.raw_path.decode("ascii"), headers, request.read()
        )
        return httpx.Response(status, headers=response_headers, content=data, request=request)

    return SandboxTransport(respond)
