"""Export: the identities a filter selects, written to a stream as JSON lines, a JSON array or CSV.

Streamed page after page (``core.bulk.walk``), in constant memory: CSV needs every property column in
its header, so its rows are spooled to a temporary file first, never held in memory. A file is written
beside itself (``FileTarget``: a hidden ``.part``) and renamed over its name only once complete; an
export that fails or is cancelled removes the partial file and leaves any older file untouched.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from identity_tui.core import bulk
from identity_tui.core.bulk_files import csv_cells, csv_header
from identity_tui.core.jsontext import json_text

Step = Callable[[int], None]
Keep = Callable[[dict[str, Any]], bool]


def default_name(now: datetime | None = None) -> str:
    """``identities-YYYYMMDD-HHMMSS.jsonl`` for now (local time)."""
    return f"identities-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}.jsonl"


async def _items(client: Any, filters: dict[str, Any], step: Step | None, page: int,
                 keep: Keep | None) -> AsyncIterator[dict[str, Any]]:
    count = 0
    async for row in bulk.walk(client, page=page, **filters):
        count += 1
        if step is not None:
            step(count)
        if keep is None or keep(row.wire):
            yield row.wire


async def write(client: Any, fmt: str, out: IO[str], filters: dict[str, Any], step: Step | None = None,
                *, page: int = bulk.PAGE, keep: Keep | None = None) -> int:
    """Write every identity ``filters`` select (``list_page``'s keywords) and ``keep`` accepts (a property
    filter, which the server cannot apply) to ``out`` in ``fmt``; ``step`` is called with the count read
    so far after each one is read. Returns how many were written."""
    count = 0
    if fmt == "csv":
        columns: set[tuple[str, str]] = set()
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            async for item in _items(client, filters, step, page, keep):
                for p in item.get("properties") or []:
                    columns.add((str(p.get("key")), str(p.get("type"))))
                spool.write(json_text(item, indent=None) + "\n")
                count += 1
            spool.seek(0)
            header = csv_header(columns)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for line in spool:
                writer.writerow(csv_cells(json.loads(line), header))
        return count
    async for item in _items(client, filters, step, page, keep):
        text = json_text(item, indent=None)
        if fmt == "json":
            out.write(",\n  " if count else "[\n  ")
            out.write(text)
        else:
            out.write(text + "\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "[]\n")
    return count


class FileTarget:
    """FILE, written beside itself as a hidden ``.part`` and renamed over FILE when complete; on any
    exception (a cancel too) the ``.part`` is removed and FILE is left as it was."""

    def __init__(self, name: str | os.PathLike[str]) -> None:
        self.path = Path(name)
        self.tmp: Path | None = None
        self.file: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        self.tmp = Path(tmp)
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.file

    def __exit__(self, kind: Any, *_: Any) -> None:
        assert self.file is not None and self.tmp is not None
        self.file.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


async def export_file(client: Any, path: str | os.PathLike[str], fmt: str, filters: dict[str, Any],
                      step: Step | None = None, *, page: int = bulk.PAGE, keep: Keep | None = None) -> int:
    """``write`` into FILE through a ``FileTarget``: FILE appears only once complete."""
    with FileTarget(path) as out:
        return await write(client, fmt, out, filters, step, page=page, keep=keep)
