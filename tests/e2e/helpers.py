"""What the end-to-end tests share: a backend (sandbox or real server), a save runner and strict comparisons."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from identity_tui.core import transaction
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import SentRequest
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.kinds import PropertyType
from identity_tui.core.models import Identity
from identity_tui.core.paths import identity_path
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import Plan, PlannedRequest, apply_to, plan_save
from identity_tui.sandbox import Sandbox

SANDBOX_URL = "http://sandbox.invalid"
READS = frozenset({"GET", "HEAD"})


def prop(key: str, type_: str, value: Any) -> dict[str, Any]:
    """A property as the wire carries it."""
    return {"key": key, "value": value, "type": type_}


def dprop(key: str, type_: str, value: Any) -> DraftProperty:
    """A draft row."""
    return DraftProperty(key, PropertyType(type_), value)


def strict(value: Any) -> str:
    """A canonical text in which ``1``, ``1.0``, ``True`` and ``-0.0`` all differ and order counts."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def state(identity: Identity) -> str:
    """What a save can change, compared strictly: the scalars and the property list."""
    return strict(
        {
            "id": identity.id,
            "name": identity.name,
            "identifier_key": identity.identifier_key,
            "identity_type": identity.identity_type.value,
            "project_id": identity.project_id,
            "properties": [p.wire() for p in identity.properties],
        }
    )


def wire_of(requests: list[SentRequest] | list[PlannedRequest]) -> list[tuple[str, str, str]]:
    """Method, path and strict body of each request."""
    return [(r.method, r.path, strict(r.body)) for r in requests]


@dataclass
class Backend:
    """One server to save against: the in-process sandbox or the real Letta server."""

    name: str
    client: LettaClient
    base_url: str
    token: str | None = None
    sandbox: Sandbox | None = None
    created: list[str] = field(default_factory=list)

    def key(self, label: str) -> str:
        """An identifier_key nobody else on a shared server uses."""
        return f"e2e-{label}-{uuid.uuid4().hex}"

    async def create(
        self,
        properties: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
        *,
        name: str = "E2E identity",
        identity_type: str = "user",
        identifier_key: str | None = None,
        project_id: str | None = None,
    ) -> Identity:
        """POST a new identity (removed again after the test) and return it as the server answered."""
        body: dict[str, Any] = {
            "identifier_key": identifier_key or self.key("id"),
            "name": name,
            "identity_type": identity_type,
            "properties": list(properties),
        }
        if project_id:
            body["project_id"] = project_id
        identity = await self.client.create(body)
        self.created.append(identity.id)
        return identity

    def writes(self) -> list[SentRequest]:
        """What the client sent since the last ``client.sent.clear()``, reads left out."""
        return [s for s in self.client.sent if s.method not in READS]

    def raw(self) -> httpx.AsyncClient:
        """A bare httpx client on the same server, for bytes the core client would never send."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        transport = self.sandbox.transport() if self.sandbox else None
        # A fresh connection per request: after a 500 the real server drops a kept-alive one.
        limits = httpx.Limits(max_keepalive_connections=0)
        return httpx.AsyncClient(
            base_url=self.base_url, headers=headers, transport=transport, limits=limits, timeout=30
        )

    async def cleanup(self) -> None:
        """Delete everything this test created, on a fresh client (the test's may be broken)."""
        if not self.created:
            return
        async with self.raw() as raw:
            for identity_id in self.created:
                response = await raw.delete(identity_path(identity_id))
                assert response.status_code in (200, 404), (identity_id, response.status_code)
        self.created.clear()


@dataclass
class Outcome:
    """What happened to one save: the plan, the answers, the error if any, the identity read back."""

    plan: Plan
    responses: list[Identity]
    predictions: list[Identity]
    error: LettaError | None
    readback: Identity | None


async def save(backend: Backend, original: Identity, draft: Draft) -> Outcome:
    """Plan the save and send it with the core's save transaction, the sender the app uses; read it back.

    Every answer is checked against ``apply_to``'s prediction; the first error stops the save, as it does
    in the app.
    """
    plan = plan_save(original, draft)
    assert plan.ok, plan.errors
    backend.client.sent.clear()
    if backend.sandbox:
        backend.sandbox.clear_log()
    progress = transaction.SendProgress()
    result = await transaction.send(backend.client, transaction.SaveJob(plan, draft, original), progress)
    error = result.error if isinstance(result, transaction.Failed) else None
    assert isinstance(result, (transaction.Saved, transaction.Failed)), result
    responses = list(progress.answers)
    predictions: list[Identity] = []
    have = original
    for request, got in zip(plan.requests, responses):
        predicted = apply_to(have, request)
        predictions.append(predicted)
        # (c) the planner's model of the server predicted this answer exactly.
        assert state(got) == state(predicted), f"apply_to mispredicted {request.method}"
        have = got
    if error is not None:
        predictions.append(apply_to(have, plan.requests[len(responses)]))
    # (b) exactly the plan went on the wire: no more, no fewer, in order, byte-for-byte bodies.
    sent = backend.writes()
    assert wire_of(sent) == wire_of(plan.requests[: len(sent)])
    expected_count = len(plan.requests) if error is None else len(responses) + 1
    assert len(sent) == expected_count
    if backend.sandbox:
        logged = [r for r in backend.sandbox.request_log if r.method not in READS]
        assert [(r.method, r.path, strict(r.body)) for r in logged] == wire_of(sent)
    readback: Identity | None
    try:
        readback = await backend.client.get(original.id)
    except NotFound:
        readback = None
    return Outcome(plan, responses, predictions, error, readback)


def assert_landed(outcome: Outcome, draft: Draft) -> None:
    """(a) the identity read back is the draft, and the last answer was that same identity."""
    assert outcome.error is None, outcome.error
    assert outcome.readback is not None
    assert held_otherwise(outcome.readback, draft) == []
    if outcome.responses:
        assert state(outcome.responses[-1]) == state(outcome.readback)
