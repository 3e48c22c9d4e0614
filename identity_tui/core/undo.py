"""Undo a journal record: put back the identity as it was before, through the same save transaction.

An undo is a save like any other: the identity is read again, what changed since the record was
written is merged three-way (the record's after-image is the base, the server's copy is theirs, the
before-image is mine), overlapping changes come back as conflicts, and only what differs is sent; the
identity is read once more right before the first request leaves, and anything new goes back through
the same merge. Undoing a create deletes; undoing a delete creates again (a new id) with its properties
and links; undoing a link unlinks and the other way round. Each undo is journaled, so it can be undone
in turn.

Only a write that landed is undone. A write whose outcome is unknown is settled by a read first
(``core.journal_check``); one that was refused, failed or is still not seen is left alone. ``pick``
chooses the newest landed write that is neither an undo nor undone already, so a second undo steps one
write further back and never silently redoes. A write that was one of a batch (``set --where``) is undone
with the rest of its batch (``batch_records``; ``core.batch`` plans and sends them), each through this
same path, and those undos are journaled as a batch of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from identity_tui.core import deletion, journal_check
from identity_tui.core import links as link_ops
from identity_tui.core import transaction as tx
from identity_tui.core.diff import diff
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.journal import Journal, Record
from identity_tui.core.models import Identity
from identity_tui.core.draft import Draft

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a record means now. Exactly one of: ``prepared`` (a save to send or conflicts to
    settle), ``delete_id`` (undo of a create), ``recreate`` (undo of a delete), ``link`` (the opposite
    link change), ``nothing`` (the server already holds the before-image), ``problem`` (cannot undo)."""

    record: Record
    prepared: tx.Prepared | None = None
    delete_id: str | None = None
    recreate: Draft | None = None
    link: tuple[str, str, bool] | None = None  # (kind, target id, attach)
    nothing: bool = False
    problem: str = ""


def _identity(data: dict[str, Any] | None) -> Identity | None:
    return Identity.model_validate(data) if data else None


class UndoConflict(LettaError):
    """Changed meanwhile, overlapping the undo (seen by the read right before sending): nothing was sent."""

    def __init__(self, prepared: tx.Prepared) -> None:
        fields = ", ".join(c.field for c in prepared.conflicts[:5])
        super().__init__(f"Changed on the server meanwhile, overlapping the undo ({fields}): nothing was sent.")
        self.prepared = prepared


def _undone(records: list[Record]) -> set[str]:
    """The records a landed undo has put back."""
    return {r.undoes for r in records if r.undoes and r.landed}


def about(rec: Record, key: str | None) -> bool:
    """The record is about identity ``key`` (its key before, after, or as sent)."""
    if key is None:
        return True
    keys = {rec.identifier_key, (rec.before or {}).get("identifier_key"), (rec.after or {}).get("identifier_key")}
    return key in keys


async def pick(client: LettaClient, journal: Journal, *, key: str | None = None) -> tuple[Record | None, str]:
    """The write a plain ``undo`` takes: the newest landed write (of identity ``key``) that is not an undo
    and was not undone; unsettled writes on the way are settled by a read. (None, why) when there is none."""
    records = list(journal.records())
    undone = _undone(records)
    skipped = 0
    for rec in reversed(records):
        if rec.undoes or rec.id in undone or not about(rec, key):
            continue
        if not rec.settled:
            rec = await journal_check.check(client, journal, rec)
        if rec.landed:
            return rec, ""
        skipped += 1
    whose = f" of '{key}'" if key is not None else ""
    if skipped:
        return None, f"No write{whose} that landed is left to undo ({skipped} that did not land were left alone)."
    return None, f"Nothing recorded{whose} to undo on this server."


async def batch_records(client: LettaClient, journal: Journal, batch: str) -> tuple[list[Record], list[Record]]:
    """The writes of ``batch`` an undo of the batch puts back: every landed one not undone yet, newest first
    (unsettled ones settled by a read first); and those of the batch left alone because they did not land."""
    records = list(journal.records())
    undone = _undone(records)
    take: list[Record] = []
    left: list[Record] = []
    for rec in reversed(records):
        if rec.batch != batch or rec.id in undone:
            continue
        if not rec.settled:
            rec = await journal_check.check(client, journal, rec)
        (take if rec.landed else left).append(rec)
    return take, left


async def plan_undo(client: LettaClient, record: Record, journal: Journal | None = None) -> UndoPlan:
    """Read the server and decide what undoing ``record`` sends (settling its outcome first when unknown)."""
    if not record.settled and journal is not None:
        record = await journal_check.check(client, journal, record)
    if not record.landed:
        words = "its outcome is still unknown (a read of the server does not show it)" if not record.settled \
            else record.outcome
        return UndoPlan(record, problem=f"It did not land ({words}): there is nothing to undo.", nothing=False)
    op = record.operation
    if op in ("link", "unlink"):
        if not record.target or not record.identity_id:
            return UndoPlan(record, problem="The record does not say what was linked.")
        return UndoPlan(record, link=(record.target["kind"], record.target["id"], op == "unlink"))
    if op == "delete":
        before = _identity(record.before)
        if before is None:
            return UndoPlan(record, problem="The record holds no copy of the deleted identity.")
        found = await client.find_by_key(before.identifier_key, before.project_id)
        if found is not None:
            return UndoPlan(record, problem=f"An identity with key '{before.identifier_key}' exists again "
                                            f"({found.id}): nothing to re-create.")
        return UndoPlan(record, recreate=Draft.of(before))
    if not record.identity_id:
        return UndoPlan(record, problem="The record names no identity.")
    try:
        current = await client.get(record.identity_id)
    except NotFound:
        return UndoPlan(record, problem="The identity was deleted since: there is nothing to put back.")
    after = _identity(record.after)
    if after is None:
        return UndoPlan(record, problem="The record holds no copy from after the change: it cannot be merged safely.")
    if op == "create":
        if not diff(current, after).empty:
            return UndoPlan(record, problem="The identity was changed since it was created: delete it with "
                                            "identity-tui delete if that is still meant.")
        return UndoPlan(record, delete_id=current.id)
    before = _identity(record.before)
    if before is None:
        return UndoPlan(record, problem="The record holds no copy from before the change.")
    mine = replace(Draft.of(before), project_id=current.project_id)
    prepared = tx.merged(after, current, mine)
    if prepared.holds is not None and prepared.job is None and not prepared.conflicts:
        return UndoPlan(record, nothing=True)
    return UndoPlan(record, prepared=prepared)


@dataclass(frozen=True)
class UndoDone:
    status: str  # restored, deleted, recreated, linked, unlinked
    identity_id: str | None
    note: str = ""
    journal_problem: str | None = None  # why the journal could not record the undo (it went through)


async def apply_undo(client: LettaClient, plan: UndoPlan, choices: dict[str, str] | None = None) -> UndoDone:
    """Send what ``plan`` means (conflicts settled by ``choices``); raises LettaError on a failure."""
    rec = plan.record
    if plan.link is not None:
        kind, target, attach = plan.link
        assert rec.identity_id is not None  # plan_undo plans a link's undo only for a record naming its identity
        done = await link_ops.change(client, rec.identity_id, kind, target, attach=attach, undoes=rec.id)
        return UndoDone(done.status, rec.identity_id, journal_problem=done.journal_problem)
    if plan.delete_id is not None:
        result = await deletion.delete(client, plan.delete_id, undoes=rec.id)
        if isinstance(result, deletion.DeleteFailed):
            raise result.error
        return UndoDone("deleted", plan.delete_id, journal_problem=result.journal_problem)
    if plan.recreate is not None:
        prepared = tx.prepare_create(plan.recreate)
        assert prepared.job is not None
        outcome = await tx.send(client, prepared.job, undoes=rec.id)
        if not isinstance(outcome, tx.Saved):
            raise outcome.error if isinstance(outcome, tx.Failed) else LettaError("The identity was not re-created.")
        relinked = await _relink(client, outcome.identity.id, rec.links or {}, rec.id)
        return UndoDone("recreated", outcome.identity.id, f"a new id; {relinked}", outcome.journal_problem)
    assert plan.prepared is not None
    prepared = plan.prepared
    if prepared.conflicts:
        if not choices:
            raise LettaError("The identity changed since, overlapping the undo: choose per field first.")
        prepared = tx.resolve(prepared, choices)
    for _ in range(3):  # each round: the server changed again between the read and the send
        if prepared.job is None:
            return UndoDone("restored", rec.identity_id, "the server already held these values")
        outcome = await tx.send(client, replace(prepared.job, check_first=True), undoes=rec.id)
        if isinstance(outcome, tx.Saved):
            return UndoDone("restored", outcome.identity.id, journal_problem=outcome.journal_problem)
        if isinstance(outcome, tx.Failed):
            raise outcome.error
        if isinstance(outcome, tx.ReadFailed):
            raise outcome.error
        if isinstance(outcome, tx.Changed):
            prepared = outcome.prepared
            if prepared.conflicts:
                raise UndoConflict(prepared)
            if prepared.errors:
                raise LettaError(f"Changed meanwhile; with those changes the undo would be invalid "
                                 f"({prepared.errors[0].field}: {prepared.errors[0].message}): nothing was sent.")
            continue
        break
    raise LettaError("The identity kept changing while the undo was sent; nothing more was sent.")


async def _relink(client: LettaClient, identity_id: str, links: dict[str, list[str]], undoes: str) -> str:
    done, missing = 0, 0
    for kind, key in (("agent", "agents"), ("block", "blocks")):
        for target in links.get(key, []):
            try:
                await link_ops.change(client, identity_id, kind, target, attach=True, undoes=undoes)
                done += 1
            except LettaError:
                missing += 1
    text = f"{done} link{'s' if done != 1 else ''} restored"
    return text + (f", {missing} could not be (the agent or block is gone)" if missing else "")
