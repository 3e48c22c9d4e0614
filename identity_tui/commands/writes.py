"""The writing commands (ensure, set, delete): each plans and writes through the core save transaction."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any, TypeVar

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import (CONFLICT, FAILED, NOT_FOUND, OK, USAGE, Exit, ambiguous, check_id, fmt,
                                       key_rows, not_found_sentence, note, raw, say, show)
from identity_tui.commands.run import find as find_row
from identity_tui.commands.values import parse_props, resolve, with_props
from identity_tui.core.batch_plan import error_sentence
from identity_tui.core import deletion
from identity_tui.core import transaction as tx
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.errors import AlreadyExists, NotFound
from identity_tui.core.kinds import IdentityType
from identity_tui.core.models import Identity, same_property
from identity_tui.core.paths import identity_path
from identity_tui.core.planner import Plan

# A write's outcome, handed back as it came.
Outcome = TypeVar("Outcome")


def journal_said(outcome: Outcome) -> Outcome:
    """A write went through but the journal could not record it: say so (one line), and go on."""
    if isinstance(outcome, (tx.Saved, tx.Failed, deletion.Deleted)) and outcome.journal_problem:
        say(f"identity-tui: warning: {outcome.journal_problem}")
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


def plan_requests(plan: Plan) -> list[dict[str, Any]]:
    """The requests of a plan for ``--dry-run --format json``: method, path and body, exactly as sent."""
    return [{"method": r.method, "path": r.path, "body": r.body} for r in plan.requests]


def dry_run_json(status: str, identity: Any, requests: list[dict[str, Any]], **more: Any) -> None:
    """What a dry run prints with ``--format json``: the status it would reach and the requests."""
    sys.stdout.write(output.json_text({"status": status, "identity": identity, **more, "requests": requests}) + "\n")
    sys.stdout.flush()


async def save(client: LettaClient, loaded: Identity, draft: Draft, args: argparse.Namespace,
               *, dry_run_printed: bool = True) -> tuple[str, Identity, Plan | None]:
    """The core transaction from a command: re-read, merge, plan; a conflict writes nothing (exit 4).

    With ``--dry-run`` the status is ``dry-run`` and the plan comes back; it is printed here (as text, or
    as JSON with ``--format json``) unless ``dry_run_printed`` is False."""
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
        return "unchanged", prepared.holds, None
    job = prepared.job
    if getattr(args, "dry_run", False):
        if dry_run_printed:
            if fmt(args) == "json":
                dry_run_json("would_save", await raw(client, loaded.id), plan_requests(job.plan),
                             **({"put_reason": job.plan.put_reason} if job.plan.put_reason else {}))
            else:
                print(plan_text(job.plan))
        if prepared.kept:
            note(f"Changes made meanwhile that this keeps: {', '.join(prepared.kept)}")
        return "dry-run", loaded, job.plan
    if job.plan.put_reason and not getattr(args, "yes", False) and is_terminal(sys.stdin):
        say(plan_text(job.plan))
        if input("Send? [y/N] ").strip().lower() not in ("y", "yes"):
            raise Exit(OK, "Not sent.")
    outcome = journal_said(await tx.send(client, job))
    if isinstance(outcome, tx.Saved):
        if outcome.dropped:
            raise Exit(FAILED, f"Sent, but the server kept different values for: {', '.join(outcome.dropped)}.")
        return "saved", outcome.identity, job.plan
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
    props = parse_props(args.prop, args.unset)
    if not (props or args.unset or args.new_name is not None or args.new_key is not None or args.new_type):
        raise UsageError("Nothing to set: give --name, --new-key, --type, --prop or --unset.")
    _writes_allowed(client, args)
    loaded = await find(client, args, project)
    base = Draft.of(loaded)
    draft, missing = with_props(base, resolve(props, base.properties), args.unset)
    for key in missing:
        note(f"No property '{one_line(key, 40)}' to remove.")
    if args.new_name is not None:
        draft = _replace(draft, name=args.new_name)
    if args.new_key is not None:
        draft = _replace(draft, identifier_key=args.new_key)
    if args.new_type:
        draft = _replace(draft, identity_type=IdentityType(args.new_type))
    status, identity, _ = await save(client, loaded, draft, args)
    if status != "dry-run":
        show(await raw(client, identity.id), fmt(args), status)
    return OK


def _replace(draft: Draft, **changes: Any) -> Draft:
    return replace(draft, **changes)


# -- ensure -------------------------------------------------------------------------------------------


async def _ensure_lookup(client: LettaClient, key: str, project: str | None) -> Identity | None:
    """The identity ``ensure`` means: the key in ``project`` (``""`` for none). With no project named
    anywhere (None), the key in every project: one outside any project is it; found only elsewhere, or
    in several, it is exit 2, for a copy in another project is never what a script meant."""
    rows = await key_rows(client, key, project)
    if project is None and rows:
        if len(rows) > 1:
            raise UsageError(ambiguous(key, rows))
        if rows[0].project_id:
            where = one_line(rows[0].project_id, 40)
            raise UsageError(f"Identifier key '{one_line(key, 60)}' is in project {where} only: give --project "
                             f"{where} to use it, or --project '' to make one outside any project.")
    if len(rows) > 1:  # the server keeps a key unique in a project; a broken one may not
        raise UsageError(ambiguous(key, rows))
    return rows[0].identity(client.host) if rows else None


def _prop_image(prop: Any) -> dict[str, Any] | None:
    return None if prop is None else {"type": str(getattr(prop.type, "value", prop.type)), "value": prop.value}


def differences(found: Identity, want: Draft, props: list[DraftProperty], *, exact: bool) -> list[dict[str, Any]]:
    """What the identity holds that differs from what ``ensure`` was given: each field, each given
    property (by key), and with ``exact`` each property it holds that was not given (and the order)."""
    out: list[dict[str, Any]] = []
    if found.name != want.name:
        out.append({"field": "name", "server": found.name, "given": want.name})
    if IdentityType(found.identity_type) is not want.identity_type:
        out.append({"field": "identity_type", "server": IdentityType(found.identity_type).value,
                    "given": IdentityType(want.identity_type).value})
    held: dict[str, Any] = {}
    for prop in found.properties:
        held.setdefault(prop.key, prop)
    for given in props:
        there = held.get(given.key)
        if there is None or not same_property(there, given):
            out.append({"field": f"properties.{given.key}", "server": _prop_image(there), "given": _prop_image(given)})
    if exact:
        given_keys = {p.key for p in props}
        for key, prop in held.items():
            if key not in given_keys:
                out.append({"field": f"properties.{key}", "server": _prop_image(prop), "given": None})
        if not out and [p.key for p in found.properties] != [p.key for p in props]:
            out.append({"field": "properties (order)", "server": [p.key for p in found.properties],
                        "given": [p.key for p in props]})
    return out


def _differ_sentence(key: str, diffs: list[dict[str, Any]]) -> str:
    fields = [d["field"] for d in diffs if not d["field"].startswith("properties")]
    keys = [d["field"].removeprefix("properties.") for d in diffs if d["field"].startswith("properties.")]
    parts = fields + ([f"propert{'y' if len(keys) == 1 else 'ies'} " + ", ".join(
        f"'{one_line(k, 40)}'" for k in keys[:10]) + (f" and {len(keys) - 10} more" if len(keys) > 10 else "")]
        if keys else [])
    if any(d["field"] == "properties (order)" for d in diffs):
        parts.append("the order of the properties")
    return (f"identity-tui: '{one_line(key, 60)}' exists but differs in {'; '.join(parts)}; left as it is "
            "(--update brings it to what was given).")


async def cmd_ensure(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    prop_args = parse_props(args.prop)
    if args.exact and not args.update:
        raise UsageError("--exact makes the property list exactly the given one, which is a change: give --update too.")
    project = args.project if args.project is not None else project
    new_props = resolve(prop_args, ())
    draft, _ = with_props(Draft(args.name, args.key, IdentityType(args.type), (), project or None), new_props)
    prepared = tx.prepare_create(draft)
    if prepared.errors:
        raise Exit(USAGE, error_sentence(draft, prepared.errors[0]) + " Nothing was sent.")
    job = prepared.job
    assert job is not None  # a create without errors is ready to send
    dry = args.dry_run
    found = await _ensure_lookup(client, args.key, project)
    status = "exists"
    if found is None:
        if dry:
            return _ensure_would_create(args, job.plan)
        _writes_allowed(client, args)
        outcome = journal_said(await tx.send(client, job))
        if isinstance(outcome, tx.Saved):
            _show_ensured(await raw(client, outcome.identity.id), args, "created", [])
            return OK
        assert isinstance(outcome, tx.Failed)
        if not (isinstance(outcome.error, AlreadyExists) or outcome.lost):
            raise outcome.error
        # Someone made it in the same instant (409), or our answer was lost: it is there now, or not at all.
        found = await _ensure_lookup(client, args.key, project or "")
        if found is None:
            raise outcome.error
        if not isinstance(outcome.error, AlreadyExists):
            tx.settle_lost_create(client, found)  # the journal learns it landed, and its id
            _show_ensured(await raw(client, found.id), args, "created", [])
            return OK
    props = resolve(prop_args, Draft.of(found).properties)
    want = _replace(Draft.of(found), name=args.name, identity_type=IdentityType(args.type))
    if args.exact:
        want = _replace(want, properties=tuple(props))
    else:
        want, _ = with_props(want, props)
    diffs = differences(found, want, props, exact=args.exact)
    if args.update and diffs:
        if not dry:
            _writes_allowed(client, args)
        result, found, plan = await save(client, found, want, args, dry_run_printed=False)
        if result == "dry-run":
            assert plan is not None
            return _ensure_dry_run(args, found, await raw(client, found.id), "would_update", diffs, plan)
        status = "updated" if result == "saved" else status
    elif diffs:
        note(_differ_sentence(args.key, diffs))
    if dry:
        return _ensure_dry_run(args, found, await raw(client, found.id), status, diffs, None)
    _show_ensured(await raw(client, found.id), args, status, diffs)
    return OK


def _show_ensured(identity: dict[str, Any], args: argparse.Namespace, status: str, diffs: list[dict[str, Any]]) -> None:
    if fmt(args) == "json":
        body = {"status": status, "identity": identity, "differences": diffs}
        sys.stdout.write(output.json_text(body) + "\n")
        sys.stdout.flush()
    else:
        show(identity, "table", status)


def _ensure_would_create(args: argparse.Namespace, plan: Plan) -> int:
    if fmt(args) == "json":
        dry_run_json("would_create", None, plan_requests(plan), differences=[])
    else:
        sys.stdout.write(f"would create: {one_line(args.key, 60)}\n{plan_text(plan)}\n")
    return OK


def _ensure_dry_run(args: argparse.Namespace, found: Identity, identity: dict[str, Any], status: str,
                    diffs: list[dict[str, Any]], plan: Plan | None) -> int:
    if fmt(args) == "json":
        dry_run_json(status, identity, plan_requests(plan) if plan else [], differences=diffs)
    else:
        words = status.replace("_", " ")
        text = f"{words}: {one_line(found.identifier_key, 60)} ({found.id})"
        sys.stdout.write(text + ("\n" + plan_text(plan) if plan else "") + "\n")
    return OK


# -- delete -------------------------------------------------------------------------------------------


def _ids_given(args: argparse.Namespace) -> list[str]:
    """The ids on the command line, ``-`` replaced by stdin's lines (blank ones skipped), each once, all checked."""
    ids: list[str] = []
    for word in args.id:
        if word == "-":
            ids.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            ids.append(word)
    for identity_id in ids:
        check_id("identity", identity_id)
    return list(dict.fromkeys(ids))


async def _delete_targets(client: LettaClient, args: argparse.Namespace, project: str | None
                          ) -> tuple[list[Identity], list[str]]:
    """The identities to delete, all read before any is deleted, and the ids (or key) not found."""
    if args.key and args.id:
        raise UsageError("Name the identities by their IDs or by --key KEY, not both.")
    if args.key:
        project = args.project if args.project is not None else project
        rows = await key_rows(client, args.key, project)
        if len(rows) > 1:
            raise UsageError(ambiguous(args.key, rows))
        if not rows:
            if not args.ignore_not_found:
                raise Exit(NOT_FOUND, not_found_sentence(args.key, project))
            return [], [args.key]
        return [rows[0].identity(client.host)], []
    ids = _ids_given(args)
    if not ids:
        raise UsageError("Name the identities to delete: IDs, - for ids on stdin, or --key KEY.")
    found: list[Identity] = []
    missing: list[str] = []
    for identity_id in ids:
        try:
            found.append(await client.get(identity_id))
        except NotFound:
            missing.append(identity_id)
    if missing and not args.ignore_not_found:
        listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise Exit(NOT_FOUND, f"No identity with id {listed}; nothing was deleted (--ignore-not-found skips them).")
    return found, missing


def _deleted_body(identity: Identity) -> dict[str, Any]:
    return {"id": identity.id, "identifier_key": identity.identifier_key, "name": identity.name}


async def cmd_delete(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    """Delete what is named; ``--format json`` prints one object for one id or key, an array for several
    (or for ``-``). Every identity is read before the first is deleted: a missing one is exit 3 with
    nothing deleted, unless ``--ignore-not-found``."""
    several = len(args.id) > 1 or "-" in args.id
    _writes_allowed(client, args)
    if "-" in args.id and not (args.yes or args.dry_run):
        raise UsageError("Ids read from stdin (-) need --yes: stdin cannot both give the ids and confirm.")
    targets, missing = await _delete_targets(client, args, project)
    form = fmt(args)
    results: list[dict[str, Any]] = []

    def report(status: str, body: dict[str, Any], requests: list[dict[str, Any]] | None = None) -> None:
        results.append({"status": status, "identity": body, **({"requests": requests} if args.dry_run else {})})
        if form == "json":
            return
        words = status.replace("_", " ")
        key, identity_id = body.get("identifier_key"), body.get("id")
        named = f"{one_line(key, 60)} ({identity_id})" if key is not None and identity_id else one_line(
            str(key if identity_id is None else identity_id), 60)
        sys.stdout.write(f"{words}: {named}\n")
        for i, r in enumerate(requests or [], 1):
            sys.stdout.write(f"{i}. {r['method']} {r['path']}\n")

    try:
        if args.dry_run:
            for identity in targets:
                request = {"method": "DELETE", "path": identity_path(identity.id), "body": None}
                report("would_delete", _deleted_body(identity), [request])
        else:
            if not args.yes and targets:
                _confirm_delete(targets)
            for identity in targets:
                result = journal_said(await deletion.delete(client, identity.id))
                if isinstance(result, deletion.DeleteFailed):
                    if result.lost:
                        raise Exit(FAILED, f"{result.error.message.rstrip('.')}; {identity.id} may or may not be "
                                           "deleted: run the same command again (a second delete of a deleted "
                                           "identity says so).")
                    raise result.error
                report("already_deleted" if result.already else "deleted", _deleted_body(identity))
        for gone in missing:
            report("not_found", {"identifier_key": gone} if args.key else {"id": gone}, [])
    finally:
        if form == "json" and (results or several):
            body: Any = results if several or len(results) != 1 else results[0]
            sys.stdout.write(output.json_text(body) + "\n")
            sys.stdout.flush()
    return OK


def _confirm_delete(targets: list[Identity]) -> None:
    if not is_terminal(sys.stdin):
        raise Exit(USAGE, "Refusing to delete without --yes when no terminal can confirm it.")
    if len(targets) == 1:
        identity = targets[0]
        say(f"Delete '{one_line(identity.name, 60)}' ({identity.id})? Agents and blocks linked to it are kept.")
        typed = input("Type its identifier key to confirm: ")
        if typed != identity.identifier_key:
            raise Exit(USAGE, "The key typed does not match: nothing was deleted.")
        return
    for identity in targets[:20]:
        say(f"  {one_line(identity.identifier_key, 60)} ({identity.id})")
    if len(targets) > 20:
        say(f"  and {len(targets) - 20} more")
    say(f"Delete these {len(targets)} identities? Agents and blocks linked to them are kept.")
    typed = input("Type how many to confirm: ")
    if typed.strip() != str(len(targets)):
        raise Exit(USAGE, "The number typed does not match: nothing was deleted.")
