"""Fixtures for driving the real app against an in-process sandbox."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from identity_tui.core.config import Config, Connection
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.timing import Timing
from tests.support.edit_helpers import ALICE, BOB

SANDBOX_LABEL = Path("sandbox.sqlite3")


@pytest.fixture
def sandbox():
    """A seeded in-memory sandbox with deterministic data."""
    sb = Sandbox(path=":memory:")
    seed(sb, 120, rng_seed=7)
    sb.clear_log()
    yield sb
    sb.close()


@pytest.fixture
def empty_sandbox():
    """An in-memory sandbox with no identities."""
    sb = Sandbox(path=":memory:")
    yield sb
    sb.close()


@pytest.fixture
def make_app(sandbox):
    """Build the app on the sandbox (or on a given store/transport, with given delays), cursor blink off."""

    def make(
        *,
        store=None,
        readonly: bool = False,
        page_size: int = 50,
        transport=None,
        conn: Connection | None = None,
        config: Config | None = None,
        timing: Timing | None = None,
    ) -> IdentityApp:
        cfg = config or Config(page_size=page_size)
        if transport is not None:
            connection = conn or Connection(base_url="http://letta.test:8283", readonly=readonly)
            return IdentityApp(connection, cfg, transport=transport, cursor_blink=False, timing=timing)
        connection = conn or Connection(
            base_url="http://sandbox.invalid", sandbox=SANDBOX_LABEL, readonly=readonly
        )
        return IdentityApp(connection, cfg, sandbox=store or sandbox, cursor_blink=False, timing=timing)

    return make


@pytest.fixture
def until():
    """Wait for a state of the app (a timer ran out, a page came), not for a length of time."""

    async def wait(pilot, holds, *, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not holds():
            assert time.monotonic() < deadline, f"still not so after {within}s"
            await pilot.pause()

    return wait


@pytest.fixture
def fixed_ids(monkeypatch):
    """Make ids the sandbox mints on create predictable, so snapshots of new identities are stable."""
    import uuid

    from identity_tui.sandbox import api

    counter = iter(range(1, 1_000_000))
    monkeypatch.setattr(
        api, "new_id", lambda prefix: f"{prefix}-{uuid.UUID(int=next(counter) << 64, version=4)}"
    )


@pytest.fixture
def people(sandbox):
    """Bob, then Alice (newest, so first in the list), inserted with fixed ids; the request log cleared."""
    sandbox.store.insert(copy.deepcopy(BOB))
    sandbox.store.insert(copy.deepcopy(ALICE))
    sandbox.clear_log()
    return sandbox
