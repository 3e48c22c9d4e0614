"""Backends for the HTTP contract suite: our sandbox always, a real Letta server when LETTA_CONTRACT_URL is set.

Every test runs once per backend (``test_x[sandbox]``, ``test_x[letta]``) with the same assertions. The sandbox
is served over real HTTP on a loopback port with a password, so auth is exercised as on a secure server.
Tests must be safe on a shared server: unique keys, deltas instead of absolute counts, and cleanup.
"""

from __future__ import annotations

import os
import secrets

import httpx
import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.sandbox.serve import ServerThread

from .helpers import Api, Backend

LETTA_URL = os.environ.get("LETTA_CONTRACT_URL", "").strip().rstrip("/")
LETTA_TOKEN = os.environ.get("LETTA_CONTRACT_TOKEN", "").strip() or None

BACKENDS = [pytest.param("sandbox", id="sandbox")]
if LETTA_URL:
    BACKENDS.append(pytest.param("letta", id="letta", marks=pytest.mark.letta))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest):
    """A base URL (and password) for one backend, shared by the whole session."""
    if request.param == "sandbox":
        sandbox = Sandbox(password=secrets.token_urlsafe(12))
        seed(sandbox, 25)  # other people's data: tests must never assume an empty store
        with ServerThread(sandbox) as server:
            yield Backend("sandbox", server.base_url, sandbox.password)
        sandbox.close()
        return
    try:
        answer = httpx.get(f"{LETTA_URL}/v1/identities/count", timeout=10,
                           headers={"Authorization": f"Bearer {LETTA_TOKEN}"} if LETTA_TOKEN else {})
        problem = "" if answer.status_code == 200 else f"GET /v1/identities/count answered {answer.status_code}"
    except httpx.HTTPError as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        pytest.fail(f"LETTA_CONTRACT_URL={LETTA_URL} is set but unusable: {problem}", pytrace=False)
    yield Backend("letta", LETTA_URL, LETTA_TOKEN)


@pytest.fixture
def api(backend: Backend):
    """Authenticated plain-httpx access to the backend; everything created through it is deleted afterwards."""
    with Api(backend) as session:
        yield session


@pytest.fixture
def secure(backend: Backend) -> Backend:
    """The backend, for tests of secure mode; a real server started without a password cannot run them."""
    if backend.token is None:
        pytest.skip("LETTA_CONTRACT_TOKEN is not set: this server is not in secure mode")
    return backend
