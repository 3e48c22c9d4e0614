"""What the subcommands print: the server's JSON untouched, or a table for a person; text always printable.

``--format json`` is stable: an identity is the object the server sent (``id``, ``identifier_key``,
``name``, ``identity_type``, ``project_id``, ``properties`` as ``{key, value, type}``, and whatever else
the server includes); ``list`` prints an array of them (``jsonl``: one a line); the writing commands
print ``{"status": ..., "identity": ...}``. A JSON document reaches stdout only whole (``whole``).

One output layer for untrusted text, whatever the format and wherever it goes: JSON is written by
``jsontext.output_json`` (controls, bidi controls and line separators as ``\\uXXXX`` escapes: the same
data, nothing a terminal would act on; a float JSON cannot write, as a number that means the same); a
CSV cell by ``csvtext.text_cell`` (such text, and text a spreadsheet would evaluate, as a JSON
string); a table line by ``display.printable``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, Any, TextIO

from identity_tui.core.csvtext import text_cell
from identity_tui.core.display import one_line, printable
from identity_tui.core.fields import COLUMNS
from identity_tui.core.jsontext import output_json

json_text = output_json  # what every command prints as JSON


def csv_writer(out: TextIO, *, header: bool = True) -> Any:
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow([*COLUMNS, "properties"])
    return writer


@contextlib.contextmanager
def whole(out: TextIO) -> Iterator[IO[str]]:
    """Where a JSON document is written: a spool (memory, then a temporary file, so memory stays flat)
    copied to ``out`` only once the body ends well. A failure half-way leaves nothing on ``out``, never
    half a document; JSON lines and CSV need no such care (each line stands alone)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline="") as spool:
        yield spool
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 16)


SPOOL_IN_MEMORY = 4 << 20


class Table:
    """The list as a table for a person, kubectl's way: each column as wide as its widest cell, so the
    identifier key, the project and the id are never cut; the name is cut to ``NAME_WIDTH`` unless
    ``wide``. A PROJECT column when any row has a project (always when ``wide``, with the property keys
    too). The rows are spooled to a temporary file while the widths are measured, never held in memory."""

    NAME_WIDTH = 32

    def __init__(self, *, wide: bool = False) -> None:
        self.wide = wide
        self.names = ["key", "name", "type", "project", "props", "id"] + (["properties"] if wide else [])
        self.widths = {n: len(n) for n in self.names}
        self.any_project = wide
        self.count = 0
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8")

    def cells(self, item: dict[str, Any]) -> dict[str, str]:
        props = _properties(item)
        project = item.get("project_id")
        return {
            "key": one_line(str(item.get("identifier_key", ""))),
            "name": one_line(str(item.get("name", "")), None if self.wide else self.NAME_WIDTH),
            "type": one_line(str(item.get("identity_type", ""))),
            "project": "" if project is None else one_line(str(project)),
            "props": str(len(props)),
            "id": one_line(str(item.get("id", ""))),
            "properties": ",".join(one_line(str(p.get("key"))) if isinstance(p, dict) else "?" for p in props),
        }

    def add(self, item: dict[str, Any]) -> None:
        cells = self.cells(item)
        for n in self.names:
            self.widths[n] = max(self.widths[n], len(cells[n]))
        self.any_project = self.any_project or bool(cells["project"])
        self._spool.write(output_json([cells[n] for n in self.names], indent=None) + "\n")
        self.count += 1

    def write(self, out: TextIO, *, header: bool = True) -> None:
        shown = [n for n in self.names if n != "project" or self.any_project]
        index = {n: i for i, n in enumerate(self.names)}

        def line(values: dict[str, str]) -> str:
            return "  ".join(values[n].ljust(self.widths[n]) for n in shown).rstrip() + "\n"

        with self._spool:
            if header:
                out.write(line({n: n.upper() for n in self.names}))
            self._spool.seek(0)
            for text in self._spool:
                row = json.loads(text)
                out.write(line({n: row[index[n]] for n in self.names}))


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
