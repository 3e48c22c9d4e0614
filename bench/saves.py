"""Requests and bytes per save: the planner's minimal requests against a full PATCH every time.

Ten typical edits are made, one after another, to one seeded identity. Each save is planned with
``plan_save`` and sent through the real client to an in-process sandbox, then read back to check it
landed. The comparison sends what the ADE sends for the same edit, a PATCH carrying every field and
the whole property list, to a twin sandbox. Bytes are the HTTP/1.1 request as it would go on the
wire: request line, headers and body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from identity_tui.core import transaction
from identity_tui.core.client import LettaClient
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity
from identity_tui.core.paths import identity_path
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import plan_save
from bench.common import api_get, seeded_sandbox

SEEDED = 200


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes requests on, counting each one and its size on the wire."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests = self.bytes = self.body_bytes = 0

    def reset(self) -> None:
        self.requests = self.bytes = self.body_bytes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        line = f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1\r\n"
        headers = sum(len(k) + len(v) + 4 for k, v in request.headers.raw)
        self.requests += 1
        self.bytes += len(line) + headers + 2 + len(body)
        self.body_bytes += len(body)
        return await self.inner.handle_async_request(request)


@dataclass
class SaveRow:
    edit: str
    removes: bool
    requests: int
    bytes: int
    body_bytes: int
    full_requests: int
    full_bytes: int
    full_body_bytes: int
    landed: bool
    methods: str


def _props(draft: Draft, change: Callable[[DraftProperty], DraftProperty | None], kind: PropertyType) -> Draft:
    """The draft with the first property of type ``kind`` changed (or dropped when ``change`` gives None)."""
    out, done = [], False
    for p in draft.properties:
        if not done and PropertyType(p.type) is kind:
            done = True
            new = change(p)
            if new is not None:
                out.append(new)
        else:
            out.append(p)
    return replace(draft, properties=tuple(out))


EDITS: list[tuple[str, Callable[[Draft], Draft]]] = [
    ("rename", lambda d: replace(d, name=d.name + " Jr.")),
    ("change the identifier key", lambda d: replace(d, identifier_key="renamed-" + d.identifier_key)),
    ("change the type", lambda d: replace(d, identity_type=IdentityType.OTHER)),
    ("edit a text property", lambda d: _props(d, lambda p: replace(p, value=p.value + "!"), PropertyType.STRING)),
    ("edit a number property", lambda d: _props(d, lambda p: replace(p, value=p.value + 1), PropertyType.NUMBER)),
    ("flip a boolean property", lambda d: _props(d, lambda p: replace(p, value=not p.value), PropertyType.BOOLEAN)),
    ("edit a JSON property", lambda d: _props(d, lambda p: replace(p, value={**p.value, "edited": True}),
                                              PropertyType.JSON)),
    ("add a property", lambda d: replace(d, properties=(*d.properties,
                                                        DraftProperty("nickname", PropertyType.STRING, "Al")))),
    ("rename and edit a property", lambda d: _props(replace(d, name=d.name.removesuffix(" Jr.")),
                                                    lambda p: replace(p, value=p.value + 2), PropertyType.NUMBER)),
    ("remove a property", lambda d: replace(d, properties=d.properties[:-1])),
]


def _full_patch(draft: Draft) -> dict:
    """What the ADE sends for any edit: every field and the whole property list."""
    return {
        "identifier_key": draft.identifier_key,
        "name": draft.name,
        "identity_type": IdentityType(draft.identity_type).value,
        "properties": [p.wire() for p in draft.properties],
    }


def _pick(sb) -> str:
    """A user with text, number, boolean and JSON properties: an identity worth editing."""
    for row in api_get(sb, f"/v1/identities/?limit={SEEDED}"):
        kinds = {p["type"] for p in row["properties"]}
        if kinds >= {"string", "number", "boolean", "json"} and len(row["properties"]) >= 5:
            return row["id"]
    raise LookupError("no identity with every property type in the seed")


async def _run() -> list[SaveRow]:
    ours_sb, full_sb = seeded_sandbox(":memory:", SEEDED), seeded_sandbox(":memory:", SEEDED)
    ours_t, full_t = CountingTransport(ours_sb.transport()), CountingTransport(full_sb.transport())
    ours = LettaClient("http://sandbox.invalid", transport=ours_t)
    full = LettaClient("http://sandbox.invalid", transport=full_t)
    identity_id = _pick(ours_sb)
    rows = []
    try:
        for name, edit in EDITS:
            original: Identity = await ours.get(identity_id)
            draft = edit(Draft.of(original))
            plan = plan_save(original, draft)
            assert plan.ok and not plan.empty, (name, plan.errors)
            ours_t.reset()
            full_t.reset()
            outcome = await transaction.send(ours, transaction.SaveJob(plan, draft, original))
            assert isinstance(outcome, transaction.Saved), (name, outcome)
            await full.request("PATCH", identity_path(identity_id), body=_full_patch(draft), has_body=True)
            rows.append(SaveRow(
                edit=name,
                removes=len(draft.properties) < len(original.properties),
                requests=ours_t.requests,
                bytes=ours_t.bytes,
                body_bytes=ours_t.body_bytes,
                full_requests=full_t.requests,
                full_bytes=full_t.bytes,
                full_body_bytes=full_t.body_bytes,
                landed=not held_otherwise(await ours.get(identity_id), draft),
                methods=" + ".join(r.method for r in plan.requests),
            ))
    finally:
        await ours.aclose()
        await full.aclose()
        ours_sb.close()
        full_sb.close()
    return rows


def run() -> list[SaveRow]:
    return asyncio.run(_run())
