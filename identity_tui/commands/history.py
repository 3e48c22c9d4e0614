"""``history`` and ``undo``: the write journal of this server, and putting a change back."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta, timezone

from identity_tui.commands import batch, output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import CONFLICT, NOT_FOUND, OK, USAGE, Exit, fmt, say
from identity_tui.core import journal_check
from identity_tui.core import undo as undo_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line
from identity_tui.core.history import diff, outcome_words, record_key, undo_means
from identity_tui.core.journal import Journal, Record

_AGO = re.compile(r"(\d+)\s*([mhdw])")


def since_time(text: str) -> datetime:
    """``--since``: an ISO date or time, or an age such as 30m, 12h, 3d, 2w."""
    age = _AGO.fullmatch(text.strip())
    if age:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[age.group(2)]
        return datetime.now(timezone.utc) - timedelta(**{unit: int(age.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {one_line(text, 40)}: give a date (2026-11-30), a time, or an age (12h, 3d).") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _select(journal: Journal, args: argparse.Namespace, identity_id: str | None) -> list[Record]:
    since = since_time(args.since) if args.since else None
    out = []
    for rec in journal.records():
        if identity_id and rec.identity_id != identity_id:
            continue
        if args.key and not identity_id and not undo_ops.about(rec, args.key):
            continue
        if since and rec.when < since:
            continue
        out.append(rec)
    out.reverse()  # newest first
    return out


async def cmd_history(client: LettaClient, args: argparse.Namespace, journal: Journal) -> int:
    records = _select(journal, args, args.id)
    for warning in journal.warnings:
        say(f"identity-tui: warning: {warning}")
    if any(not r.settled for r in records):  # a write whose answer was lost: a read tells what became of it
        settled = {r.id: r for r in await journal_check.settle_all(client, journal, records)}
        records = [settled[r.id] for r in records]
    if fmt(args) == "json":
        sys.stdout.write(output.json_text([r.to_json() for r in records]) + "\n")
        return OK
    if not records:
        say("No writes recorded for this server" + (" and identity." if args.id or args.key else "."))
        return OK
    for rec in records:
        local = rec.when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        undo = (f" (undoes {rec.undoes})" if rec.undoes else "") + (f" [batch {one_line(rec.batch[:8])}]" if rec.batch else "")
        sys.stdout.write(f"{rec.id}  {local}  {rec.operation:6}  {one_line(record_key(rec), 40)}"
                         f"  {one_line(outcome_words(rec), 90)}{undo}\n")
        for line in diff(rec):
            sys.stdout.write(f"    {line}\n")
    return OK


async def cmd_undo(client: LettaClient, args: argparse.Namespace, journal: Journal) -> int:
    if client.readonly:
        raise Exit(USAGE, "Read-only (--readonly): an undo writes, so nothing was sent.")
    if args.record:
        if args.key:
            raise UsageError("Give a record or --key, not both.")
        rec = journal.find(args.record)
        if rec is None:
            raise Exit(NOT_FOUND, f"No record {one_line(args.record, 40)} in this server's journal.")
        if rec.id in {r.undoes for r in journal.records() if r.undoes and r.landed}:
            say(f"Nothing to undo: {rec.id} was undone already (undo that undo to put it back).")
            return OK
    else:
        found, why = await undo_ops.pick(client, journal, key=args.key)
        if found is None:
            raise Exit(NOT_FOUND, why)
        rec = found
        if rec.batch is not None and not args.key:  # one of a batch: the whole batch, as one (commands/batch.py)
            return await batch.cmd_undo_batch(client, args, journal, rec)
    plan = await undo_ops.plan_undo(client, rec, journal)
    rec = plan.record
    if plan.problem:
        if not rec.landed:
            say(f"Nothing to undo: {rec.id} {plan.problem[0].lower()}{plan.problem[1:]}")
            return OK
        raise Exit(CONFLICT if "changed since" in plan.problem or "exists again" in plan.problem else NOT_FOUND,
                   f"Cannot undo {rec.id}: {plan.problem}")
    if plan.nothing:
        say(f"Nothing to undo: the server already holds the identity as it was before {rec.id}.")
        return OK
    if plan.prepared is not None and plan.prepared.conflicts:
        fields = ", ".join(c.field for c in plan.prepared.conflicts[:5])
        raise Exit(CONFLICT, f"Changed since {rec.id}, overlapping the undo ({fields}): nothing was sent.")
    what = f"Undo {rec.id} ({rec.operation} of {one_line(record_key(rec), 40)}) would {undo_means(rec)}."
    requests = ""
    if plan.prepared is not None and plan.prepared.job is not None:
        from identity_tui.commands.writes import plan_text

        requests = plan_text(plan.prepared.job.plan)
    if args.dry_run:
        if fmt(args) == "json":
            sys.stdout.write(output.json_text({"status": "dry_run", "undo": rec.id, "would": undo_means(rec),
                                               "requests": _requests_json(plan)}) + "\n")
            return OK
        print(what)
        if requests:
            print(requests)
        return OK
    if not args.yes:
        if not is_terminal(sys.stdin):
            raise Exit(USAGE, f"{what[:-1]}: give --yes to send it (no terminal can confirm it). Nothing was sent.")
        say(what)
        if requests:
            say(requests)
        if plan.delete_id is not None:
            typed = input(f"Undo deletes {rec.identifier_key!r}. Type its identifier key to confirm: ")
            if typed != rec.identifier_key:
                raise Exit(USAGE, "The key typed does not match: nothing was deleted.")
        elif input("Send? [y/N] ").strip().lower() not in ("y", "yes"):
            raise Exit(OK, "Not sent.")
    try:
        done = await undo_ops.apply_undo(client, plan)
    except undo_ops.UndoConflict as exc:
        raise Exit(CONFLICT, exc.message) from None
    note = f" ({done.note})" if done.note else ""
    if fmt(args) == "json":
        sys.stdout.write(output.json_text({"status": done.status, "undid": rec.id, "identity_id": done.identity_id,
                                           "note": done.note or None}) + "\n")
    else:
        sys.stdout.write(f"{done.status}: undid {rec.id} ({rec.operation} of "
                         f"{one_line(record_key(rec), 40)}){note}\n")
    return OK


def _requests_json(plan: undo_ops.UndoPlan) -> list[dict]:
    if plan.prepared is not None and plan.prepared.job is not None:
        return [{"method": r.method, "path": r.path, "body": r.body} for r in plan.prepared.job.plan.requests]
    return []
