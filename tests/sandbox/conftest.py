"""Fixtures for the sandbox's own tests: an in-memory Sandbox and an httpx client wired to it in-process."""

from __future__ import annotations

import uuid
from typing import Any, Callable

import httpx
import pytest

from identity_tui.sandbox import Sandbox


@pytest.fixture
def sb():
    sandbox = Sandbox()
    yield sandbox
    sandbox.close()


@pytest.fixture
def http(sb: Sandbox):
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox.test") as client:
        yield client


@pytest.fixture
def create(http: httpx.Client) -> Callable[..., dict]:
    """POST an identity (unique key unless given) and return it; any status but 200 fails the test."""

    def make(**fields: Any) -> dict:
        body = {"identifier_key": f"k-{uuid.uuid4().hex[:10]}", "name": "Test", "identity_type": "user", **fields}
        response = http.post("/v1/identities/", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    return make
