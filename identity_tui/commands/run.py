"""The reading commands (list, get) and what every command shares: finding an identity, printing, exit codes.

No pydantic here: an identity is checked as the list checks a row, so a read starts fast."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.core import paging
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line, printable
from identity_tui.core.errors import AlreadyExists, BadResponse, LettaError, NotFound
from identity_tui.core.keys import key_of, project_key
from identity_tui.core.paths import identity_path
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


# ``--quiet``: no progress, counts or notes on stderr (warnings, questions and errors still print).
QUIET = False


def say(text: str) -> None:
    """A line for the person on stderr (stdout is kept for what scripts read), never raw controls."""
    print(printable(text, keep_newlines=True), file=sys.stderr, flush=True)


def note(text: str) -> None:
    """A count or a note on stderr, which ``--quiet`` leaves out."""
    if not QUIET:
        say(text)


def shows_progress() -> bool:
    """A progress line goes to stderr on a terminal, unless ``--quiet``."""
    return not QUIET and is_terminal(sys.stderr)


def code_for(error: LettaError) -> int:
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, AlreadyExists):
        return CONFLICT
    return FAILED


def fmt(args: argparse.Namespace) -> str:
    return args.format or ("table" if is_terminal() else "json")


# -- reading ---------------------------------------------------------------------------------------


async def cmd_list(client: LettaClient, args: argparse.Namespace) -> int:
    form = fmt(args)
    more: dict[str, bool] = {}
    rows = matching_rows(client, args, more)
    out = sys.stdout
    if form == "json":
        # Pages are read one at a time (memory stays flat), but the array reaches stdout only once whole:
        # a failure on page 3 leaves nothing there, never half a document.
        with output.whole(out) as doc:
            count = 0
            async for item in rows:
                doc.write(",\n  " if count else "[\n  ")
                doc.write(output.json_text(item, indent=None))
                count += 1
            doc.write("\n]\n" if count else "[]\n")
    elif form == "jsonl":  # streamed: each line stands alone
        async for item in rows:
            out.write(output.json_text(item, indent=None) + "\n")
    elif form == "csv":
        writer = output.csv_writer(out, header=not args.no_headers)
        async for item in rows:
            writer.writerow(output.csv_row(item))
    else:
        table = output.Table(wide=form == "wide")
        async for item in rows:
            table.add(item)
        table.write(out, header=not args.no_headers)
        note(f"{table.count} {'identity' if table.count == 1 else 'identities'}")
    out.flush()
    if more.get("exist"):
        note(f"Showing the first {args.limit}; more exist: --all or --limit N.")
    elif more.get("maybe"):
        note(f"Showing the first {args.limit} matches; more may match: --all or --limit N.")
    return OK


async def matching_rows(client: LettaClient, args: argparse.Namespace,
                        more: dict[str, bool] | None = None) -> AsyncIterator[dict[str, Any]]:
    """The server's JSON for each identity that matches, page after page (a short page is the last).

    A property filter (``--where``) cannot go to the server: the pages are scanned as they come, and
    ``--limit`` counts the matches. ``more`` learns whether the limit left some out: ``exist`` (known:
    one row past the limit is asked for with the last page), or ``maybe`` (a scan that stopped with pages
    left)."""
    more = {} if more is None else more
    test = where_matcher(args.where) if getattr(args, "where", None) else None
    left = None if args.all else args.limit
    page_size = 500 if args.all or test else min(args.limit + 1, 500)
    scanned = 0
    asked = 0
    progress = _ScanProgress(client) if test and shows_progress() else None

    def size() -> int:
        return page_size if left is None or test else min(page_size, left + 1)

    async def fetch(limit: int, after: str | None) -> list[IdentitySummary]:
        nonlocal scanned, asked
        asked = limit
        page = await client.list_page(name=args.name, identifier_key=args.key, identity_type=args.type,
                                      project_id=args.project, limit=limit, after=after, order=args.order)
        scanned += 1
        if progress:
            await progress.show(scanned, limit)
        return page

    async with aclosing(paging.pages(fetch, size, paging.row_id)) as pages:
        async for page in pages:
            for i, row in enumerate(page):
                if test is not None and not test(row.wire):
                    continue
                yield row.wire
                if left is not None:
                    left -= 1
                    if left == 0:
                        rest = page[i + 1:]
                        if test is None:
                            more["exist"] = bool(rest) or (len(page) == asked and bool(await fetch(1, row.id)))
                        elif any(test(r.wire) for r in rest):
                            more["exist"] = True
                        elif len(page) == asked:
                            more["maybe"] = True
                        break
            if left == 0:
                break
    if progress:
        progress.end()


def where_matcher(expressions: list[str]) -> Any:
    from identity_tui.core.where import WhereError, matcher

    try:
        return matcher(expressions)
    except WhereError as exc:
        raise UsageError(str(exc)) from None


class _ScanProgress:
    """``scanned 12 of ~200 pages`` on stderr while a property filter scans (a terminal only)."""

    def __init__(self, client: LettaClient) -> None:
        self.client = client
        self.total: int | None = None

    async def show(self, pages: int, size: int) -> None:
        if self.total is None:
            try:
                self.total = -(-await self.client.count() // size)
            except LettaError:
                self.total = 0
        of = f" of ~{self.total}" if self.total else ""
        sys.stderr.write(f"\rscanned {pages}{of} pages\x1b[K")
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


async def find(client: LettaClient, args: argparse.Namespace, default_project: str | None) -> IdentitySummary:
    """The identity named by ID or ``--key``: in ``--project`` (``''`` for none), else the connection's
    project; with neither, in every project, and a key found in several is exit 2 naming them."""
    if bool(args.id) == bool(args.key):
        raise UsageError("Name the identity by its ID or by --key KEY (one of them).")
    if args.id:
        check_id("identity", args.id)
        row = summarize(await client.request("GET", identity_path(args.id)))
        if row is None:
            raise BadResponse(f"{client.host} answered, but not with an identity.", status=200)
        return row
    project = args.project if args.project is not None else default_project
    rows = await key_rows(client, args.key, project)
    if len(rows) > 1:
        raise UsageError(ambiguous(args.key, rows))
    if not rows:
        raise Exit(NOT_FOUND, not_found_sentence(args.key, project))
    return rows[0]


async def raw(client: LettaClient, identity_id: str) -> dict[str, Any]:
    """The identity as the server sends it, untouched (checked as a list row is)."""
    row = summarize(await client.request("GET", identity_path(identity_id)))
    if row is None:
        raise BadResponse(f"{client.host} answered, but not with an identity.", status=200)
    return row.wire  # the answer itself


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
    """One identity (by ID or ``--key``): the object. Several ids, or ``-`` for ids from stdin: a JSON
    array (JSON lines with ``--format jsonl``), all found or nothing printed (exit 3 naming the missing)."""
    if not args.more and args.id != "-":
        row = await find(client, args, project)
        form = fmt(args)
        if form == "jsonl":
            sys.stdout.write(output.json_text(row.wire, indent=None) + "\n")
            sys.stdout.flush()
        else:
            show(row.wire, form)
        return OK
    if args.key:
        raise UsageError("Give ids or --key KEY, not both.")
    ids = await _ids([args.id, *args.more])
    got = await _get_all(client, ids)
    missing = [i for i, item in zip(ids, got) if item is None]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise Exit(NOT_FOUND, f"No identity {one_line(missing[0], 60)}{more}: nothing was printed.")
    found = [item for item in got if item is not None]  # all of them
    form = fmt(args)
    if form == "json":
        sys.stdout.write(output.json_text(found) + "\n")
    elif form == "jsonl":
        for item in found:
            sys.stdout.write(output.json_text(item, indent=None) + "\n")
    else:
        sys.stdout.write("\n\n".join(output.identity_table(item) for item in found) + "\n")
    sys.stdout.flush()
    return OK


async def _ids(given: list[str]) -> list[str]:
    """The ids given, ``-`` replaced by stdin's lines (blank ones skipped); each checked before any is read."""
    ids: list[str] = []
    for word in given:
        if word == "-":
            ids.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            ids.append(word)
    if not ids:
        raise UsageError("No ids were given (stdin was empty).")
    for i in ids:
        if not ID.fullmatch(i):
            raise UsageError(f"'{one_line(i, 60)}' is not an identity id (identity- and a uuid); nothing was read.")
    return ids


async def _get_all(client: LettaClient, ids: list[str], in_flight: int = 4) -> list[dict[str, Any] | None]:
    """Each identity as the server sent it, in order (None when it is not there), at most 4 reads at once."""
    import asyncio

    gate = asyncio.Semaphore(in_flight)

    async def one(identity_id: str) -> dict[str, Any] | None:
        async with gate:
            try:
                return await raw(client, identity_id)
            except NotFound:
                return None

    return list(await asyncio.gather(*(one(i) for i in ids)))


# -- what names an identity, an agent or a block -----------------------------------------------------

_UUID4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ID_SHAPES = {kind: re.compile(f"{kind}-{_UUID4}") for kind in ("identity", "agent", "block")}
_KIND_WORDS = {"identity": "an identity", "agent": "an agent", "block": "a memory block"}


def check_id(kind: str, text: str) -> str:
    """``text`` if it has the shape the server takes for ``kind`` (``identity-``, ``agent-`` or ``block-``
    and a lowercase version-4 uuid), else exit 2 before anything is sent (the server would answer 422)."""
    if not ID_SHAPES[kind].fullmatch(text):
        raise UsageError(f"'{one_line(text, 60)}' is not {_KIND_WORDS[kind]} id ({kind}- and a lowercase "
                         f"version-4 uuid, as {kind}-1b2c3d4e-0000-4000-8000-000000000000); nothing was sent.")
    return text


async def key_rows(client: LettaClient, key: str, project: str | None) -> list[IdentitySummary]:
    """The identities with exactly this identifier key: in ``project`` (``""``: outside any project), or
    in every project when ``project`` is None."""
    if project is None:
        return [r for r in await client.list_page(identifier_key=key, limit=50) if r.identifier_key == key]
    wanted = project_key(key, project)
    return [r for r in await client.list_page(identifier_key=key, project_id=project or None, limit=50)
            if key_of(r) == wanted]


def project_words(project: str | None) -> str:
    return f"project {one_line(project, 40)}" if project else "no project"


def ambiguous(key: str, rows: list[IdentitySummary]) -> str:
    """The sentence for a key found in several projects."""
    names = sorted({r.project_id or "" for r in rows})
    listed = ", ".join(one_line(n, 40) if n else "no project" for n in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    outside = " (--project '' for the one outside any project)" if "" in names else ""
    return (f"Identifier key '{one_line(key, 60)}' is in {len(names)} projects ({listed}{more}): "
            f"give --project P to pick one{outside}.")


def not_found_sentence(key: str, project: str | None) -> str:
    where = "" if project is None else f" in {project_words(project)}"
    return f"No identity has identifier key '{one_line(key, 60)}'{where}."
