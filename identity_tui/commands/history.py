"""``history`` and ``undo``: the write journal of this server, and putting a change back."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta

from identity_tui.commands import batch, output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import CONFLICT, NOT_FOUND, OK, USAGE, Exit, fmt, note, say
from identity_tui.commands.undo_shape import undo_json
from identity_tui.core import journal_check
from identity_tui.core import undo as undo_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line
from identity_tui.core.history import diff, outcome_words, record_key, undo_means
from identity_tui.core.journal import Journal, Record

_AGO = re.compile(r"(\d+)\s*([smhdw])")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def since_time(text: str, now: datetime | None = None) -> datetime:
    """``--since``: a time today (``02:58``, ``02:58:30``, local time), an ISO date or date and time (local
    time unless it names its offset), or an age (90s, 30m, 12h, 3d, 2w)."""
    given = text.strip()
    now = now or datetime.now().astimezone()
    age = _AGO.fullmatch(given)
    if age:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[age.group(2)]
        return now - timedelta(**{unit: int(age.group(1))})
    clock = _CLOCK.fullmatch(given)
    try:
        if clock:
            hour, minute, second = (int(g or 0) for g in clock.groups())
            return now.replace(hour=hour, minute=minute, second=second, microsecond=0)
        when = datetime.fromisoformat(given)
    except ValueError:
        raise UsageError(f"--since {one_line(text, 40)}: give a time (02:58), a date (2026-11-30), a date and time "
                         "(2026-11-30T02:58), or an age (30m, 12h, 3d).") from None
    return when if when.tzinfo else when.astimezone()  # a naive time is local, as history prints it


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
    return out if args.limit is None else out[: args.limit]


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
        note("No writes recorded for this server" + (" and identity." if args.id or args.key else "."))
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
            return _nothing(args, rec, f"{rec.id} was undone already (undo that undo to put it back).")
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
            return _nothing(args, rec, f"{rec.id} {plan.problem[0].lower()}{plan.problem[1:]}")
        raise Exit(CONFLICT if "changed since" in plan.problem or "exists again" in plan.problem else NOT_FOUND,
                   f"Cannot undo {rec.id}: {plan.problem}")
    if plan.nothing:
        return _nothing(args, rec, f"the server already holds the identity as it was before {rec.id}.")
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
            sys.stdout.write(output.json_text(undo_json("dry_run", rec, would=undo_means(rec),
                                                        requests=_requests_json(plan))) + "\n")
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
            if fmt(args) == "json":
                sys.stdout.write(output.json_text(undo_json("not_sent", rec, would=undo_means(rec),
                                                            requests=_requests_json(plan))) + "\n")
            raise Exit(OK, "Not sent.")
    try:
        done = await undo_ops.apply_undo(client, plan)
    except undo_ops.UndoConflict as exc:
        raise Exit(CONFLICT, exc.message) from None
    said = f" ({done.note})" if done.note else ""
    if done.journal_problem:
        say(f"identity-tui: warning: {done.journal_problem}")
    if fmt(args) == "json":
        sys.stdout.write(output.json_text(undo_json(done.status, rec, would=undo_means(rec),
                                                    requests=_requests_json(plan), identity_id=done.identity_id,
                                                    note=done.note or None)) + "\n")
    else:
        sys.stdout.write(f"{done.status}: undid {rec.id} ({rec.operation} of "
                         f"{one_line(record_key(rec), 40)}){said}\n")
    return OK


def _nothing(args: argparse.Namespace, rec: Record, why: str) -> int:
    """Nothing to undo: said on stderr, and as JSON on stdout when JSON is asked for."""
    if fmt(args) == "json":
        sys.stdout.write(output.json_text(undo_json("nothing_to_undo", rec, note=f"Nothing to undo: {why}")) + "\n")
        sys.stdout.flush()
    note(f"Nothing to undo: {why}")
    return OK


def _requests_json(plan: undo_ops.UndoPlan) -> list[dict[str, object]]:
    if plan.prepared is not None and plan.prepared.job is not None:
        return [{"method": r.method, "path": r.path, "body": r.body} for r in plan.prepared.job.plan.requests]
    return []
