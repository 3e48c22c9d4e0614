"""The name ``identity_tui.core.httpx_lean`` had before the httpx start-up trick became the leaf
``identity_tui.httpx_lean`` (which the sandbox imports too); the package imports httpx from there."""

from __future__ import annotations

from identity_tui.httpx_lean import httpx as httpx
from identity_tui.httpx_lean import load_network as load_network

__all__ = ["httpx", "load_network"]
