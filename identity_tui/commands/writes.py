"""The writing commands (ensure, set, delete): each plans and writes through the core save transaction."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import CONFLICT, FAILED, NOT_FOUND, OK, USAGE, Exit, fmt, raw, say, show
from identity_tui.commands.run import find as find_row
from identity_tui.commands.values import error_sentence, parse_prop, with_props
from identity_tui.core import transaction as tx
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line
from identity_tui.core.errors import Conflict
from identity_tui.core.kinds import IdentityType
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft, Plan


def journal_said(outcome: Any) -> Any:
    """A write went through but the journal could not record it: say so (one line), and go on."""
    problem = getattr(outcome, "journal_problem", None)
    if problem:
        say(f"identity-tui: warning: {problem}")
    return outcome


async def find(client: LettaClient, args: argparse.Namespace, project: str | None) -> Identity:
    """The identity named on the command line, validated in full (a write plans against it)."""
    return (await find_row(client, args, project)).identity(client.host)


def plan_text(plan: Plan) -> str:
    """The requests exactly as they would be sent, for --dry-run."""
    lines = []
    if plan.put_reason:
        lines.append(f"Why a PUT: {plan.put_reason}: it replaces the whole property list.")
    for i, request in enumerate(plan.requests, 1):
        lines.append(f"{i}. {request.method} {request.path}")
        if request.why:
            lines.append(f"   {one_line(request.why)}")
        lines.extend("   " + line for line in output.json_text(request.body).split("\n"))
    return "\n".join(lines)


async def save(client: LettaClient, loaded: Identity, draft: Draft, args: argparse.Namespace) -> tuple[str, Identity]:
    """The core transaction from a command: re-read, merge, plan; a conflict writes nothing (exit 4)."""
    prepared = await tx.prepare(client, loaded, draft)
    if prepared.errors:
        raise Exit(USAGE, error_sentence(draft, prepared.errors[0]) + " Nothing was sent.")
    if prepared.error is not None:
        if prepared.gone:
            raise Exit(NOT_FOUND, "The identity was deleted on the server meanwhile; nothing was sent.")
        raise prepared.error
    if prepared.conflicts:
        clash = ", ".join(_conflict_words(c) for c in prepared.conflicts[:5])
        raise Exit(CONFLICT, f"Changed on the server meanwhile, overlapping this change: {clash}. Nothing was sent.")
    if prepared.job is None:
        assert prepared.holds is not None
        return "unchanged", prepared.holds
    job = prepared.job
    if getattr(args, "dry_run", False):
        print(plan_text(job.plan))
        if prepared.kept:
            say(f"Changes made meanwhile that this keeps: {', '.join(prepared.kept)}")
        return "dry-run", loaded
    if job.plan.put_reason and not getattr(args, "yes", False) and is_terminal(sys.stdin):
        say(plan_text(job.plan))
        if input("Send? [y/N] ").strip().lower() not in ("y", "yes"):
            raise Exit(OK, "Not sent.")
    outcome = journal_said(await tx.send(client, job))
    if isinstance(outcome, tx.Saved):
        if outcome.dropped:
            raise Exit(FAILED, f"Sent, but the server kept different values for: {', '.join(outcome.dropped)}.")
        return "saved", outcome.identity
    if isinstance(outcome, tx.Failed):
        landed = outcome.partly
        if landed is not None:
            raise Exit(FAILED, f"Partly saved: the answer was lost and only part landed ({outcome.error.message}). "
                               "Run the same command again to send the rest.")
        if outcome.lost and outcome.landed == tx.UNKNOWN:
            raise Exit(FAILED, f"{outcome.error.message.rstrip('.')}; it is not known whether it landed: "
                               "run the same command again, it reads first.")
        if outcome.lost:
            raise Exit(FAILED, f"{outcome.error.message.rstrip('.')}; a read right after does not show it, but it "
                               "may still land (identity-tui history tells later); the same command again reads first.")
        raise outcome.error
    raise Exit(FAILED, "The save did not complete.")  # pragma: no cover - Changed/Found need check_first/lookup


def _conflict_words(conflict: Any) -> str:
    key = conflict.key  # a property's conflict names its key
    return f"property '{one_line(key, 40)}'" if key is not None else conflict.field


def _writes_allowed(client: LettaClient, args: argparse.Namespace) -> None:
    if client.readonly and not getattr(args, "dry_run", False):
        raise Exit(USAGE, "Read-only (--readonly): this command writes, so nothing was sent.")


async def cmd_set(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    props = [parse_prop(p) for p in args.prop]
    if not (props or args.unset or args.new_name is not None or args.new_key is not None or args.new_type):
        raise UsageError("Nothing to set: give --name, --new-key, --type, --prop or --unset.")
    _writes_allowed(client, args)
    loaded = await find(client, args, project)
    draft, missing = with_props(Draft.of(loaded), props, args.unset)
    for key in missing:
        say(f"No property '{one_line(key, 40)}' to remove.")
    if args.new_name is not None:
        draft = _replace(draft, name=args.new_name)
    if args.new_key is not None:
        draft = _replace(draft, identifier_key=args.new_key)
    if args.new_type:
        draft = _replace(draft, identity_type=IdentityType(args.new_type))
    status, identity = await save(client, loaded, draft, args)
    if status != "dry-run":
        show(await raw(client, identity.id), fmt(args), status)
    return OK


def _replace(draft: Draft, **changes: Any) -> Draft:
    return replace(draft, **changes)


async def cmd_ensure(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    props = [parse_prop(p) for p in args.prop]
    project = args.project if args.project is not None else project
    draft, _ = with_props(Draft(args.name, args.key, IdentityType(args.type), (), project), props)
    prepared = tx.prepare_create(draft)
    if prepared.errors:
        raise Exit(USAGE, error_sentence(draft, prepared.errors[0]) + " Nothing was sent.")
    found = await client.find_by_key(args.key, project)
    status = "exists"
    if found is None:
        _writes_allowed(client, args)
        outcome = journal_said(await tx.send(client, prepared.job))  # type: ignore[arg-type]
        if isinstance(outcome, tx.Saved):
            show(await raw(client, outcome.identity.id), fmt(args), "created")
            return OK
        assert isinstance(outcome, tx.Failed)
        if not (isinstance(outcome.error, Conflict) or outcome.lost):
            raise outcome.error
        # Someone made it in the same instant (409), or our answer was lost: it is there now, or not at all.
        found = await client.find_by_key(args.key, project)
        if found is None:
            raise outcome.error
        if not isinstance(outcome.error, Conflict):
            tx.settle_lost_create(client, found)  # the journal learns it landed, and its id
        status = "exists" if isinstance(outcome.error, Conflict) else "created"
    if args.update:
        _writes_allowed(client, args)
        want, _ = with_props(_replace(Draft.of(found), name=args.name, identity_type=IdentityType(args.type)), props)
        result, found = await save(client, found, want, args)
        status = "updated" if result == "saved" else status
    show(await raw(client, found.id), fmt(args), status)
    return OK


async def cmd_delete(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    _writes_allowed(client, args)
    identity = await find(client, args, project)
    if not args.yes:
        if not is_terminal(sys.stdin):
            raise Exit(USAGE, "Refusing to delete without --yes when no terminal can confirm it.")
        say(f"Delete '{one_line(identity.name, 60)}' ({identity.id})? Agents and blocks linked to it are kept.")
        typed = input("Type its identifier key to confirm: ")
        if typed != identity.identifier_key:
            raise Exit(USAGE, "The key typed does not match: nothing was deleted.")
    result = journal_said(await tx.delete(client, identity.id))
    if isinstance(result, tx.DeleteFailed):
        if result.lost:
            raise Exit(FAILED, f"{result.error.message.rstrip('.')}; it may or may not be deleted: run the same "
                               "command again (a second delete of a deleted identity says so).")
        raise result.error
    body = {"id": identity.id, "identifier_key": identity.identifier_key, "name": identity.name}
    status = "already deleted" if result.already else "deleted"
    if fmt(args) == "json":
        sys.stdout.write(output.json_text({"status": status.replace(" ", "_"), "identity": body}) + "\n")
    else:
        sys.stdout.write(f"{status}: {one_line(identity.identifier_key, 60)} ({identity.id})\n")
    return OK
