"""``history`` and ``undo``: the write journal of this server, and putting a change back."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta, timezone

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import CONFLICT, NOT_FOUND, OK, USAGE, Exit, fmt, say
from identity_tui.core import undo as undo_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line
from identity_tui.core.history import diff, undo_means
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
        if args.key and rec.identifier_key != args.key and not identity_id:
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
    if fmt(args) == "json":
        sys.stdout.write(output.json_text([r.to_json() for r in records]) + "\n")
        return OK
    if not records:
        say("No writes recorded for this server" + (" and identity." if args.id or args.key else "."))
        return OK
    for rec in records:
        local = rec.when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        undo = f" (undoes {rec.undoes})" if rec.undoes else ""
        sys.stdout.write(f"{rec.id}  {local}  {rec.operation:6}  {one_line(rec.identifier_key or rec.identity_id or '', 40)}"
                         f"  {one_line(rec.outcome, 60)}{undo}\n")
        for line in diff(rec):
            sys.stdout.write(f"    {line}\n")
    return OK


async def cmd_undo(client: LettaClient, args: argparse.Namespace, journal: Journal) -> int:
    if client.readonly:
        raise Exit(USAGE, "Read-only (--readonly): an undo writes, so nothing was sent.")
    records = list(journal.records())
    if args.record:
        rec = journal.find(args.record)
        if rec is None:
            raise Exit(NOT_FOUND, f"No record {one_line(args.record, 40)} in this server's journal.")
    else:
        if not records:
            raise Exit(NOT_FOUND, "Nothing recorded to undo on this server.")
        rec = records[-1]
    plan = await undo_ops.plan_undo(client, rec)
    if plan.problem:
        raise Exit(CONFLICT if "changed since" in plan.problem or "exists again" in plan.problem else NOT_FOUND,
                   f"Cannot undo {rec.id}: {plan.problem}")
    if plan.nothing:
        say(f"Nothing to undo: the server already holds the identity as it was before {rec.id}.")
        return OK
    if plan.prepared is not None and plan.prepared.conflicts:
        fields = ", ".join(c.field for c in plan.prepared.conflicts[:5])
        raise Exit(CONFLICT, f"Changed since {rec.id}, overlapping the undo ({fields}): nothing was sent.")
    what = undo_means(rec)
    if args.dry_run:
        print(f"Undo {rec.id} would {what}.")
        if plan.prepared is not None and plan.prepared.job is not None:
            from identity_tui.commands.writes import plan_text

            print(plan_text(plan.prepared.job.plan))
        return OK
    if plan.delete_id is not None and not args.yes:
        if not is_terminal(sys.stdin):
            raise Exit(USAGE, "Undoing a create deletes the identity: give --yes (no terminal can confirm it).")
        typed = input(f"Undo deletes {rec.identifier_key!r}. Type its identifier key to confirm: ")
        if typed != rec.identifier_key:
            raise Exit(USAGE, "The key typed does not match: nothing was deleted.")
    done = await undo_ops.apply_undo(client, plan)
    note = f" ({done.note})" if done.note else ""
    if fmt(args) == "json":
        sys.stdout.write(output.json_text({"status": done.status, "undid": rec.id, "identity_id": done.identity_id,
                                           "note": done.note or None}) + "\n")
    else:
        sys.stdout.write(f"{done.status}: undid {rec.id} ({rec.operation} of "
                         f"{one_line(rec.identifier_key or rec.identity_id or '', 40)}){note}\n")
    return OK
