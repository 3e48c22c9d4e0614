"""The reading commands (list, get) and what every command shares: finding an identity, printing, exit codes.

No pydantic here: an identity is checked as the list checks a row, so a read starts fast."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import AsyncIterator
from typing import Any

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.core.client import LettaClient, identity_path
from identity_tui.core.display import one_line
from identity_tui.core.errors import BadResponse, Conflict, LettaError, NotFound
from identity_tui.core.summary import IdentitySummary, summarize

ID = re.compile(r"identity-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# exit status
OK, FAILED, USAGE, NOT_FOUND, CONFLICT = 0, 1, 2, 3, 4


class Exit(Exception):
    """End the command with ``code`` and one sentence on stderr."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def say(text: str) -> None:
    """A line for the person on stderr (stdout is kept for what scripts read)."""
    print(text, file=sys.stderr, flush=True)


def code_for(error: LettaError) -> int:
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, Conflict):
        return CONFLICT
    return FAILED


def fmt(args: argparse.Namespace) -> str:
    return args.format or ("table" if is_terminal() else "json")


# -- reading ---------------------------------------------------------------------------------------


async def cmd_list(client: LettaClient, args: argparse.Namespace) -> int:
    form = fmt(args)
    rows = _rows(client, args)
    out = sys.stdout
    if form == "json":
        # Streamed: the array is written as pages come, never held whole; nothing before the first answer.
        count = 0
        async for item in rows:
            out.write(",\n  " if count else "[\n  ")
            out.write(output.json_text(item, indent=None))
            count += 1
        out.write("\n]\n" if count else "[]\n")
    elif form == "jsonl":
        async for item in rows:
            out.write(output.json_text(item, indent=None) + "\n")
    elif form == "csv":
        writer = output.csv_writer(out)
        async for item in rows:
            writer.writerow(output.csv_row(item))
    else:
        out.write(output.table_header(output.LIST_WIDTHS) + "\n")
        count = 0
        async for item in rows:
            out.write(output.table_line(item) + "\n")
            count += 1
        say(f"{count} {'identity' if count == 1 else 'identities'}")
    out.flush()
    return OK


async def _rows(client: LettaClient, args: argparse.Namespace) -> AsyncIterator[dict[str, Any]]:
    """The server's JSON for each identity that matches, page after page (a short page is the last)."""
    left = None if args.all else args.limit
    page_size = 500 if args.all else min(args.limit, 500)
    after: str | None = None
    while True:
        size = page_size if left is None else min(page_size, left)
        page = await client.list_page(name=args.name, identifier_key=args.key, identity_type=args.type,
                                      project_id=args.project, limit=size, after=after, order=args.order)
        for row in page:
            yield row.wire
        if left is not None:
            left -= len(page)
        if len(page) < size or not page or left == 0:
            return
        after = page[-1].id


async def find(client: LettaClient, args: argparse.Namespace, default_project: str | None) -> IdentitySummary:
    """The identity named by ID or ``--key`` (in ``--project``, else the connection's project)."""
    if bool(args.id) == bool(args.key):
        raise UsageError("Name the identity by its ID or by --key KEY (one of them).")
    if args.id:
        if not ID.fullmatch(args.id):
            raise UsageError(f"'{one_line(args.id, 60)}' is not an identity id (identity- and a uuid).")
        row = summarize(await client.request("GET", identity_path(args.id)))
        if row is None:
            raise BadResponse(f"{client.host} answered, but not with an identity.", status=200)
        return row
    project = args.project if args.project is not None else default_project
    for row in await client.list_page(identifier_key=args.key, project_id=project, limit=50):
        if row.identifier_key == args.key and (row.project_id or None) == (project or None):
            return row
    where = f" in project {one_line(project, 40)}" if project else ""
    raise Exit(NOT_FOUND, f"No identity has identifier key '{one_line(args.key, 60)}'{where}.")


async def raw(client: LettaClient, identity_id: str) -> dict[str, Any]:
    """The identity as the server sends it, untouched (checked as a list row is)."""
    data = await client.request("GET", identity_path(identity_id))
    if summarize(data) is None:
        raise BadResponse(f"{client.host} answered, but not with an identity.", status=200)
    return data


def show(identity: dict[str, Any], form: str, status: str | None = None) -> None:
    if form == "json":
        body = identity if status is None else {"status": status, "identity": identity}
        sys.stdout.write(output.json_text(body) + "\n")
    else:
        if status is not None:
            sys.stdout.write(f"{status}: {one_line(str(identity.get('identifier_key')), 60)}\n")
        sys.stdout.write(output.identity_table(identity) + "\n")
    sys.stdout.flush()


async def cmd_get(client: LettaClient, args: argparse.Namespace, project: str | None) -> int:
    row = await find(client, args, project)
    show(row.wire, fmt(args))
    return OK
