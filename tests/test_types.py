"""The type checker passes: the whole package checked, the core and the commands strictly (pyproject.toml's
[tool.mypy]). It runs in CI through the README's test command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error(tmp_path):
    ran = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]
