"""``link``, ``unlink`` and ``links``: an identity's agents and memory blocks."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from identity_tui.commands import output
from identity_tui.commands.run import NOT_FOUND, OK, USAGE, Exit, check_id, find, fmt, say
from identity_tui.core import links
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line
from identity_tui.core.errors import NotFound
from identity_tui.core.paths import API, identity_path, link_path

WHAT = {"agent": "agent", "block": "memory block"}


async def _exists(client: LettaClient, kind: str, target_id: str) -> None:
    """Exit 3 naming the agent or block when the server has none with this id (a read, nothing changed)."""
    try:
        await client.request("GET", f"{API}/{kind}s/{target_id}")
    except NotFound:
        raise Exit(NOT_FOUND, f"No {WHAT[kind]} has id {target_id}; nothing was changed.") from None


async def _target(client: LettaClient, args: argparse.Namespace) -> tuple[str, str]:
    """(kind, id) of the agent or block named on the command line, known to exist."""
    if args.agent or args.block:
        kind, target_id = ("agent", args.agent) if args.agent else ("block", args.block)
        await _exists(client, kind, target_id)
        return kind, target_id
    if args.agent_name:
        found = [a for a in await client.search_agents(name=args.agent_name, limit=50) if a.get("name") == args.agent_name]
        what, kind = f"agent named '{one_line(args.agent_name, 60)}'", "agent"
    else:
        found = [b for b in await client.search_blocks(label=args.block_label, limit=50)
                 if b.get("label") == args.block_label]
        what, kind = f"memory block labelled '{one_line(args.block_label, 60)}'", "block"
    if not found:
        raise Exit(NOT_FOUND, f"No {what}.")
    if len(found) > 1:
        raise Exit(USAGE, f"{len(found)} of them: no single {what}; give its id instead.")
    return kind, str(found[0]["id"])


def _label(kind: str, item: dict[str, Any] | None, target_id: str) -> str:
    if not item:
        return target_id
    name = item.get("name") if kind == "agent" else item.get("label")
    return f"{one_line(str(name), 50)} ({target_id})"


async def cmd_link(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    if client.readonly and not args.dry_run:
        raise Exit(USAGE, "Read-only (--readonly): this command writes, so nothing was sent.")
    if args.agent is not None:
        check_id("agent", args.agent)
    if args.block is not None:
        check_id("block", args.block)
    row = await find(client, args, project)
    kind, target_id = await _target(client, args)
    attach = args.command == "link"
    if args.dry_run:
        return await _dry_run(client, args, row, kind, target_id, attach)
    try:
        done = await links.change(client, row.id, kind, target_id, attach=attach)
    except NotFound:
        try:
            await client.request("GET", identity_path(row.id))
        except NotFound:
            raise Exit(NOT_FOUND, "The identity was deleted on the server meanwhile.") from None
        raise Exit(NOT_FOUND, f"No {WHAT[kind]} has id {target_id} (deleted meanwhile?).") from None
    if done.journal_problem:
        say(f"identity-tui: warning: {done.journal_problem}")
    if fmt(args) == "json":
        body = {"status": done.status, "identity": {"id": row.id, "identifier_key": row.identifier_key},
                "kind": kind, "target": done.target or {"id": target_id}}
        sys.stdout.write(output.json_text(body) + "\n")
    else:
        words = done.status.replace("_", " ")
        sys.stdout.write(f"{words}: {kind} {_label(kind, done.target, target_id)} · {one_line(row.identifier_key, 60)}\n")
    return OK


async def _dry_run(client: LettaClient, args: argparse.Namespace, row: Any, kind: str, target_id: str,
                   attach: bool) -> int:
    """What ``link``/``unlink`` would send, from reads only: the links now, and the one request (or none)."""
    now = {t.get("id"): t for t in await links.linked(client, row.id, kind)}
    there = target_id in now
    if attach == there:
        status, requests = ("already_linked" if attach else "already_unlinked"), []
    else:
        status = "would_link" if attach else "would_unlink"
        requests = [{"method": "PATCH", "path": link_path(kind, target_id, row.id, attach=attach), "body": None}]
    if fmt(args) == "json":
        body = {"status": status, "identity": {"id": row.id, "identifier_key": row.identifier_key},
                "kind": kind, "target": now.get(target_id) or {"id": target_id}, "requests": requests}
        sys.stdout.write(output.json_text(body) + "\n")
    else:
        words = status.replace("_", " ")
        lines = [f"{words}: {kind} {_label(kind, now.get(target_id), target_id)} · {one_line(row.identifier_key, 60)}"]
        lines += [f"{i}. {r['method']} {r['path']}" for i, r in enumerate(requests, 1)]
        sys.stdout.write("\n".join(lines) + "\n")
    return OK


async def cmd_links(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    row = await find(client, args, project)
    agents = await links.linked(client, row.id, "agent")
    blocks = await links.linked(client, row.id, "block")
    if fmt(args) == "json":
        body = {"identity": {"id": row.id, "identifier_key": row.identifier_key}, "agents": agents, "blocks": blocks}
        sys.stdout.write(output.json_text(body) + "\n")
        return OK
    out = [f"{one_line(row.identifier_key, 60)} ({row.id})", f"agents: {len(agents)}"]
    out += [f"  {_label('agent', a, str(a.get('id')))}" for a in agents]
    out.append(f"memory blocks: {len(blocks)}")
    out += [f"  {_label('block', b, str(b.get('id')))}" for b in blocks]
    sys.stdout.write("\n".join(out) + "\n")
    return OK
