"""The write journal: one JSON line per write this tool sends, with the identity before and after.

The server keeps no history, but every save reads the identity right before writing and reads it back
after: the journal keeps both, so a change is answerable and can be undone. One append-only file per
server under the state directory (``journal/<server>.jsonl``), mode 0600, each record fsync'd; never a
token (a record holds the requests' bodies and the server's address without credentials).

Limits: a file is rotated at ``MAX_BYTES`` (8 MiB) to ``.1`` (the older ``.1`` to ``.2``, and so on),
and ``KEEP`` (4) rotated files are kept: about 40 MiB per server. A damaged line is skipped with a
warning, never the whole journal. A failed write to the journal never stops the write it records:
``record`` returns the reason instead, for the caller to show.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from identity_tui.core.jsontext import json_text

MAX_BYTES = 8 * 1024 * 1024
KEEP = 4
OPERATIONS = ("create", "update", "delete", "link", "unlink")


@dataclass(frozen=True)
class Record:
    """One write as the journal keeps it (``before``/``after``: the identity as the server sent it)."""

    id: str
    time: str
    server: str
    operation: str
    identity_id: str | None
    identifier_key: str | None
    requests: list[dict[str, Any]]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    outcome: str
    profile: str | None = None
    user_id: str | None = None
    source: str = ""
    undoes: str | None = None  # the record this one undid
    note: str = ""
    links: dict[str, list[str]] | None = None  # a deleted identity's agents and blocks (to re-link on undo)
    target: dict[str, str] | None = None  # a link change: {"kind": "agent"|"block", "id": ...}

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: Any) -> Record:
        if not isinstance(data, dict):
            raise ValueError("not an object")
        kwargs = {k: data.get(k) for k in cls.__dataclass_fields__}
        for name in ("id", "time", "server", "operation", "outcome"):
            if not isinstance(kwargs[name], str):
                raise ValueError(f"{name} missing")
        if not isinstance(kwargs["requests"], list):
            raise ValueError("requests missing")
        kwargs["source"] = kwargs["source"] or ""
        kwargs["note"] = kwargs["note"] or ""
        return cls(**kwargs)

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.time)


def file_name(server: str) -> str:
    """A file name for a server key: readable where it can be, and never two servers in one file."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", server)[:60].strip("_") or "server"
    return f"{readable}-{hashlib.sha256(server.encode()).hexdigest()[:10]}.jsonl"


@dataclass
class Journal:
    """The journal of one server, as one connection writes it."""

    root: Path
    server: str
    profile: str | None = None
    user_id: str | None = None
    source: str = ""
    max_bytes: int = MAX_BYTES
    keep: int = KEEP
    warnings: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.root / file_name(self.server)

    def record(self, operation: str, *, identity_id: str | None, identifier_key: str | None,
               requests: list[dict[str, Any]], before: dict[str, Any] | None, after: dict[str, Any] | None,
               outcome: str, undoes: str | None = None, note: str = "",
               links: dict[str, list[str]] | None = None,
               target: dict[str, str] | None = None) -> tuple[Record, str | None]:
        """Append one record; returns it, and why it could not be written (None when it was)."""
        rec = Record(
            id=f"{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}",
            time=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            server=self.server, operation=operation, identity_id=identity_id, identifier_key=identifier_key,
            requests=requests, before=before, after=after, outcome=outcome, profile=self.profile,
            user_id=self.user_id, source=self.source, undoes=undoes, note=note, links=links, target=target,
        )
        try:
            self._append(json_text(rec.to_json(), indent=None) + "\n")  # the C encoder; any depth still written
        except OSError as exc:
            return rec, f"The journal could not be written ({exc.strerror or exc}); the write itself went through."
        return rec, None

    def _append(self, line: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = line.encode("utf-8")
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size and size + len(data) > self.max_bytes:
            self._rotate()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _rotate(self) -> None:
        base = self.path
        oldest = base.with_name(f"{base.name}.{self.keep}")
        oldest.unlink(missing_ok=True)
        for n in range(self.keep - 1, 0, -1):
            older = base.with_name(f"{base.name}.{n}")
            if older.exists():
                older.rename(base.with_name(f"{base.name}.{n + 1}"))
        base.rename(base.with_name(f"{base.name}.1"))

    def files(self) -> list[Path]:
        """The journal's files, oldest first."""
        rotated = [self.path.with_name(f"{self.path.name}.{n}") for n in range(self.keep, 0, -1)]
        return [p for p in [*rotated, self.path] if p.exists()]

    def records(self) -> Iterator[Record]:
        """Every readable record, oldest first; a damaged line adds a warning and is skipped."""
        for path in self.files():
            with open(path, "rb") as stream:
                for number, raw in enumerate(stream, 1):
                    try:
                        yield Record.from_json(json.loads(raw.decode("utf-8")))
                    except (ValueError, UnicodeDecodeError, RecursionError, TypeError) as exc:
                        self.warnings.append(f"{path.name} line {number} is damaged and was skipped ({exc}).")

    def find(self, record_id: str) -> Record | None:
        found = None
        for rec in self.records():
            if rec.id == record_id or rec.id.endswith(record_id) and len(record_id) >= 6:
                found = rec
        return found


def wire_requests(requests: Any) -> list[dict[str, Any]]:
    """Planned requests as a record keeps them."""
    return [{"method": r.method, "path": r.path, "body": r.body} for r in requests]


def image(identity: Any) -> dict[str, Any] | None:
    """An identity (model or the server's JSON) as a record keeps it."""
    if identity is None:
        return None
    if isinstance(identity, dict):
        return identity
    return identity.wire()
