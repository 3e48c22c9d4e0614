"""Shared data for the core tests: real server bodies, a recording mock transport, a fake sleep."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx

BASE = "http://letta.test:8283"
CANARY = "sk-canary-7f3a9d1e-token"

# Bodies copied from the real server's transcript (Letta 0.16.8).
ALICE = {
    "id": "identity-a456d6c1-b1f7-4101-b829-b63708512b46",
    "identifier_key": "alice",
    "name": "Alice",
    "identity_type": "user",
    "project_id": None,
    "agent_ids": [],
    "block_ids": [],
    "organization_id": "org-00000000-0000-4000-8000-000000000000",
    "properties": [
        {"key": "email", "value": "alice@example.com", "type": "string"},
        {"key": "age", "value": 30, "type": "number"},
    ],
}
ACME = {
    "id": "identity-a2201640-c62c-4e85-a8f9-1f5796072ac1",
    "identifier_key": "acme",
    "name": "Acme Corp",
    "identity_type": "org",
    "project_id": None,
    "agent_ids": [],
    "block_ids": [],
    "organization_id": "org-00000000-0000-4000-8000-000000000000",
    "properties": [
        {"key": "meta", "value": {"tier": "gold", "seats": 5}, "type": "json"},
        {"key": "active", "value": True, "type": "boolean"},
    ],
}
ZOE = {
    "id": "identity-bf31b267-adfb-4294-86f8-a3916c8543df",
    "identifier_key": "ünï",
    "name": "Zoë 🚀",
    "identity_type": "user",
    "project_id": None,
    "agent_ids": [],
    "block_ids": [],
    "organization_id": "org-00000000-0000-4000-8000-000000000000",
    "properties": [{"key": "score", "value": 1.5, "type": "number"}],
}
CAROL = {
    "id": "identity-507fb038-2e60-4839-8795-9d88364d91b4",
    "identifier_key": "carol",
    "name": "Carol",
    "identity_type": "other",
    "project_id": "proj-1",
    "agent_ids": [],
    "block_ids": [],
    "organization_id": "org-00000000-0000-4000-8000-000000000000",
    "properties": [],
}


def body(which: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of a transcript body, safe to mutate."""
    return copy.deepcopy(which)


class Recorder:
    """Wraps a handler, keeping every request the client sent."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def json(self, i: int = -1) -> Any:
        return json.loads(self.requests[i].content)


class FakeSleep:
    """An async sleep that returns at once and remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def reply(status: int = 200, data: Any = None, **kwargs: Any) -> Callable[[httpx.Request], httpx.Response]:
    """A handler that always answers ``status`` with ``data`` as JSON."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=data, **kwargs)

    return handler

