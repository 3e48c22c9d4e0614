"""Shared helpers: percentiles, the hermetic environment for child processes, seeded sandboxes."""

from __future__ import annotations

import compileall
import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "identity_tui"
LETTA_ENV = ("LETTA_BASE_URL", "LETTA_API_KEY", "IDENTITY_TUI_PROFILE", "NO_COLOR", "TEXTUAL_ANIMATIONS")


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by linear interpolation between the nearest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: list[float]) -> float:
    return percentile(values, 50)


def ms(seconds: float) -> float:
    return seconds * 1000


def child_env(home: Path) -> dict[str, str]:
    """The environment of an app under test: config, data and state under ``home``, no Letta settings."""
    env = {k: v for k, v in os.environ.items() if k not in LETTA_ENV}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env["TERM"] = "xterm-256color"
    env["COLORTERM"] = "truecolor"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def app_argv(*args: str) -> list[str]:
    """How the app under test is started: this interpreter, ``-m identity_tui`` (no launcher script)."""
    return [sys.executable, "-m", "identity_tui", *args]


def compile_package() -> None:
    """Write identity_tui's bytecode caches, as installing a package does; else each run compiles afresh."""
    compileall.compile_dir(str(PACKAGE), quiet=1)


def api_get(sandbox, target: str):
    """GET ``target`` from a sandbox in-process and decode the JSON: the wire API, not the store's."""
    status, _, body = sandbox.handle("GET", target, {"host": "127.0.0.1"}, b"")
    if status != 200:
        raise RuntimeError(f"GET {target}: {status} {body[:200]!r}")
    return json.loads(body)


def seeded_sandbox(path: str, n: int):
    """A sandbox at ``path`` (a file or ``:memory:``) holding ``n`` seeded identities."""
    from identity_tui.sandbox import Sandbox
    from identity_tui.sandbox.seed import seed

    sb = Sandbox(path)
    if sb.count() < n:
        seed(sb, n - sb.count())
    sb.clear_log()
    return sb
