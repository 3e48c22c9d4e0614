"""httpx, imported without its command-line tool.

Whenever click is installed, ``import httpx`` also imports ``httpx._main`` (click, pygments and Rich's
console: 15-20 ms of start-up here) only to offer ``httpx.main``, which this app never runs. The
import is given a stand-in that loads the real tool if anybody calls it; ``import httpx._main`` later
still finds the real module.
"""

from __future__ import annotations

import sys
import types


def _import_without_cli() -> None:
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args, **kwargs):  # pragma: no cover - the httpx command line, never used here
        from importlib import import_module

        sys.modules.pop("httpx._main", None)
        return import_module("httpx._main").main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in
    try:
        import httpx  # noqa: F401
    finally:
        if sys.modules.get("httpx._main") is stand_in:
            del sys.modules["httpx._main"]


_import_without_cli()

import httpx  # noqa: E402

__all__ = ["httpx"]
