"""The real program on a pseudo-terminal: ``db``, a sandbox file holding Alice (a test module may give its own),
and ``term``, the app started on it at 80x24 and stopped after the test."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from identity_tui.sandbox import Sandbox

from .people import ALICE
from .terminal import app_on


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A sandbox file holding only Alice (a non-empty sandbox is not seeded)."""
    path = tmp_path / "sandbox.sqlite3"
    sb = Sandbox(path=str(path))
    sb.store.insert(copy.deepcopy(ALICE))
    sb.close()
    return path


@pytest.fixture
def term(db: Path, hermetic: Path):
    t = app_on(db)
    yield t
    t.stop()
