"""Export: the identities a filter selects, written to a stream as JSON lines, a JSON array or CSV.

Streamed page after page (``core.bulk.walk``), in constant memory: CSV needs every property column in
its header, so its rows are spooled to a temporary file first, never held in memory. A file is written
beside itself (``FileTarget``: a hidden ``.part``) and renamed over its name only once complete; an
export that fails or is cancelled removes the partial file and leaves any older file untouched. A
device or a FIFO is written in place, a symlink's target is what is replaced.
"""

from __future__ import annotations

import contextlib
import csv
import os
import stat
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, IO

from identity_tui.core import bulk
from identity_tui.core.bulk_files import csv_cells, csv_header, csv_problem
from identity_tui.core.display import printable
from identity_tui.core.errors import NotFound
from identity_tui.core.jsontext import json_text, loads, output_json
from identity_tui.core.paths import identity_path

if TYPE_CHECKING:
    from types import TracebackType

    from identity_tui.core.client import LettaClient

Step = Callable[[int], None]
Keep = Callable[[dict[str, Any]], bool]


def default_name(now: datetime | None = None) -> str:
    """``identities-YYYYMMDD-HHMMSS.jsonl`` for now (local time)."""
    return f"identities-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}.jsonl"


async def _items(client: LettaClient, filters: dict[str, Any], step: Step | None, page: int,
                 keep: Keep | None, ids: Sequence[str] | None = None) -> AsyncIterator[dict[str, Any]]:
    count = 0
    if ids is not None:  # these identities (the list's marked ones), each read as the server holds it now
        for identity_id in ids:
            try:
                wire = await client.request("GET", identity_path(identity_id))
            except NotFound:
                continue  # deleted since it was marked: nothing to export
            count += 1
            if step is not None:
                step(count)
            if isinstance(wire, dict) and (keep is None or keep(wire)):
                yield wire
        return
    async for row in bulk.walk(client, page=page, **filters):
        count += 1
        if step is not None:
            step(count)
        if keep is None or keep(row.wire):
            yield row.wire


class Unwritable(ValueError):
    """An identity the format cannot hold as the server sent it (one sentence)."""


async def write(client: LettaClient, fmt: str, out: IO[str], filters: dict[str, Any], step: Step | None = None,
                *, page: int = bulk.PAGE, keep: Keep | None = None, ids: Sequence[str] | None = None) -> int:
    """Write every identity ``filters`` select (``list_page``'s keywords) and ``keep`` accepts (a property
    filter, which the server cannot apply) to ``out`` in ``fmt``; ``step`` is called with the count read
    so far after each one is read; with ``ids``, those identities instead, in that order (one deleted
    meanwhile is left out). Returns how many were written. JSON is ``output_json``'s (valid, its
    controls escaped, the data exact); an identity CSV cannot hold raises ``Unwritable``."""
    count = 0
    if fmt == "csv":
        columns: set[tuple[str, str]] = set()
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            async for item in _items(client, filters, step, page, keep, ids):
                problem = csv_problem(item)
                if problem:
                    raise Unwritable(f"Identity {output_json(str(item.get('identifier_key')), indent=None)} cannot be "
                                     f"written as CSV: {problem}. Export it as JSON lines (a .jsonl file, or --format jsonl).")
                for p in item.get("properties") or []:
                    columns.add((p["key"], p["type"]))
                spool.write(json_text(item, indent=None) + "\n")
                count += 1
            spool.seek(0)
            header = csv_header(columns)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for line in spool:
                writer.writerow(csv_cells(loads(line), header))
        return count
    async for item in _items(client, filters, step, page, keep, ids):
        text = output_json(item, indent=None)
        if fmt == "json":
            out.write(",\n  " if count else "[\n  ")
            out.write(text)
        else:
            out.write(text + "\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "[]\n")
    return count


class TargetError(OSError):
    """A file that cannot be written: ``message`` is the whole sentence, ``strerror`` its reason; ``before``
    when nothing was written yet (a path that cannot be a file: a folder, a missing folder, no right)."""

    def __init__(self, message: str, reason: str, *, before: bool) -> None:
        super().__init__(message)
        self.message, self.strerror, self.before = message, reason, before

    def __str__(self) -> str:
        return self.message


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _fd_of(path: str) -> int | None:
    """N when ``path`` is, or links to, ``/dev/fd/N`` or this process's ``/proc/.../fd/N`` (``/dev/stdout``)."""
    current = os.path.abspath(path)
    for _ in range(40):
        for prefix in ("/dev/fd/", "/proc/self/fd/", f"/proc/{os.getpid()}/fd/"):
            if current.startswith(prefix) and current[len(prefix):].isdigit():
                return int(current[len(prefix):])
        if not os.path.islink(current):
            return None
        current = os.path.join(os.path.dirname(current), os.readlink(current))
    return None


class FileTarget:
    """FILE, written so that it is either complete or as it was:

    - a regular file (or a new one) is written beside itself as a hidden ``.part`` and renamed over
      FILE once complete and flushed to disk; on any exception (a cancel too) the ``.part`` is removed.
      A symlink is followed: its target is replaced, in the target's folder, and the link stays. A file
      with other names (hard links) is replaced too: the other names keep the old content (``note``).
      The new file keeps the old one's mode (a new file is 0600).
    - a device, a FIFO or a socket is written in place (never replaced); ``/dev/stdout`` and
      ``/dev/fd/N`` write to that descriptor.
    - a folder, a missing folder or a path that cannot be written raises ``TargetError`` (one sentence)
      before anything is written; a failed write (a full disk) raises it too, the ``.part`` removed.
    """

    def __init__(self, name: str | os.PathLike[str]) -> None:
        self.name = os.fspath(name)
        self.shown = printable(self.name)
        self.path = Path(self.name)
        self.tmp: Path | None = None
        self.file: IO[str] | None = None
        self.note = ""

    @property
    def in_place(self) -> bool:
        """Whether FILE is written in place (a descriptor, a device, a FIFO): then there is nothing to
        remove if the export is cut short, and opening a FIFO waits for its reader."""
        if _fd_of(self.name) is not None:
            return True
        try:
            mode = os.stat(self.name).st_mode
        except OSError:
            return False
        return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)

    def _fail(self, exc: OSError, *, before: bool) -> TargetError:
        reason = _reason(exc)
        return TargetError(f"Cannot write {self.shown}: {reason}.", reason, before=before)

    def __enter__(self) -> IO[str]:
        if not self.name:
            raise TargetError("Give a file name (or - for standard output).", "no file name", before=True)
        if self.name.endswith(os.sep) and not os.path.isdir(self.name):
            raise TargetError(f"{self.shown} names a folder that does not exist: give a file name.",
                              "no such folder", before=True)
        fd = _fd_of(self.name)
        if fd is not None:
            try:
                self.file = os.fdopen(os.dup(fd), "w", encoding="utf-8", newline="")
            except OSError as exc:
                raise self._fail(exc, before=True) from None
            return self.file
        try:
            st: os.stat_result | None = os.stat(self.name)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise self._fail(exc, before=True) from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise TargetError(f"{self.shown} is a folder: give a file name.", "is a folder", before=True)
        if st is not None and not stat.S_ISREG(st.st_mode):
            try:  # in place: no O_CREAT, no O_TRUNC (a FIFO waits here for its reader)
                self.file = os.fdopen(os.open(self.name, os.O_WRONLY), "w", encoding="utf-8", newline="")
            except OSError as exc:
                raise self._fail(exc, before=True) from None
            return self.file
        real = Path(os.path.realpath(self.name))
        if not real.parent.is_dir():
            folder = printable(str(real.parent))
            raise TargetError(f"Cannot write {self.shown}: there is no folder {folder}.", "no such folder",
                              before=True)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".part", dir=real.parent)
        except OSError as exc:
            raise self._fail(exc, before=True) from None
        self.tmp, self.path = Path(tmp), real
        if st is not None:
            with contextlib.suppress(OSError):
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
            with contextlib.suppress(OSError):
                os.fchown(fd, st.st_uid, st.st_gid)
            if st.st_nlink > 1:
                self.note = (f"{self.shown} had {st.st_nlink} names (hard links): it was replaced, so its other "
                             "names keep the old content.")
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.file

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 _tb: TracebackType | None) -> None:
        assert self.file is not None
        if self.tmp is None:  # written in place
            try:
                self.file.close()
            except OSError as exc:
                if kind is None:
                    raise self._fail(exc, before=False) from None
            if isinstance(error, OSError) and not isinstance(error, TargetError):
                raise self._fail(error, before=False) from None
            return
        if kind is None:
            try:
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()
                os.replace(self.tmp, self.path)
                return
            except OSError as exc:
                error = exc
        with contextlib.suppress(OSError):
            self.file.close()
        self.tmp.unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, TargetError):
            raise self._fail(error, before=False) from None


async def export_file(client: LettaClient, path: str | os.PathLike[str], fmt: str, filters: dict[str, Any],
                      step: Step | None = None, *, page: int = bulk.PAGE, keep: Keep | None = None,
                      ids: Sequence[str] | None = None) -> int:
    """``write`` into FILE through a ``FileTarget``: FILE appears only once complete."""
    with FileTarget(path) as out:
        return await write(client, fmt, out, filters, step, page=page, keep=keep, ids=ids)
