"""Hermetic test set-up: config, data and state dirs in a temp dir, no inherited Letta settings."""

from __future__ import annotations

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``-n`` (pytest-xdist, ``--dist loadgroup``): the tests of the one real server run on one worker,
    since they count before and after on a shared server, and the real-terminal tests on one other, since
    each bounds how long a whole program may take."""
    for item in items:
        if item.get_closest_marker("letta") is not None:
            item.add_marker(pytest.mark.xdist_group("letta"))
        elif "e2e_process" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("terminal"))
