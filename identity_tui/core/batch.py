"""Many writes as one batch: at most four in flight, every one journaled under one batch id; a batch undone as one.

A batch is what ``set --where`` and ``delete --where`` write: one save (or delete) per identity, each the same
transaction a single write is, each its own journal record, all carrying one ``batch`` id
(``journal.in_batch``). Undoing a batch undoes every landed write of it that is not undone yet, each
through ``core.undo`` as a single undo is (read again, merged, the identity read once more right before
sending): one changed since, overlapping what the undo would put back, is left as it is and named; the
others are undone. Those undos are journaled as a batch of their own, so the next undo steps further back.

No widgets here.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from identity_tui.core import undo as undo_ops
from identity_tui.core.errors import AlreadyExists, LettaError, answer_may_be_lost
from identity_tui.core.journal import Journal, Record, in_batch

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient

CONCURRENCY = 4

T = TypeVar("T")
R = TypeVar("R")


def new_batch_id() -> str:
    return uuid.uuid4().hex


def short(batch: str | None) -> str:
    """The few characters of a batch id a person reads (history shows them)."""
    return (batch or "")[:8]


async def limited(items: Sequence[T], work: Callable[[T], Awaitable[R]], concurrency: int = CONCURRENCY) -> list[R]:
    """``work`` on every item, at most ``concurrency`` at once; the results in the items' order.

    Cancelled (ctrl+c, SIGTERM), the writes in flight are cancelled as a single writer's are (their journal
    records say unknown, to be settled by a later read), and none of those waiting starts. ``work`` is meant
    to report a failure rather than raise; one that raises cancels the rest the same way, and its error
    comes out as itself."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item: T) -> R:
        async with gate:
            return await work(item)

    if sys.version_info >= (3, 11):
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(item)) for item in items]
        except BaseExceptionGroup as failed:  # a work that raised (the others were cancelled): its own error
            raise failed.exceptions[0] from None
        return [t.result() for t in tasks]
    return await _all_or_none([one(item) for item in items])  # pragma: no cover - Python 3.10


async def _all_or_none(works: list[Coroutine[Any, Any, R]]) -> list[R]:
    """What the task group above does, on Python 3.10 (which has none): every work as a task, their results
    in order; the first that raises cancels the others and its error comes out as itself; cancelled, the
    tasks are cancelled too and waited for."""
    tasks = [asyncio.ensure_future(work) for work in works]
    if not tasks:
        return []
    try:
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        raise
    failed = next((t.exception() for t in tasks if t.done() and not t.cancelled() and t.exception()), None)
    if failed is not None:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        raise failed
    return [t.result() for t in tasks]


# -- undoing a batch ---------------------------------------------------------------------------------------

# What undoing one write of a batch means now (``UndoItem.kind``).
UNDO, NOTHING, CONFLICT, CANNOT = "undo", "nothing", "conflict", "cannot"
# What became of it (``UndoResult.status``).
UNDONE, CONFLICTED, FAILED, NOT_SENT = "undone", "conflicted", "failed", "not_sent"


@dataclass(frozen=True)
class UndoItem:
    """One write of the batch and what undoing it means now: ``undo`` (``plan`` says what is sent),
    ``nothing`` (the server holds it as before already), ``conflict`` (changed since, overlapping the undo:
    kept as it is) or ``cannot`` (``problem`` says why)."""

    record: Record
    kind: str
    plan: undo_ops.UndoPlan | None = None
    problem: str = ""


@dataclass(frozen=True)
class BatchUndoPlan:
    batch: str
    items: list[UndoItem]
    left: list[Record] = field(default_factory=list)  # writes of the batch that did not land: nothing to undo

    def count(self, kind: str) -> int:
        return sum(1 for i in self.items if i.kind == kind)


@dataclass(frozen=True)
class UndoResult:
    item: UndoItem
    status: str  # undone, conflicted, failed, not_sent
    message: str = ""
    done: undo_ops.UndoDone | None = None
    journal_problem: str = ""  # the undo went through but the journal could not record it


def _is_conflict(problem: str) -> bool:
    """A problem of ``plan_undo`` that means someone changed the identity since (as ``undo`` words it)."""
    return "changed since" in problem or "exists again" in problem


async def plan_one(client: LettaClient, journal: Journal | None, rec: Record) -> UndoItem:
    """What undoing ``rec`` means now (a read of the server, nothing sent)."""
    try:
        plan = await undo_ops.plan_undo(client, rec, journal)
    except LettaError as exc:
        return UndoItem(rec, CANNOT, problem=exc.message)
    rec = plan.record
    if plan.problem:
        return UndoItem(rec, CONFLICT if _is_conflict(plan.problem) else CANNOT, plan, plan.problem)
    if plan.nothing:
        return UndoItem(rec, NOTHING, plan)
    if plan.prepared is not None and plan.prepared.conflicts:
        fields = ", ".join(c.field for c in plan.prepared.conflicts[:5])
        return UndoItem(rec, CONFLICT, plan, f"Changed since, overlapping the undo ({fields}).")
    return UndoItem(rec, UNDO, plan)


async def plan_batch_undo(client: LettaClient, journal: Journal, batch: str,
                          concurrency: int = CONCURRENCY) -> BatchUndoPlan:
    """Read the server for every landed, not yet undone write of ``batch`` and decide what undoing it sends."""
    take, left = await undo_ops.batch_records(client, journal, batch)
    items = await limited(take, lambda rec: plan_one(client, journal, rec), concurrency)
    return BatchUndoPlan(batch, items, left)


async def apply_batch_undo(client: LettaClient, plan: BatchUndoPlan, *, concurrency: int = CONCURRENCY,
                           stop: Callable[[], bool] | None = None,
                           done: Callable[[UndoResult], object] | None = None) -> tuple[str, list[UndoResult]]:
    """Send the undo of every ``undo`` item, at most ``concurrency`` at once, journaled as a new batch (its id is
    returned). One that fails or meets a change made meanwhile is reported, and the others go on. Writes of
    one identity are undone one after another, newest first, each planned again after the one before.
    ``stop()`` is asked before each undo starts: once it says yes, no more start (those are ``not_sent``);
    ``done(result)`` is called as each one ends."""
    groups: dict[str, list[UndoItem]] = {}
    for n, item in enumerate(i for i in plan.items if i.kind == UNDO):
        groups.setdefault(item.record.identity_id or f"#{n}", []).append(item)
    journal = client.journal

    async def run(group: list[UndoItem]) -> list[UndoResult]:
        out = []
        for n, item in enumerate(group):
            if stop is not None and stop():
                out.append(UndoResult(item, NOT_SENT, "Stopped before it was sent."))
                if done is not None:
                    done(out[-1])
                continue
            if n:  # the write before it on this identity was just undone: what this one means has changed
                item = await plan_one(client, journal, item.record)
                if item.kind != UNDO:
                    status = CONFLICTED if item.kind == CONFLICT else FAILED
                    out.append(UndoResult(item, status, item.problem or "Nothing left to undo."))
                    if done is not None:
                        done(out[-1])
                    continue
            out.append(await _apply_one(client, item))
            if done is not None:
                done(out[-1])
        return out

    batch = new_batch_id()
    with in_batch(batch):
        finished = await limited(list(groups.values()), run, concurrency)
    return batch, [r for group in finished for r in group]


async def _apply_one(client: LettaClient, item: UndoItem) -> UndoResult:
    assert item.plan is not None
    try:
        done = await undo_ops.apply_undo(client, item.plan)
    except undo_ops.UndoConflict as exc:
        return UndoResult(item, CONFLICTED, exc.message)
    except AlreadyExists as exc:
        return UndoResult(item, CONFLICTED, exc.message)
    except LettaError as exc:
        words = exc.message.strip().rstrip(".")
        if _in_doubt(client, item, exc):
            return UndoResult(item, FAILED,
                              f"{words}; it is not known whether the undo landed (the history tells later).")
        return UndoResult(item, FAILED, f"{words}.")
    return UndoResult(item, UNDONE, done=done, journal_problem=done.journal_problem or "")


def _in_doubt(client: LettaClient, item: UndoItem, exc: LettaError) -> bool:
    """The undo was sent and its answer lost, so it may have landed or land still: the journal holds it
    unsettled (a read that failed before anything was sent leaves no record)."""
    journal = client.journal
    if journal is None:
        return answer_may_be_lost(exc)
    return any(r.undoes == item.record.id for r in (*journal.unsettled.values(), *journal.unsettled_creates.values()))
