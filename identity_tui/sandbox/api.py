"""The /v1/identities routes: what each one reads, writes and answers, following IdentityManager in Letta 0.16.8."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from identity_tui.sandbox import paging, wire
from identity_tui.sandbox.store import Store, now


@dataclass
class Call:
    """One validated request as a handler sees it."""

    store: Store
    actor: wire.Actor
    path: dict[str, str]
    query: dict[str, Any]
    body: Any


Result = tuple[int, Any]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


def present(row: dict) -> dict:
    """The Identity as the server serialises it: links always empty, organization included, no timestamps."""
    return {
        "id": row["id"],
        "identifier_key": row["identifier_key"],
        "name": row["name"],
        "identity_type": row["identity_type"],
        "project_id": row["project_id"],
        "agent_ids": [],
        "block_ids": [],
        "organization_id": wire.ORG_ID,
        "properties": row["properties"] or [],
    }


def _read(call: Call, identity_id: str) -> dict:
    row = call.store.get(identity_id)
    if row is None:
        raise wire.not_found_by_id("Identity", identity_id, call.actor)
    return row


def _relate(call: Call, identity_id: str, kind: str, ids: list[str] | None, replace: bool) -> None:
    """`_process_relationship_async`: unknown (or repeated) ids fail the whole request with a bare 500."""
    if not ids:
        if replace:
            call.store.unlink(kind, identity_id)
        return
    if len(call.store.existing_ids(kind, ids)) != len(ids):
        raise wire.unknown_error()
    if replace:
        call.store.unlink(kind, identity_id)
    call.store.link(kind, identity_id, ids)


def list_identities(call: Call) -> Result:
    q = call.query

    def fetch(below: int | None, above: int | None, ascending: bool, limit: int | None) -> list:
        # Empty strings are falsy on the server, so they filter nothing.
        return call.store.list(
            name=q["name"] or None, identifier_key=q["identifier_key"] or None,
            identity_type=q["identity_type"], project_id=q["project_id"] or None,
            below=below, above=above, ascending=ascending, limit=limit,
        )

    rows = paging.list_identities(fetch, call.store.seq_of, before=q["before"], after=q["after"],
                                  ascending=q["order"] == "asc", limit=q["limit"])
    return 200, [present(r) for r in rows]


def count_identities(call: Call) -> Result:
    return 200, call.store.count()


def retrieve_identity(call: Call) -> Result:
    return 200, present(_read(call, call.path["identity_id"]))


def _text_columns_storable(fields: dict) -> None:
    """A lone surrogate or a NUL in a VARCHAR column makes PostgreSQL refuse the row: Letta answers 500."""
    for column in ("identifier_key", "name", "project_id"):
        value = fields.get(column)
        if isinstance(value, str) and ("\x00" in value or wire.has_surrogate(value)):
            raise wire.HTTPError(500, {"detail": "A database error occurred."})


def create_identity(call: Call) -> Result:
    body = call.body
    _text_columns_storable(body)
    row = {
        "id": new_id("identity"),
        "identifier_key": body["identifier_key"],
        "name": body["name"],
        "identity_type": body["identity_type"],
        "project_id": body.get("project_id"),
        # An explicit null is stored as JSON null, which later breaks a merge (see _apply_update).
        "properties": wire.strip_surrogates(body["properties"]) if "properties" in body else [],
    }
    with call.store.transaction():
        _relate(call, row["id"], "agent", body.get("agent_ids"), replace=True)
        _relate(call, row["id"], "block", body.get("block_ids"), replace=True)
        if call.store.find_by_key(row["identifier_key"], row["project_id"]) is not None:
            raise wire.clash_on_insert(row, json.dumps(row["properties"]))
        call.store.insert(row)
    return 200, present(row)


def upsert_identity(call: Call) -> Result:
    body = call.body
    row = call.store.find_by_key(body["identifier_key"], body.get("project_id"))
    if row is None:
        # The server reads with `read_async`, which raises instead of returning None: the insert branch is dead.
        raise wire.not_found_by_key(body["identifier_key"], body.get("project_id"), call.actor)
    update = {k: body.get(k) for k in ("name", "identifier_key", "identity_type", "agent_ids", "properties")}
    return 200, _apply_update(call, row, update, replace=True)


def modify_identity(call: Call) -> Result:
    row = _read(call, call.path["identity_id"])
    return 200, _apply_update(call, row, call.body, replace=False)


def upsert_properties(call: Call) -> Result:
    row = _read(call, call.path["identity_id"])
    return 200, _apply_update(call, row, {"properties": call.body}, replace=True)


def _apply_update(call: Call, row: dict, update: dict, replace: bool) -> dict:
    """`_update_identity_async`: null means unchanged, properties merge by key unless replacing."""
    _text_columns_storable(update)
    changes: dict[str, Any] = {}
    for column in ("identifier_key", "name", "identity_type"):
        value = update.get(column)
        if value is not None and value != row[column]:
            changes[column] = value
    sent = update.get("properties")
    if sent is not None:
        sent = wire.strip_surrogates(sent)
        old = row["properties"]
        if replace:
            new = list(sent)
        else:
            if old is None:
                raise wire.unknown_error()  # iterating a stored JSON null
            merged = {p["key"]: p for p in old} | {p["key"]: p for p in sent}
            new = list(merged.values())
        # SQLAlchemy compares old and new with ==, so True -> 1 or 1 -> 1.0 is never written.
        if new != old:
            changes["properties"] = new
    with call.store.transaction():
        if update.get("agent_ids") is not None:
            _relate(call, row["id"], "agent", update["agent_ids"], replace)
        if update.get("block_ids") is not None:
            _relate(call, row["id"], "block", update["block_ids"], replace)
        if "identifier_key" in changes:
            other = call.store.find_by_key(changes["identifier_key"], row["project_id"])
            if other is not None and other["id"] != row["id"]:
                raise wire.clash_on_update(row["id"], changes, row["project_id"], now())
        call.store.update(row["id"], changes)
    updated = call.store.get(row["id"])
    assert updated is not None  # updated just above; the sandbox answers one request at a time
    return present(updated)


def delete_identity(call: Call) -> Result:
    identity_id = call.path["identity_id"]
    _read(call, identity_id)
    with call.store.transaction():
        call.store.delete(identity_id)
    return 200, None


def _linked(call: Call, kind: str, model: str) -> Result:
    identity_id = call.path["identity_id"]
    _read(call, identity_id)
    q = call.query

    def fetch(below: int | None, above: int | None, ascending: bool, limit: int | None) -> list:
        return call.store.list_objects(kind, identity_id=identity_id, below=below, above=above,
                                       ascending=ascending, limit=limit)

    rows = paging.list_async(fetch, lambda i: call.store.object_seq(kind, i), model, before=q["before"],
                             after=q["after"], ascending=q["order"] == "asc", limit=q["limit"])
    return 200, rows


def list_agents_for_identity(call: Call) -> Result:
    return _linked(call, "agent", "Agent")


def list_blocks_for_identity(call: Call) -> Result:
    return _linked(call, "block", "Block")
