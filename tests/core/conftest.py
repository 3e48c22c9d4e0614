"""Fixtures for the core tests: hermetic dirs and clients on a mock transport."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from identity_tui.core.client import LettaClient

from .samples import BASE, FakeSleep, Recorder


@pytest.fixture
def xdg_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """Config, data and state dirs under tmp_path, and no Letta variables from the caller's shell."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    for var in ("LETTA_BASE_URL", "LETTA_API_KEY", "IDENTITY_TUI_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def make_client(sleep: FakeSleep):
    """``make_client(handler, **kwargs)`` -> (client, recorder); clients are closed after the test."""
    made: list[LettaClient] = []

    def factory(handler, **kwargs: Any) -> tuple[LettaClient, Recorder]:
        rec = handler if isinstance(handler, Recorder) else Recorder(handler)
        kwargs.setdefault("sleep", sleep)
        client = LettaClient(
            kwargs.pop("base_url", BASE), transport=httpx.MockTransport(rec), **kwargs
        )
        made.append(client)
        return client, rec

    yield factory
    for client in made:
        await client.aclose()
