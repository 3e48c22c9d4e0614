"""httpx, imported without its command-line tool and without trio.

Whenever click is installed, ``import httpx`` also imports ``httpx._main`` (click, pygments and Rich's
console: 15-20 ms of start-up here) only to offer ``httpx.main``, which this app never runs. The
import is given a stand-in that loads the real tool if anybody calls it; ``import httpx._main`` later
still finds the real module.

Likewise, whenever trio is installed, httpcore imports it (20-60 ms) to be ready to run under trio.
identity-tui runs under asyncio only, so while httpx and httpcore are imported trio reads as not
installed; the block is lifted right after, so ``import trio`` still works for anyone else. httpcore
is imported only for a real connection (``load_network``): the sandbox never needs it.

A leaf: it imports nothing of identity_tui, so the core and the sandbox both take httpx from here.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def _without_trio() -> Iterator[None]:
    block = "trio" not in sys.modules
    if block:
        sys.modules["trio"] = None  # type: ignore[assignment]  # "import trio" raises ImportError
    try:
        yield
    finally:
        if block and sys.modules.get("trio", 0) is None:
            del sys.modules["trio"]


def _import_without_cli() -> None:
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - the httpx command line, never used here
        from importlib import import_module

        sys.modules.pop("httpx._main", None)
        return import_module("httpx._main").main(*args, **kwargs)

    setattr(stand_in, "main", main)
    sys.modules["httpx._main"] = stand_in
    try:
        with _without_trio():
            import httpx  # noqa: F401
    finally:
        if sys.modules.get("httpx._main") is stand_in:
            del sys.modules["httpx._main"]


def load_network() -> None:
    """Import what a real connection needs (httpcore), leaving trio out; call before making one."""
    if "httpcore" not in sys.modules:
        with _without_trio():
            import httpcore  # noqa: F401


_import_without_cli()

import httpx  # noqa: E402

__all__ = ["httpx", "load_network"]
