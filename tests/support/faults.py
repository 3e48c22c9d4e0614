"""A fault-injecting httpx transport: wraps a real one (the sandbox) and breaks chosen requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

Match = Callable[[httpx.Request], bool]


def writes(request: httpx.Request) -> bool:
    """Every request that changes something."""
    return request.method != "GET"


def method(name: str, path_part: str = "") -> Match:
    """Requests of one method whose path contains ``path_part``."""
    return lambda r: r.method == name and path_part in r.url.path


def path_is(path: str, name: str = "GET") -> Match:
    """Requests of one method to exactly ``path``."""
    return lambda r: r.method == name and r.url.path == path


FAULTS = (
    "refused",
    "dropped",
    "timeout",
    "500",
    "502",
    "503",
    "429",
    "malformed",
    "truncated",
    "not_identity",
)
# Faults for the journal's matrix, armed by name: a refusal the server gives, and a write landing late.
MORE_FAULTS = ("409", "422", "late")


@dataclass
class FaultyTransport(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` except those ``match`` selects, which get ``fault`` instead.

    ``times`` limits how many requests are broken (None: all). ``dropped`` forwards the request,
    so the server acts on it, then loses the answer, like a connection cut mid-response.
    """

    inner: httpx.AsyncBaseTransport
    fault: str | None = None
    match: Match = writes
    times: int | None = None
    broken: list[httpx.Request] = field(default_factory=list)
    seen: list[httpx.Request] = field(default_factory=list)
    # "hang" never answers (like a stopped server); "hang_after" lets the server act, then never answers.
    # ``hanging`` is set once a request hangs, so a test can wait for that moment.
    hanging: asyncio.Event = field(default_factory=asyncio.Event)
    # "late": the caller times out at once, and the request reaches the server once ``release`` is set
    # (``landing`` holds the task that forwards it: await it to know it landed).
    release: asyncio.Event = field(default_factory=asyncio.Event)
    landing: list[asyncio.Task] = field(default_factory=list)

    def arm(self, fault: str | None, match: Match = writes, times: int | None = None) -> None:
        """Choose the next fault."""
        self.fault, self.match, self.times = fault, match, times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self.fault is None or not self.match(request) or self.times == 0:
            return await self.inner.handle_async_request(request)
        if self.times is not None:
            self.times -= 1
        self.broken.append(request)
        fault = self.fault
        if fault == "refused":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault == "dropped":
            response = await self.inner.handle_async_request(request)
            await response.aread()
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if fault in ("hang", "hang_after"):
            if fault == "hang_after":
                await (await self.inner.handle_async_request(request)).aread()
            self.hanging.set()
            await asyncio.Event().wait()  # never set: only a cancel ends this wait
        if fault == "late":
            self.landing.append(asyncio.ensure_future(self._later(request)))
            raise httpx.ReadTimeout("timed out", request=request)
        if fault in ("409", "422"):
            detail = "identifier_key already exists" if fault == "409" else "[{'loc': ['body', 'name'], 'msg': 'bad'}]"
            return httpx.Response(int(fault), json={"detail": detail}, request=request)
        if fault == "timeout":
            await asyncio.sleep(0)
            raise httpx.ReadTimeout("timed out", request=request)
        if fault in ("500", "502", "503"):
            return httpx.Response(int(fault), json={"detail": "An unknown error occurred"}, request=request)
        if fault == "429":
            return httpx.Response(429, headers={"Retry-After": "0"}, json={"detail": "slow down"}, request=request)
        if fault == "malformed":
            return httpx.Response(200, content=b"<html>proxy error</html>", request=request)
        if fault == "truncated":
            return httpx.Response(200, content=b'{"id": "identity-', headers={"content-type": "application/json"}, request=request)
        if fault == "not_identity":
            return httpx.Response(200, json={"hello": "world"}, request=request)
        raise ValueError(f"unknown fault {fault!r}")

    async def _later(self, request: httpx.Request) -> None:
        await self.release.wait()
        response = await self.inner.handle_async_request(request)
        await response.aread()
