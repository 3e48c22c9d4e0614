"""Hermetic test set-up: config, data and state dirs in a temp dir, no inherited Letta settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

LETTA_ENV = ("LETTA_BASE_URL", "LETTA_API_KEY", "IDENTITY_TUI_PROFILE", "NO_COLOR", "EDITOR", "VISUAL")


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every platformdirs location at a temp dir and drop the user's Letta variables."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    for var in LETTA_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return home


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``-n`` (pytest-xdist, ``--dist loadgroup``): the tests of the one real server run on one worker,
    since they count before and after on a shared server, and the real-terminal tests on one other, since
    each bounds how long a whole program may take."""
    for item in items:
        if item.get_closest_marker("letta") is not None:
            item.add_marker(pytest.mark.xdist_group("letta"))
        elif "e2e_process" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("terminal"))


@pytest.fixture(autouse=True)
def alone_when_timed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Under several workers, a real-terminal test runs while the other workers wait: each bounds how long a
    whole program may take, which a second CPU-bound test beside it would stretch. Other tests share."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or os.name != "posix":
        yield
        return
    import fcntl

    root = tmp_path_factory.getbasetemp().parent  # shared by the workers of one run
    exclusive = "e2e_process" in request.node.nodeid
    with open(root / "timed.turnstile", "a+") as turnstile, open(root / "timed.lock", "a+") as lock:
        # The turnstile is taken first by everyone, so a waiting terminal test is never passed over.
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
