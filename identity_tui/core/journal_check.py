"""Settling a write whose outcome is not known, by reading the server: never a guess.

A write is unsettled when its answer was lost (a cut connection, a timeout, a 5xx) and no read has shown it
since, or when the process ended while it was in flight (an intent with no outcome). A read settles it:

- a save: the server holds every field and property the requests sent (landed), some of them (partly), or
  none (not seen);
- a create: an identity with its key in its project holds what was posted (landed, and its id is kept);
- a delete: the identity answers 404 (landed);
- a link change: the agent or block is (or is no longer) among the identity's links.

Not seen is not proof: a request can land late. A write not seen stays ``unknown`` until ``settle_after``
has passed since it was sent; a read after that which still does not show it settles it as not landed.
Someone changing the same fields after it landed makes it look not seen: it is then never undone, which
is the safe side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from identity_tui.core import links as link_ops
from identity_tui.core.draft import same_properties
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.fields import SCALARS
from identity_tui.core.journal import LANDED, NOT_LANDED, PARTLY, UNKNOWN, Journal, Record, image
from identity_tui.core.models import Identity, IdentityProperty, same_property

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient

SETTLE_AFTER = 600.0  # seconds after a write was sent before "not seen" means "did not land"


def holds_request(identity: Identity, request: dict[str, Any]) -> bool:
    """The server's copy holds what one request sent (a PATCH's fields and properties, a PUT's list, a POST)."""
    body = request.get("body")
    method = request.get("method")
    if not isinstance(body, (dict, list)):
        return False
    if method == "PUT":
        return isinstance(body, list) and same_properties(identity.properties, _props(body))
    if not isinstance(body, dict):
        return False
    wire = identity.wire()
    if any(name in body and wire.get(name) != body[name] for name in SCALARS):
        return False
    if method == "POST" and "project_id" in body and identity.project_id != body["project_id"]:
        return False
    sent = _props(body.get("properties") or [])
    if method == "POST":
        return same_properties(identity.properties, sent)
    have = {p.key: p for p in identity.properties}
    return all(p.key in have and same_property(have[p.key], p) for p in sent)


def holds_sent(identity: Identity, requests: Iterable[Any]) -> list[bool]:
    """For each request (planned or as a record keeps it), whether ``identity`` holds what it sent."""
    out = []
    for r in requests:
        wire = r if isinstance(r, dict) else {"method": r.method, "path": r.path, "body": r.body}
        out.append(holds_request(identity, wire))
    return out


def _props(rows: Any) -> list[IdentityProperty]:
    try:
        return [IdentityProperty.model_validate(p) for p in rows]
    except (ValueError, TypeError):
        return []


Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def check(client: LettaClient, journal: Journal, rec: Record, *, now: Clock = _now,
                settle_after: float = SETTLE_AFTER, fresh: Identity | None = None) -> Record:
    """Settle ``rec`` if it is unsettled and a read can tell; the record as the journal now has it.

    ``fresh``: a copy of the identity just read (no read is made then)."""
    if rec.settled:
        return rec
    at = now()
    stamp = at.astimezone(timezone.utc).isoformat(timespec="seconds")
    try:
        seen, after, identity_id = await _look(client, rec, fresh)
    except LettaError:
        return rec  # cannot tell now: it stays as it is
    if seen == LANDED:
        status, words = LANDED, "landed: its answer was lost, and a read of the server showed it"
    elif seen == PARTLY:
        status, words = PARTLY, "partly landed: its answer was lost, and a read showed part of it"
    elif (at - rec.when).total_seconds() >= settle_after:
        status, words = NOT_LANDED, "failed: not on the server when read well after it was sent"
    else:
        status, words = UNKNOWN, rec.outcome if rec.status == UNKNOWN else "unknown: sent, and no answer came"
        if rec.checked == f"not seen at {stamp}":
            return rec
        settled, _ = journal.settle(rec, status, words, checked=f"not seen at {stamp}")
        return settled
    settled, _ = journal.settle(rec, status, words, after=after, identity_id=identity_id,
                                checked=f"read at {stamp}")
    return settled


async def _look(client: LettaClient, rec: Record, fresh: Identity | None) -> tuple[str, dict[str, Any] | None, str | None]:
    """What a read shows of ``rec``: (LANDED, PARTLY or "", the identity after, its id)."""
    op = rec.operation
    if op == "create":
        body = rec.requests[0].get("body") if rec.requests else None
        if not isinstance(body, dict) or not rec.identifier_key:
            return "", None, None
        found = fresh or await client.find_by_key(rec.identifier_key, body.get("project_id"))
        if found is not None and holds_request(found, rec.requests[0]):
            return LANDED, image(found), found.id
        return "", None, None
    if not rec.identity_id:
        return "", None, None
    if op == "delete":
        try:
            await client.get(rec.identity_id)
        except NotFound:
            return LANDED, None, rec.identity_id
        return "", None, None
    if op in ("link", "unlink"):
        if not rec.target:
            return "", None, None
        ids = {t.get("id") for t in await link_ops.linked(client, rec.identity_id, rec.target["kind"])}
        there = rec.target["id"] in ids
        return (LANDED if there == (op == "link") else ""), None, rec.identity_id
    try:
        current = fresh or await client.get(rec.identity_id)
    except NotFound:
        return "", None, None
    held = holds_sent(current, rec.requests)
    if held and all(held):
        return LANDED, image(current), current.id
    if any(held):
        return PARTLY, image(current), current.id
    return "", None, None


async def settle_all(client: LettaClient, journal: Journal, records: list[Record], *, now: Clock = _now,
                     settle_after: float = SETTLE_AFTER) -> list[Record]:
    """``records`` with every unsettled one checked against the server (in the same order)."""
    out = []
    for rec in records:
        out.append(await check(client, journal, rec, now=now, settle_after=settle_after) if not rec.settled else rec)
    return out
