"""``link``, ``unlink`` and ``links``: an identity's agents and memory blocks."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from identity_tui.commands import output
from identity_tui.commands.run import NOT_FOUND, OK, USAGE, Exit, find, fmt, say
from identity_tui.core import links
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line


async def _target(client: LettaClient, args: argparse.Namespace) -> tuple[str, str]:
    """(kind, id) of the agent or block named on the command line."""
    if args.agent:
        return "agent", args.agent
    if args.block:
        return "block", args.block
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
    if client.readonly:
        raise Exit(USAGE, "Read-only (--readonly): this command writes, so nothing was sent.")
    row = await find(client, args, project)
    kind, target_id = await _target(client, args)
    done = await links.change(client, row.id, kind, target_id, attach=args.command == "link")
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
