"""Backends for the end-to-end tests: the in-process sandbox always, a real Letta server when asked.

``LETTA_CONTRACT_URL`` (and ``LETTA_CONTRACT_TOKEN`` for a server in secure mode) adds the ``letta``
parameter; without it that parameter does not exist at all. Set but unreachable is a failure.
"""

from __future__ import annotations

import os

import pytest

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.errors import LettaError
from identity_tui.sandbox import Sandbox

from .helpers import SANDBOX_URL, Backend

LETTA_URL = os.environ.get("LETTA_CONTRACT_URL", "").strip()
LETTA_TOKEN = os.environ.get("LETTA_CONTRACT_TOKEN", "").strip() or None

BACKENDS = [pytest.param("sandbox", id="sandbox")]
if LETTA_URL:
    BACKENDS.append(pytest.param("letta", id="letta", marks=pytest.mark.letta))

# No retries: every request a test makes must show up exactly once in ``client.sent``.
OPTIONS = ClientOptions(retries=0, connect_timeout=5.0, read_timeout=30.0)

_letta_problem: list[str] = []  # filled once, on the first test that needs the server


async def _check_letta(client: LettaClient) -> None:
    if not _letta_problem:
        try:
            await client.health()
            await client.count()  # health is open to all; this one proves the token
            _letta_problem.append("")
        except LettaError as exc:
            _letta_problem.append(f"{type(exc).__name__}: {exc}")
    if _letta_problem[0]:
        pytest.fail(
            f"LETTA_CONTRACT_URL={LETTA_URL} is set but the server cannot be used: "
            f"{_letta_problem[0]} (scripts/letta-server status)",
            pytrace=False,
        )


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest):
    """A fresh client on the sandbox or the real server; what the test created is deleted after."""
    sandbox: Sandbox | None = None
    if request.param == "sandbox":
        sandbox = Sandbox(path=":memory:")
        client = LettaClient(SANDBOX_URL, transport=sandbox.transport(), options=OPTIONS)
        made = Backend("sandbox", client, SANDBOX_URL, sandbox=sandbox)
    else:
        client = LettaClient(LETTA_URL, token=LETTA_TOKEN, options=OPTIONS)
        made = Backend("letta", client, LETTA_URL, token=LETTA_TOKEN)
        try:
            await _check_letta(client)
        except BaseException:
            await client.aclose()
            raise
    try:
        yield made
    finally:
        try:
            await made.cleanup()
        finally:
            await client.aclose()
            if sandbox:
                sandbox.close()
