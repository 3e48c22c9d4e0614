"""The sandbox server at 100,000 identities: one page of 50 under each filter, in-process and over HTTP.

In-process times ``Sandbox.handle`` (routing, SQL, JSON encoding): the server's own cost. Over HTTP
times a keep-alive ``httpx.Client`` round trip to the same sandbox served on loopback, which adds
the HTTP parsing and the socket hops a client sees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.common import api_get, ms
from bench.server import serve

REPEAT = 30
WARMUP = 3


@dataclass
class PageTiming:
    case: str
    query: str
    rows: int
    server_ms: list[float]
    http_ms: list[float]


def cases(sandbox: Any) -> list[tuple[str, dict[str, str]]]:
    """The filters to time, with values taken from the data itself."""
    total = api_get(sandbox, "/v1/identities/count")
    # Newest first is the default order, so the oldest tenth lies 90% deep.
    deep = api_get(sandbox, f"/v1/identities/?order=asc&limit={max(1, total // 10)}")[-1]
    old_key = api_get(sandbox, "/v1/identities/?order=asc&limit=100")[-1]["identifier_key"]
    return [
        # The list first (the target applies to these), then harder cases.
        ("no filter", {}),
        ("name substring", {"name": "rossi"}),
        ("identifier_key", {"identifier_key": old_key}),
        ("identity_type", {"identity_type": "org"}),
        ("project_id", {"project_id": "proj-sales"}),
        ("order asc", {"order": "asc"}),
        ("after-cursor 90% deep", {"after": deep["id"]}),
        ("name substring of 2 characters, no match", {"name": "xq"}),
        ("name + type + after-cursor deep", {"name": "ross", "identity_type": "user", "after": deep["id"]}),
    ]


def _time(call, n: int) -> list[float]:
    out = []
    for i in range(WARMUP + n):
        t = time.perf_counter()
        call()
        if i >= WARMUP:
            out.append(ms(time.perf_counter() - t))
    return out


def run(sandbox: Any) -> list[PageTiming]:
    results = []
    server, _ = serve(sandbox)
    try:
        with httpx.Client(base_url=server.base_url) as client:
            for case, params in cases(sandbox):
                target = "/v1/identities/?" + urlencode({"limit": 50, **params})
                status, _, body = sandbox.handle("GET", target, {"host": "127.0.0.1"}, b"")
                assert status == 200, (case, body[:200])
                rows = len(client.get(target).json())
                server_ms = _time(lambda: sandbox.handle("GET", target, {"host": "127.0.0.1"}, b""), REPEAT)
                http_ms = _time(lambda: client.get(target).raise_for_status(), REPEAT)
                results.append(PageTiming(case, urlencode(params), rows, server_ms, http_ms))
    finally:
        server.stop()
    return results
