"""SQLite storage for the sandbox: identities, agents, blocks and the links between them."""

from __future__ import annotations

import builtins  # the annotations after Store.list name the built-in list through it
import datetime as dt
import json
import sqlite3
from typing import Any, Iterable

from identity_tui.sandbox.search import NameIndex, fold
from identity_tui.sandbox.wire import loads

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
    seq INTEGER PRIMARY KEY,          -- creation order; ties in created_at can never reorder pages
    id TEXT NOT NULL UNIQUE,
    identifier_key TEXT NOT NULL,
    name TEXT NOT NULL,
    identity_type TEXT NOT NULL,
    project_id TEXT,
    properties TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- NULL project ids must clash with each other (Postgres NULLS NOT DISTINCT); a blob never equals a text id.
CREATE UNIQUE INDEX IF NOT EXISTS ix_identities_key_project
    ON identities (identifier_key, ifnull(project_id, x'00'));
-- Lists filter and page on this narrow copy of identities: scanning it is several times faster than scanning
-- rows that carry their properties, and its indexes keep every filtered page in creation order.
CREATE TABLE IF NOT EXISTS identity_search (
    seq INTEGER PRIMARY KEY,
    name_lower TEXT NOT NULL,         -- ASCII letters folded, as Postgres does in the C locale
    identity_type TEXT NOT NULL,
    project_id TEXT
);
CREATE INDEX IF NOT EXISTS ix_search_type ON identity_search (identity_type, seq);
CREATE INDEX IF NOT EXISTS ix_search_project ON identity_search (project_id, seq);
CREATE INDEX IF NOT EXISTS ix_search_project_type ON identity_search (project_id, identity_type, seq);
CREATE TABLE IF NOT EXISTS agents (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    kind TEXT NOT NULL,               -- 'agent' or 'block'
    identity_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (kind, identity_id, target_id)
);
CREATE INDEX IF NOT EXISTS ix_links_target ON links (kind, target_id);
"""

_COLUMNS = "id, identifier_key, name, identity_type, project_id, properties"
_JOINED = ", ".join(f"i.{c}" for c in _COLUMNS.split(", "))
_TABLES = {"agent": "agents", "block": "blocks"}


def now() -> dt.datetime:
    """The current moment in UTC; one place so stored timestamps agree."""
    return dt.datetime.now(dt.timezone.utc)


def _row(values: tuple) -> dict:
    identity_id, key, name, kind, project, props = values
    return {"id": identity_id, "identifier_key": key, "name": name, "identity_type": kind,
            "project_id": project, "properties": loads(props)}


class Store:
    """A thin, synchronous data layer; callers hold the sandbox lock around every call."""

    def __init__(self, path: str = ":memory:"):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        # Postgres ILIKE folds case for every letter; SQLite's LIKE only for ASCII.
        self.db.create_function("ci_contains", 2, _ci_contains, deterministic=True)
        self.names = NameIndex(self.db)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('created_at', ?)", (now().isoformat(),))

    def close(self) -> None:
        self.db.close()

    def created_at(self) -> dt.datetime:
        """When this store was made; stands in for the default user's creation time."""
        (value,) = self.db.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()
        return dt.datetime.fromisoformat(value)

    def transaction(self):
        """A context manager that commits on success and rolls back on any exception."""
        return _Transaction(self.db)

    # identities

    def get(self, identity_id: str) -> dict | None:
        found = self.db.execute(f"SELECT {_COLUMNS} FROM identities WHERE id = ?", (identity_id,)).fetchone()
        return _row(found) if found else None

    def seq_of(self, identity_id: str) -> int | None:
        found = self.db.execute("SELECT seq FROM identities WHERE id = ?", (identity_id,)).fetchone()
        return found[0] if found else None

    def find_by_key(self, identifier_key: str, project_id: str | None) -> dict | None:
        found = self.db.execute(
            f"SELECT {_COLUMNS} FROM identities"
            " WHERE identifier_key = ? AND ifnull(project_id, x'00') = ifnull(?, x'00')",
            (identifier_key, project_id),
        ).fetchone()
        return _row(found) if found else None

    def insert(self, row: dict, created_at: dt.datetime | None = None) -> None:
        self.insert_many([row], created_at)

    def insert_many(self, rows: Iterable[dict], created_at: dt.datetime | None = None) -> None:
        stamp = (created_at or now()).isoformat()
        (top,) = self.db.execute("SELECT ifnull(max(seq), 0) FROM identities").fetchone()
        rows = list(rows)
        seqs = range(top + 1, top + 1 + len(rows))
        self.db.executemany(
            "INSERT INTO identities (seq, id, identifier_key, name, identity_type, project_id, properties,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(seq, r["id"], r["identifier_key"], r["name"], r["identity_type"], r["project_id"],
              json.dumps(r["properties"]), r.get("created_at", stamp), stamp) for seq, r in zip(seqs, rows)],
        )
        search = [(seq, fold(r["name"]), r["identity_type"], r["project_id"]) for seq, r in zip(seqs, rows)]
        self.db.executemany("INSERT INTO identity_search VALUES (?, ?, ?, ?)", search)
        self.names.add([s[:2] for s in search])

    def update(self, identity_id: str, changes: dict) -> None:
        columns = dict(changes)
        if "properties" in columns:
            columns["properties"] = json.dumps(columns["properties"])
        columns["updated_at"] = now().isoformat()
        assignments = ", ".join(f"{column} = ?" for column in columns)
        self.db.execute(f"UPDATE identities SET {assignments} WHERE id = ?", (*columns.values(), identity_id))
        if "name" in changes or "identity_type" in changes:
            seq, old_lower = self._search_row(identity_id)
            name_lower = fold(changes["name"]) if "name" in changes else old_lower
            kind = self.db.execute("SELECT identity_type FROM identities WHERE seq = ?", (seq,)).fetchone()[0]
            self.db.execute("UPDATE identity_search SET name_lower = ?, identity_type = ? WHERE seq = ?",
                            (name_lower, kind, seq))
            if name_lower != old_lower:
                self.names.remove(seq, old_lower)
                self.names.add([(seq, name_lower)])

    def _search_row(self, identity_id: str) -> tuple[int, str]:
        return self.db.execute("SELECT s.seq, s.name_lower FROM identity_search s JOIN identities i"
                               " ON i.seq = s.seq WHERE i.id = ?", (identity_id,)).fetchone()

    def delete(self, identity_id: str) -> bool:
        found = self._search_row(identity_id)
        if found:
            self.names.remove(*found)
            self.db.execute("DELETE FROM identity_search WHERE seq = ?", (found[0],))
        gone = self.db.execute("DELETE FROM identities WHERE id = ?", (identity_id,)).rowcount
        self.db.execute("DELETE FROM links WHERE identity_id = ?", (identity_id,))
        return gone > 0

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM identities").fetchone()[0]

    def list(self, *, name: str | None = None, identifier_key: str | None = None, identity_type: str | None = None,
             project_id: str | None = None, below: int | None = None, above: int | None = None,
             ascending: bool = False, limit: int | None = None) -> list[dict]:
        """One page in creation order, strictly between the `above`/`below` seq bounds; `limit` None means all."""
        where: list[str] = []
        args: list[str | int] = []
        tables = "identity_search s JOIN identities i ON i.seq = s.seq"
        order_by = "s.seq"
        if name:
            found = self.names.condition(name)
            if found is None:
                return []
            where.append(found.where)
            args.append(found.arg)
            if found.trigrams:
                # Trigrams give the candidates in creation order; the check above keeps the match exact.
                tables = ("name_trigrams f JOIN identity_search s ON s.seq = f.rowid"
                          " JOIN identities i ON i.seq = s.seq")
                order_by = "f.rowid"
                where.append("name_trigrams MATCH ?")
                args.append(found.trigrams)
        for column, value in (("identity_type", identity_type), ("project_id", project_id)):
            if value is not None:
                where.append(f"s.{column} = ?")
                args.append(value)
        if identifier_key is not None:
            where.append("i.identifier_key = ?")
            args.append(identifier_key)
        if below is not None:
            where.append(f"{order_by} < ?")
            args.append(below)
        if above is not None:
            where.append(f"{order_by} > ?")
            args.append(above)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "ASC" if ascending else "DESC"
        sql = f"SELECT {_JOINED} FROM {tables} {clause} ORDER BY {order_by} {order} LIMIT ?"
        return [_row(r) for r in self.db.execute(sql, (*args, -1 if limit is None else limit))]

    # agents and blocks

    def insert_object(self, kind: str, obj: dict) -> None:
        self.db.execute(f"INSERT INTO {_TABLES[kind]} (id, data) VALUES (?, ?)", (obj["id"], json.dumps(obj)))

    def get_object(self, kind: str, object_id: str) -> dict | None:
        found = self.db.execute(f"SELECT data FROM {_TABLES[kind]} WHERE id = ?", (object_id,)).fetchone()
        return loads(found[0]) if found else None

    def object_seq(self, kind: str, object_id: str) -> int | None:
        found = self.db.execute(f"SELECT seq FROM {_TABLES[kind]} WHERE id = ?", (object_id,)).fetchone()
        return found[0] if found else None

    def delete_object(self, kind: str, object_id: str) -> bool:
        gone = self.db.execute(f"DELETE FROM {_TABLES[kind]} WHERE id = ?", (object_id,)).rowcount
        self.db.execute("DELETE FROM links WHERE kind = ? AND target_id = ?", (kind, object_id))
        return gone > 0

    def existing_ids(self, kind: str, ids: builtins.list[str]) -> set[str]:
        marks = ", ".join("?" * len(ids))
        return {r[0] for r in self.db.execute(f"SELECT id FROM {_TABLES[kind]} WHERE id IN ({marks})", ids)}

    def list_objects(self, kind: str, *, identity_id: str | None, below: int | None = None,
                     above: int | None = None, ascending: bool = False, limit: int | None = None,
                     exact: dict[str, str] | None = None,
                     contains: dict[str, str] | None = None) -> builtins.list[dict]:
        """Agents or blocks in creation order, optionally only those linked to one identity, and those whose
        fields equal ``exact`` or contain ``contains`` (case folded)."""
        table = _TABLES[kind]
        where: list[str] = []
        args: list[str | int] = []
        if identity_id is not None:
            where.append(f"{table}.id IN (SELECT target_id FROM links WHERE kind = ? AND identity_id = ?)")
            args += [kind, identity_id]
        for field, value in (exact or {}).items():
            where.append("json_extract(data, ?) = ?")
            args += [f"$.{field}", value]
        for field, value in (contains or {}).items():
            where.append("ci_contains(json_extract(data, ?), ?)")
            args += [f"$.{field}", value]
        if below is not None:
            where.append("seq < ?")
            args.append(below)
        if above is not None:
            where.append("seq > ?")
            args.append(above)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "ASC" if ascending else "DESC"
        sql = f"SELECT data FROM {table} {clause} ORDER BY seq {order} LIMIT ?"
        return [loads(r[0]) for r in self.db.execute(sql, (*args, -1 if limit is None else limit))]

    def link(self, kind: str, identity_id: str, target_ids: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?, ?)",
                            ((kind, identity_id, t) for t in target_ids))

    def unlink(self, kind: str, identity_id: str, target_ids: Iterable[str] | None = None) -> None:
        """Remove some links of one identity, or all of them of that kind when `target_ids` is None."""
        if target_ids is None:
            self.db.execute("DELETE FROM links WHERE kind = ? AND identity_id = ?", (kind, identity_id))
            return
        self.db.executemany("DELETE FROM links WHERE kind = ? AND identity_id = ? AND target_id = ?",
                            ((kind, identity_id, t) for t in target_ids))

    def linked_to(self, kind: str, target_id: str) -> builtins.list[str]:
        rows = self.db.execute("SELECT identity_id FROM links WHERE kind = ? AND target_id = ? ORDER BY rowid",
                               (kind, target_id))
        return [r[0] for r in rows]


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN")
        return self.db

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _ci_contains(text: object, part: object) -> bool:
    return isinstance(text, str) and isinstance(part, str) and part.casefold() in text.casefold()
