"""Counted words: "1 identity", "2 identities"."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word for that many, with thousands separators: ``plural(1, "row")`` is "1 row"."""
    word = one if n == 1 else (many if many is not None else one + "s")
    return f"{n:,} {word}"
