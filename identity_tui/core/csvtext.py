"""Text as a CSV cell and back: as it is, unless a spreadsheet would evaluate it, a terminal act on it, or
it could be misread; then as a JSON string (``"=SUM(1)"`` with its quotes), which reads back exactly.

Kept apart from ``bulk_files`` so that ``list --format csv`` loads only this."""

from __future__ import annotations

import json

from identity_tui.core.display import UNSAFE
from identity_tui.core.jsontext import output_json

# A text a spreadsheet evaluates when it starts with one of these (OWASP's list, the full-width forms
# some spreadsheets also take, and a newline).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_AS_JSON_START = ('"', *FORMULA_START)


def text_cell(text: str) -> str:
    """A text as a CSV cell: as it is, unless it is empty, starts with ``"`` or with what makes a
    spreadsheet evaluate it (``FORMULA_START``), or holds a character a terminal would act on or that
    would hide in it (``display.UNSAFE``: controls, NUL, bidi controls, line separators); then as a JSON
    string, its controls escaped, which ``text_value`` reads back exactly."""
    if text and not text.startswith(_AS_JSON_START) and not UNSAFE.search(text):
        return text
    return output_json(text, indent=None)


def text_value(cell: str) -> str:
    """The text a cell holds (``text_cell`` undone): a cell starting with ``"`` is a JSON string (ValueError
    when it is not one), anything else the text itself."""
    if not cell.startswith('"'):
        return cell
    value = json.loads(cell)
    if not isinstance(value, str):
        raise ValueError(cell)
    return value
