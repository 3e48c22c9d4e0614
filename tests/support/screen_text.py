"""The text a person sees on the screen, line by line, read from the app's own screenshot."""

from __future__ import annotations

import html
import re

from rich.cells import cell_len

_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')
CELL_WIDTH = 12.2  # pixels per terminal cell in Rich's SVG export


def screen_lines(app) -> list[str]:
    """Each row of the screen as plain text (no colours, no styles), each character in its own cell."""
    rows: dict[float, list[tuple[int, str]]] = {}
    for match in _TEXT.finditer(app.export_screenshot()):
        column = round(float(match.group(1)) / CELL_WIDTH)
        rows.setdefault(float(match.group(2)), []).append((column, html.unescape(match.group(3))))
    lines = []
    for _y, parts in sorted(rows.items()):
        line = ""
        for column, text in sorted(parts):
            line += " " * max(0, column - cell_len(line)) + text.replace("\xa0", " ")
        lines.append(line.rstrip("\n"))
    return lines
