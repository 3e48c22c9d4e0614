"""Untrusted text made safe to show: control characters become visible escapes, nothing is interpreted."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidi overrides that can reorder what a line appears to say.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as ``\\xNN`` (newlines kept when asked)."""
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape, text)


def one_line(text: str, width: int | None = None) -> str:
    """A printable single line, cut to ``width`` characters with an ellipsis."""
    line = printable(text)
    if width is not None and len(line) > width:
        return line[: max(0, width - 1)] + "…"
    return line
