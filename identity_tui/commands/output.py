"""What the subcommands print: the server's JSON untouched, or a table for a person; text always printable.

``--format json`` is stable: an identity is the object the server sent (``id``, ``identifier_key``,
``name``, ``identity_type``, ``project_id``, ``properties`` as ``{key, value, type}``, and whatever else
the server includes); ``list`` prints an array of them (``jsonl``: one a line); the writing commands
print ``{"status": ..., "identity": ...}``.

One output layer for untrusted text, whatever the format and wherever it goes: JSON is written by
``jsontext.output_json`` (controls, bidi controls and line separators as ``\\uXXXX`` escapes: the same
data, nothing a terminal would act on; a float JSON cannot write, as a number that means the same); a
CSV cell by ``csvtext.text_cell`` (such text, and text a spreadsheet would evaluate, as a JSON
string); a table line by ``display.printable``.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

from identity_tui.core.csvtext import text_cell
from identity_tui.core.display import one_line, printable
from identity_tui.core.fields import COLUMNS
from identity_tui.core.jsontext import output_json

json_text = output_json  # what every command prints as JSON


def csv_writer(out: TextIO) -> Any:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "properties"])
    return writer


def csv_row(item: dict[str, Any]) -> list[str]:
    """``list --format csv``: the fields (see ``text_cell``), then the properties as JSON text."""
    return [_field(item.get(c)) for c in COLUMNS] + [output_json(item.get("properties") or [], indent=None)]


def _field(value: Any) -> str:
    return "" if value is None else text_cell(value if isinstance(value, str) else output_json(value, indent=None))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def table_header(widths: dict[str, int]) -> str:
    return "  ".join(name.upper().ljust(widths[name]) for name in ("key", "name", "type", "props", "id")).rstrip()


LIST_WIDTHS = {"key": 24, "name": 28, "type": 5, "props": 5, "id": 45}


def table_line(item: dict[str, Any], widths: dict[str, int] = LIST_WIDTHS) -> str:
    """One identity as a line of the list table; untrusted text made printable and cut to its column."""
    cells = {
        "key": one_line(str(item.get("identifier_key", "")), widths["key"]),
        "name": one_line(str(item.get("name", "")), widths["name"]),
        "type": one_line(str(item.get("identity_type", "")), widths["type"]),
        "props": str(len(_properties(item))),
        "id": one_line(str(item.get("id", "")), widths["id"]),
    }
    return "  ".join(cells[n].ljust(widths[n]) for n in ("key", "name", "type", "props", "id")).rstrip()


def identity_table(item: dict[str, Any]) -> str:
    """One identity for a person: the fields, then a property a line (``key (type) = value``)."""
    lines = [f"{name + ':':16}{printable(_cell(item.get(name))) or '—'}" for name in COLUMNS]
    props = _properties(item)
    lines.append(f"{'properties:':16}{len(props)}")
    for p in props:
        if not isinstance(p, dict):  # not a property at all: shown as the server sent it
            lines.append(f"  {printable(output_json(p, indent=None))}")
            continue
        value = p.get("value")
        shown = value if isinstance(value, str) else output_json(value, indent=None)
        lines.append(f"  {printable(str(p.get('key')))} ({printable(str(p.get('type')))}) = {printable(shown)}")
    return "\n".join(lines)


def _properties(item: dict[str, Any]) -> list[Any]:
    props = item.get("properties")
    return props if isinstance(props, list) else [] if props is None else [props]
