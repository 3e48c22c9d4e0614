"""``set --where`` and ``delete --where``: change many identities at once, and ``undo`` of such a batch.

First a plan, from one read of the matches (the pages ``list --where`` reads): how many match, how many
would change, and a line per identity. ``--dry-run`` stops there. Then, with ``--yes`` (or a yes typed on a
terminal), each identity is written exactly as ``set`` or ``delete`` writes one (``writes.save``: read
again, merged, minimal requests; ``core.deletion``), at most four in flight, each journaled under one
batch id. One that fails or meets a change made meanwhile is reported and the others go on.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import CONFLICT, FAILED, NOT_FOUND, OK, USAGE, Exit, fmt, matching_rows, say, where_matcher
from identity_tui.commands.values import PropArg, parse_props, resolve, with_props
from identity_tui.core import batch as batch_ops
from identity_tui.core import batch_plan as plan_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line, printable
from identity_tui.core.draft import Draft
from identity_tui.core.errors import LettaError
from identity_tui.core.history import record_key, undo_means
from identity_tui.core.journal import Journal, Record
from identity_tui.core.kinds import IdentityType
from identity_tui.core.models import Identity
from identity_tui.core.summary import summarize

# What the plan says of one identity, and what became of it (the core's words).
CHANGE, UNCHANGED, INVALID, DELETE = plan_ops.CHANGE, plan_ops.UNCHANGED, plan_ops.INVALID, plan_ops.DELETE
LANDED, CONFLICTED, GONE, FAILED_ = plan_ops.LANDED, plan_ops.CONFLICTED, plan_ops.GONE, plan_ops.FAILED
SENDING = plan_ops.SENDING
Item = plan_ops.Item
_project_words = plan_ops.project_words

T = TypeVar("T")


# -- the plan ---------------------------------------------------------------------------------------------


def draft_for(loaded: Identity, props: list[PropArg], unset: list[str], name: str | None,
              identity_type: str | None) -> Draft:
    """The draft ``set`` means for one identity: each ``--prop`` (an untyped one keeps the type its key has
    there; a value that does not fit is ``Unfit``), each ``--unset``, then the name and the type."""
    base = Draft.of(loaded)
    try:
        draft, _ = with_props(base, resolve(props, base.properties), unset)
    except UsageError as exc:  # a value that does not fit this identity's type of the property
        raise plan_ops.Unfit(str(exc)) from None
    if name is not None:
        draft = replace(draft, name=name)
    if identity_type:
        draft = replace(draft, identity_type=IdentityType(identity_type))
    return draft


async def matches(client: LettaClient, args: argparse.Namespace) -> list[tuple[dict[str, Any], Identity | None]]:
    """Every identity ``list --where`` would show with these filters (``--key``, ``--project``), each read once."""
    filters = argparse.Namespace(name=None, key=args.key, type=None, project=args.project, where=args.where,
                                 all=True, limit=None, order="asc")
    out = []
    async for wire in matching_rows(client, filters):
        row = summarize(wire)
        try:
            out.append((wire, row.identity(client.host) if row is not None else None))
        except LettaError:
            out.append((wire, None))
    return out


async def plan_items(client: LettaClient, args: argparse.Namespace, kind: str) -> list[Item]:
    """The plan: for each match, what ``set`` (its save's plan) or ``delete`` would do."""
    found = await matches(client, args)
    if kind == "delete":
        return plan_ops.plan_delete(found)
    props = parse_props(args.prop, args.unset)
    return plan_ops.plan_set(found, lambda identity: draft_for(identity, props, args.unset, args.new_name,
                                                               args.new_type))


def _headline(kind: str, items: list[Item]) -> str:
    n = len(items)
    writes = sum(1 for i in items if i.plan in (CHANGE, DELETE))
    verb = "would be deleted" if kind == "delete" else "would change"
    line = f"{kind} --where: {n} {'identity matches' if n == 1 else 'identities match'}, {writes} {verb}"
    rest = [f"{c} {w}" for c, w in ((sum(1 for i in items if i.plan == UNCHANGED), "unchanged"),
                                    (sum(1 for i in items if i.plan == INVALID), "invalid")) if c]
    return line + (", " + ", ".join(rest) if rest else "") + "."


# -- asking -------------------------------------------------------------------------------------------------


def confirm(what: str, yes: bool) -> None:
    """As ``undo`` asks: ``--yes`` sends; a terminal is asked once (y/N); without one nothing is sent (exit 2)."""
    if yes:
        return
    if not is_terminal(sys.stdin):
        raise Exit(USAGE, f"{what}: add --yes to send it (no terminal can confirm it). Nothing was sent.")
    if input("Send? [y/N] ").strip().lower() not in ("y", "yes"):
        raise Exit(OK, "Not sent.")


# -- applying -----------------------------------------------------------------------------------------------


async def _stoppable(run: Callable[[], Awaitable[T]], stopped: Callable[[], str]) -> T:
    """``run()``; ctrl+c, SIGTERM or a hang-up stop it: what is in flight ends as a single write would (its
    record unknown, settled by a later read), nothing new starts, and ``stopped()`` says where it stood."""
    from identity_tui.commands.bulk import stopped_by_sigterm

    with stopped_by_sigterm() as came:
        try:
            return await run()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and sys.version_info >= (3, 11):  # Task.uncancel is new in 3.11
                task.uncancel()
            number = came[0] if came else signal.SIGINT
            words: dict[int, str] = {signal.SIGINT: "Interrupted", signal.SIGHUP: "Hung up"}
            word = words.get(number, "Terminated")
            raise Exit(128 + number, f"{word}: {stopped()}") from None


async def _save_one(client: LettaClient, item: Item) -> None:
    await plan_ops.save_one(client, item)
    if item.journal_problem:
        say(f"identity-tui: warning: {item.journal_problem}")


async def _apply(client: LettaClient, batch: str, work: Callable[[Item], Awaitable[None]], items: list[Item],
                 what: str) -> None:
    """``work`` on every item, four in flight, one batch, stopped by a signal as ``_stoppable`` says."""

    def stopped() -> str:
        done = sum(1 for i in items if i.result not in (None, SENDING))
        flying = sum(1 for i in items if i.result == SENDING)
        return (f"the batch stopped with {done} of {len(items)} {what} done and {flying} in flight (identity-tui "
                "history tells what became of those); nothing more was sent.")

    await _stoppable(lambda: plan_ops.apply(client, items, work, batch=batch), stopped)


async def _delete_one(client: LettaClient, item: Item, test: Any) -> None:
    await plan_ops.delete_one(client, item, test)
    if item.journal_problem:
        say(f"identity-tui: warning: {item.journal_problem}")
    if item.result == CONFLICTED:
        item.message = "Changed since the plan, it no longer matches --where: it was kept."


def _code(results: list[str]) -> int:
    if FAILED_ in results:
        return FAILED
    if CONFLICTED in results:
        return CONFLICT
    if GONE in results:
        return NOT_FOUND
    return OK


def _summary(batch: str, items: list[Item]) -> str:
    count = {s: sum(1 for i in items if i.result == s) for s in (LANDED, FAILED_, CONFLICTED, UNCHANGED, GONE)}
    text = (f"Batch {batch_ops.short(batch)}: {count[LANDED]} landed, {count[FAILED_]} failed, "
            f"{count[CONFLICTED]} conflicted, {count[UNCHANGED]} unchanged")
    extra = [f"{count[GONE]} gone meanwhile"] if count[GONE] else []
    return text + (", " + ", ".join(extra) if extra else "") + "."


async def _where_command(client: LettaClient, args: argparse.Namespace, kind: str) -> int:
    if args.id:
        raise UsageError(f"Give an ID or --where, not both (--where {kind}s every identity it matches).")
    where_matcher(args.where)  # a bad expression is exit 2 before anything is read
    dry_run = bool(getattr(args, "dry_run", False))
    if client.readonly and not dry_run:
        raise Exit(USAGE, "Read-only (--readonly): this command writes, so nothing was sent.")
    items = await plan_items(client, args, kind)
    as_json = fmt(args) == "json"
    writes = [i for i in items if i.plan in (CHANGE, DELETE)]
    if not as_json:
        print(printable(_headline(kind, items)))
        for item in items:
            print(item.line())
    invalid = [i for i in items if i.plan == INVALID]
    if dry_run or not writes or invalid:
        if as_json:
            _print_json(kind, "dry_run" if dry_run else "invalid" if invalid else "nothing_to_do", None, items)
        if invalid and not dry_run:  # as a single set: a change that cannot be sent is exit 2, nothing sent
            first = invalid[0]
            raise Exit(USAGE, f"{len(invalid)} of the matches cannot take this change ({one_line(first.key, 60)}: "
                              f"{first.problem.rstrip('.')}). Nothing was sent.")
        return USAGE if invalid else OK
    n = len(writes)
    noun = "identity" if n == 1 else "identities"
    confirm(f"This would {'delete' if kind == 'delete' else 'change'} {n} {noun}", args.yes)
    batch = batch_ops.new_batch_id()
    if kind == "delete":
        test = where_matcher(args.where)
        await _apply(client, batch, lambda item: _delete_one(client, item, test), writes, "deletes")
    else:
        await _apply(client, batch, lambda item: _save_one(client, item), writes, "saves")
    if as_json:
        _print_json(kind, "done", batch, items)
    else:
        print(_summary(batch, items))
        for item in items:
            if item.result in (FAILED_, CONFLICTED, GONE):
                print(f"  {one_line(item.key, 60)}  ({_project_words(item.project)})  {item.result}: "
                      f"{one_line(item.message, 240)}")
    results = [i.result or "" for i in items]
    if getattr(args, "ignore_not_found", False):  # delete --ignore-not-found: one deleted meanwhile is fine
        results = [r for r in results if r != GONE]
    return _code(results)


def _print_json(kind: str, status: str, batch: str | None, items: list[Item]) -> None:
    counts = {s: sum(1 for i in items if i.result == s) for s in (LANDED, FAILED_, CONFLICTED, UNCHANGED, GONE)}
    body = {"command": kind, "status": status, "batch": batch, "matched": len(items),
            "would_change": sum(1 for i in items if i.plan in (CHANGE, DELETE)),
            "unchanged": sum(1 for i in items if i.plan == UNCHANGED),
            "invalid": sum(1 for i in items if i.plan == INVALID),
            "results": counts if batch is not None else None,
            "identities": [i.to_json() for i in items]}
    sys.stdout.write(output.json_text(body) + "\n")


async def cmd_set_where(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    """``set --where EXPR ...``: the same change on every identity that matches."""
    if args.new_key is not None:
        raise UsageError("--new-key cannot go with --where: an identifier key names one identity.")
    if not (args.prop or args.unset or args.new_name is not None or args.new_type):
        raise UsageError("Nothing to set: give --name, --type, --prop or --unset.")
    return await _where_command(client, args, "set")


async def cmd_delete_where(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    """``delete --where EXPR``: delete every identity that matches (their links are kept for an undo)."""
    return await _where_command(client, args, "delete")


# -- undo of a batch ---------------------------------------------------------------------------------------


def _undo_item_json(item: batch_ops.UndoItem, result: batch_ops.UndoResult | None, status: str) -> dict[str, Any]:
    """One write of the batch in the shape ``undo --format json`` gives a single record, and what the batch
    adds: its ``project_id``, the ``plan`` (undo, nothing, conflict, cannot), its ``problem``, and once sent
    its ``result`` (undone, conflicted, failed) and ``message``."""
    from identity_tui.commands.undo_shape import undo_json

    rec = item.record
    plan = item.plan
    requests = []
    if plan is not None and plan.prepared is not None and plan.prepared.job is not None:
        requests = [{"method": r.method, "path": r.path, "body": r.body} for r in plan.prepared.job.plan.requests]
    done = result.done if result is not None else None
    if done is not None:
        status = done.status
    elif result is not None:
        status = result.status
    elif item.kind != batch_ops.UNDO and status != "dry_run":
        status = "nothing_to_undo" if item.kind == batch_ops.NOTHING else item.kind
    body = undo_json(status, rec, would=undo_means(rec), requests=requests,
                     identity_id=done.identity_id if done is not None else None,
                     note=(done.note or None) if done is not None else None)
    return {**body, "project_id": _record_project(rec), "plan": item.kind, "problem": item.problem or None,
            "result": result.status if result else None, "message": (result.message or None) if result else None}


def _record_project(rec: Record) -> str | None:
    project = (rec.before or rec.after or {}).get("project_id")
    return project if isinstance(project, str) else None


def _undo_line(item: batch_ops.UndoItem) -> str:
    rec = item.record
    what = {batch_ops.UNDO: f"would {undo_means(rec)}", batch_ops.NOTHING: "already as before",
            batch_ops.CONFLICT: f"kept: {item.problem}", batch_ops.CANNOT: f"cannot: {item.problem}"}[item.kind]
    return (f"  {rec.id}  {one_line(record_key(rec), 60)}  ({_project_words(_record_project(rec))})  "
            f"{one_line(what, 240)}")


async def cmd_undo_batch(client: LettaClient, args: argparse.Namespace, journal: Journal, rec: Record) -> int:
    """``undo`` when the newest landed write is one of a batch: every landed write of the batch, as one."""
    assert rec.batch is not None
    plan = await batch_ops.plan_batch_undo(client, journal, rec.batch)
    short = batch_ops.short(rec.batch)
    todo = plan.count(batch_ops.UNDO)
    kept = plan.count(batch_ops.CONFLICT)
    as_json = fmt(args) == "json"
    n = len(plan.items)
    head = (f"Undo batch {short} ({n} {'write' if n == 1 else 'writes'} that landed): {todo} to put back, "
            f"{plan.count(batch_ops.NOTHING)} already as before, {kept} changed since (kept), "
            f"{plan.count(batch_ops.CANNOT)} that cannot be.")
    if not as_json:
        print(head)
        for item in plan.items:
            print(_undo_line(item))
        if plan.left:
            print(f"  ({len(plan.left)} writes of the batch did not land: left alone)")
    plan_code = CONFLICT if kept else NOT_FOUND if plan.count(batch_ops.CANNOT) else OK
    if args.dry_run or not todo:
        if as_json:
            _print_undo_json("dry_run" if args.dry_run else "nothing_to_undo", rec.batch, None, plan, [])
        if not todo and not kept and not plan.count(batch_ops.CANNOT):
            say(f"Nothing to undo: the server already holds batch {short}'s identities as they were before it.")
        elif not todo and not args.dry_run:
            raise Exit(plan_code, f"Cannot undo batch {short}: each write left was changed since or cannot be "
                                  "put back (listed above); nothing was sent.")
        return plan_code
    confirm(f"Undo batch {short} would put back {todo} {'write' if todo == 1 else 'writes'}", args.yes)
    with_undo = [i for i in plan.items if i.kind == batch_ops.UNDO]
    new_batch, results = await _stoppable(
        lambda: batch_ops.apply_batch_undo(client, plan),
        lambda: f"the undo of batch {short} stopped part way (identity-tui history tells what landed); "
                "nothing more was sent.")
    by_record = {r.item.record.id: r for r in results}
    for problem in (r.journal_problem for r in results if r.journal_problem):
        say(f"identity-tui: warning: {problem}")
    if as_json:
        _print_undo_json("done", rec.batch, new_batch, plan, results)
    else:
        count = {s: sum(1 for r in results if r.status == s) for s in
                 (batch_ops.UNDONE, batch_ops.CONFLICTED, batch_ops.FAILED)}
        print(f"Undid batch {short} (as batch {batch_ops.short(new_batch)}): {count[batch_ops.UNDONE]} undone, "
              f"{count[batch_ops.CONFLICTED] + kept} conflicted (kept as they are), {count[batch_ops.FAILED]} failed.")
        for item in with_undo:
            result = by_record.get(item.record.id)
            if result is not None and result.status != batch_ops.UNDONE:
                print(f"  {item.record.id}  {one_line(record_key(item.record), 60)}  {result.status}: "
                      f"{one_line(result.message, 240)}")
    statuses = [r.status for r in results]
    if batch_ops.FAILED in statuses:
        return FAILED
    if batch_ops.CONFLICTED in statuses or kept:
        return CONFLICT
    return plan_code


def _print_undo_json(status: str, batch: str, new_batch: str | None, plan: batch_ops.BatchUndoPlan,
                     results: list[batch_ops.UndoResult]) -> None:
    by_record = {r.item.record.id: r for r in results}
    body = {"status": status, "undo_batch": batch, "batch": new_batch,
            "counts": {k: plan.count(k) for k in (batch_ops.UNDO, batch_ops.NOTHING, batch_ops.CONFLICT,
                                                  batch_ops.CANNOT)},
            "not_landed": [r.id for r in plan.left],
            "writes": [_undo_item_json(i, by_record.get(i.record.id), status) for i in plan.items]}
    sys.stdout.write(output.json_text(body) + "\n")
