"""Untrusted text made safe to show: control characters become visible escapes, nothing is interpreted."""

from __future__ import annotations

import re

# What must never reach a terminal raw: C0 and C1 controls and DEL (they drive the terminal: colours,
# titles, the clipboard), the bidi controls that reorder what a line appears to say (embeddings and
# overrides U+202A-202E, isolates U+2066-2069, the marks U+200E, U+200F and U+061C), and the line and
# paragraph separators U+2028 and U+2029 (they break a line, or a row, where nothing shows why).
UNSAFE_CHARS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[{UNSAFE_CHARS}]")
_UNSAFE = UNSAFE


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as ``\\xNN`` (newlines kept when asked)."""
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape, text)


def clipboard_text(text: str) -> tuple[str, bool]:
    """``text`` as it may go to the clipboard, and whether anything in it was escaped: exactly as it is,
    unless it holds a control or bidi character other than a line break, which is then written ``\\xNN``
    (pasted raw into a terminal, an escape sequence could end a bracketed paste and run what follows)."""
    safe = printable(text, keep_newlines=True)
    return safe, safe != text


def one_line(text: str, width: int | None = None) -> str:
    """A printable single line, cut to ``width`` characters with an ellipsis."""
    line = printable(text)
    if width is not None and len(line) > width:
        return line[: max(0, width - 1)] + "…"
    return line


def one_line_pair(before: str, after: str, width: int) -> tuple[str, str]:
    """Both texts as ``one_line`` at ``width``, but when cutting would hide where they differ, both are cut
    around the first difference instead, with an ellipsis on each side that was cut."""
    a, b = printable(before), printable(after)
    if len(a) <= width and len(b) <= width:
        return a, b
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = 0 if first < width - width // 3 else first - width // 3
    return _cut_from(a, start, width), _cut_from(b, start, width)


def _cut_from(line: str, start: int, width: int) -> str:
    head = "…" if start > 0 else ""
    body = line[start:]
    room = width - len(head)
    return head + (body if len(body) <= room else body[: max(0, room - 1)] + "…")
