"""``export`` and ``import``: identities to a file and back, with a plan to read before anything is written."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any

from identity_tui.commands import output
from identity_tui.commands.args import UsageError, is_terminal
from identity_tui.commands.run import CONFLICT, FAILED, OK, USAGE, Exit, note, shows_progress, where_matcher
from identity_tui.core import bulk, export
from identity_tui.core.bulk_files import BadRow, Row, format_of, read_rows
from identity_tui.core.client import LettaClient
from identity_tui.core.display import one_line, printable


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"name": args.name, "identifier_key": args.key, "identity_type": args.type,
            "project_id": args.project, "order": args.order}


# -- export -----------------------------------------------------------------------------------------------


class Progress:
    """A progress line on stderr, only when stderr is a terminal: count, rate, and an ETA from a total."""

    def __init__(self, what: str, total: int | None) -> None:
        self.what, self.total = what, total
        self.shown = shows_progress()
        self.start = self.last = time.monotonic()
        self.count = 0

    def step(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if self.shown and now - self.last >= 0.2:
            self.last = now
            rate = self.count / max(now - self.start, 1e-6)
            line = f"{self.what} {self.count:,}"
            if self.total:
                left = max(self.total - self.count, 0) / rate if rate else 0
                line += f" of {self.total:,} · {rate:,.0f}/s · ETA {left:,.0f} s"
            else:
                line += f" · {rate:,.0f}/s"
            sys.stderr.write("\r" + line + "\x1b[K")
            sys.stderr.flush()

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# ``-o`` takes a path; these words alone are what a kubectl hand types for a format.
FORMAT_WORDS = frozenset({"json", "jsonl", "csv", "table", "wide", "yaml", "text", "name"})


async def cmd_export(client: LettaClient, args: argparse.Namespace) -> int:
    if args.output in FORMAT_WORDS:
        raise Exit(USAGE, f"-o {args.output} would write a file named '{args.output}': --format {args.output} sets "
                          f"the format, and -o ./{args.output} names such a file (nothing was written).")
    keep = where_matcher(args.where) if args.where else None
    fmt = args.format or format_of(args.output or "-", None)
    target = _target(args.output, whole=fmt == "json")
    # Only a file written beside itself has a .part to remove; a FIFO's open waits for a reader, and a
    # signal then must end the program as it would any other.
    with stopped_by_sigterm(target.file is not None and not target.file.in_place) as terminated:
        try:
            with target as out:
                total = None
                if shows_progress():
                    try:
                        total = await client.count()  # the whole organization's: an upper bound with filters
                    except Exception:  # noqa: BLE001 - progress only
                        total = None
                progress = Progress("exported", total)
                try:
                    count = await _write(client, args, fmt, out, progress, keep)
                finally:
                    progress.end()  # the line goes, whatever ends the export
        except export.TargetError as exc:
            raise Exit(USAGE if exc.before else FAILED, exc.message) from None
        except export.Unwritable as exc:
            raise Exit(FAILED, str(exc)) from None
        except asyncio.CancelledError:
            if not terminated:
                raise
            words = "Hung up" if terminated[0] == signal.SIGHUP else "Terminated"
            raise Exit(128 + terminated[0], f"{words}: the export stopped, and no partial file was left.") from None
    if target.file is not None and target.file.note:
        note(f"identity-tui: note: {target.file.note}")
    note(f"exported {count:,} {'identity' if count == 1 else 'identities'}")
    return OK


@contextlib.contextmanager
def stopped_by_sigterm(active: bool = True) -> Iterator[list[int]]:
    """SIGTERM and SIGHUP (a dropped session) cancel the command as ctrl+c does, so a partial file is
    removed; the list holds the signal that came. Not ``active``: the signals keep their own handling."""
    came: list[int] = []
    if not active:
        yield came
        return
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    handled: list[tuple[signal.Signals, Any]] = []

    def stop(number: int) -> None:
        came.append(number)
        if task is not None:
            task.cancel()

    for number in (signal.SIGTERM, signal.SIGHUP):
        before = signal.getsignal(number)
        try:
            loop.add_signal_handler(number, stop, number)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            continue
        handled.append((number, before))
    try:
        yield came
    finally:
        for number, before in handled:
            loop.remove_signal_handler(number)
            signal.signal(number, before if before is not None else signal.SIG_DFL)  # as it was, not SIG_DFL


async def _write(client: LettaClient, args: argparse.Namespace, fmt: str, out: IO[str], progress: Progress,
                 keep: Any = None) -> int:
    return await export.write(client, fmt, out, _filters(args), lambda _: progress.step(), keep=keep)


class _target:
    """stdout for ``-`` or nothing; else FILE (``export.FileTarget``: complete or as it was). A JSON
    array for stdout goes through ``output.whole``: all of it, or nothing."""

    def __init__(self, name: str | None, *, whole: bool = False) -> None:
        self.file = export.FileTarget(name) if name not in (None, "-") else None
        self._whole = output.whole(sys.stdout) if whole and self.file is None else None

    def __enter__(self) -> IO[str]:
        if self.file is not None:
            return self.file.__enter__()
        return self._whole.__enter__() if self._whole is not None else sys.stdout

    def __exit__(self, *exc: Any) -> None:
        if self.file is None:
            if self._whole is not None:
                self._whole.__exit__(*exc)
            if exc[0] is None:
                sys.stdout.flush()
        else:
            self.file.__exit__(*exc)


# -- import -----------------------------------------------------------------------------------------------


def _input_format(name: str, given: str | None, stream: Any) -> str:
    """As given, else by the file's ending, else a JSON array when its first character is ``[``, else JSON
    lines (the first bytes are peeked, not read)."""
    if given or name.lower().endswith((".csv", ".json", ".jsonl")):
        return format_of(name, given)
    try:
        head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    except (OSError, ValueError):
        head = b""
    return "json" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else "jsonl"


def _rows_from_file(args: argparse.Namespace) -> Iterator[Row | BadRow]:
    if args.file == "-":
        yield from read_rows(sys.stdin.buffer, _input_format("-", args.input_format, sys.stdin.buffer))
        return
    try:
        stream = open(args.file, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise Exit(USAGE, f"Cannot read {printable(args.file)}: {exc.strerror or exc}.") from None
    with stream:
        yield from read_rows(stream, _input_format(args.file, args.input_format, stream))


def _formats(args: argparse.Namespace) -> None:
    """``--input-format`` is the file's, ``--format`` the output's (text or json). The old spellings still
    work: ``--output-format`` for the output, ``--format jsonl|csv`` for the input (with a note)."""
    out = args.format
    if out in ("jsonl", "csv"):
        if args.input_format and args.input_format != out:
            raise UsageError(f"--format {out} (the old spelling of --input-format) and --input-format "
                             f"{args.input_format} disagree.")
        note(f"identity-tui: note: --format {out} is read as --input-format {out} (its old spelling); "
             "--format is the output's, text or json.")
        args.input_format, out = out, None
    if args.format_out and out and args.format_out != out:
        raise UsageError(f"--format {out} and --output-format {args.format_out} disagree.")
    args.format_out = out or args.format_out or "text"


async def _rows_from_server(source: LettaClient, args: argparse.Namespace) -> list[Row]:
    filters = {"name": args.name, "identifier_key": args.key, "identity_type": args.type,
               "project_id": args.from_project}
    return [Row(i, row.wire) async for i, row in _numbered(bulk.walk(source, **filters))]


async def _numbered(rows: AsyncIterator[Any]) -> AsyncIterator[tuple[int, Any]]:
    i = 0
    async for row in rows:
        i += 1
        yield i, row


def describe(plan: bulk.ImportPlan, limit: int = 200) -> str:
    """The plan for a person: counts per kind, every invalid row, then each changed row's requests."""
    from identity_tui.commands.writes import plan_text

    counts = ", ".join(f"{plan.count(k)} {k}" for k in (bulk.CREATE, bulk.UPDATE, bulk.UNCHANGED, bulk.INVALID))
    lines = [f"Plan: {counts}."]
    for row in plan.rows:
        if row.kind == bulk.INVALID:
            lines.append(f"  invalid  {one_line(row.problem, 160)}")
    shown = 0
    for row in plan.writes:
        if shown >= limit:
            lines.append(f"  … and {len(plan.writes) - shown} more changed rows")
            break
        shown += 1
        lines.append(f"line {row.line}: {row.kind} {one_line(row.key, 60)}")
        assert row.plan is not None
        lines.extend("  " + line for line in plan_text(row.plan).split("\n"))
    return "\n".join(lines)


def _report(plan: bulk.ImportPlan, results: list[Any], *, dry_run: bool) -> dict[str, Any]:
    """``import --format json``, always this shape: ``counts``, ``rows`` (the plan), ``dry_run``, and
    ``results`` (one per row sent; empty when nothing was)."""
    body = plan_json(plan)
    body["dry_run"] = dry_run
    body["results"] = [{"line": r.row.line, "identifier_key": r.row.key, "status": r.status,
                        "message": r.message or None, "id": r.identity.id if r.identity else None}
                       for r in results]
    return body


def plan_json(plan: bulk.ImportPlan) -> dict[str, Any]:
    return {
        "counts": {k: plan.count(k) for k in bulk.KINDS},
        "rows": [{"line": r.line, "kind": r.kind, "identifier_key": r.key or None, "problem": r.problem or None,
                  "requests": [{"method": q.method, "path": q.path, "body": q.body} for q in (r.plan.requests if r.plan else [])]}
                 for r in plan.rows],
    }


async def cmd_import(client: LettaClient, args: argparse.Namespace, project: str | None,
                     source: LettaClient | None = None) -> int:
    if args.concurrency < 1 or args.concurrency > 32:
        raise Exit(USAGE, "--concurrency must be between 1 and 32.")
    _formats(args)
    if source is not None:
        rows: Any = await _rows_from_server(source, args)
    else:
        if not args.file:
            raise Exit(USAGE, "Name a FILE to import (- for standard input), or --from-profile NAME.")
        rows = _rows_from_file(args)
    plan = await bulk.plan_import(client, rows, match=args.match, project=args.project or project,
                                  prune=args.prune_properties)
    as_json = args.format_out == "json"
    if not as_json:
        print(printable(describe(plan), keep_newlines=True))
    if args.dry_run or not plan.writes:
        if as_json:  # the same shape as after applying: nothing was sent, so no results
            sys.stdout.write(output.json_text(_report(plan, [], dry_run=args.dry_run)) + "\n")
        return USAGE if plan.count(bulk.INVALID) else OK
    if client.readonly:
        raise Exit(USAGE, "Read-only (--readonly): nothing was sent.")
    if not args.yes:
        if not is_terminal(sys.stdin):
            raise Exit(USAGE, "Refusing to write without --yes when no terminal can confirm it (nothing was sent).")
        if input(f"Apply {len(plan.writes)} changes? [y/N] ").strip().lower() not in ("y", "yes"):
            if as_json:
                sys.stdout.write(output.json_text(_report(plan, [], dry_run=False)) + "\n")
            raise Exit(OK, "Nothing was sent.")
    progress = Progress("applied", len(plan.writes))
    results = await bulk.apply_import(client, plan, concurrency=args.concurrency,
                                      done=lambda _: progress.step())
    progress.end()
    bad = [r for r in results if not r.ok]
    if as_json:
        sys.stdout.write(output.json_text(_report(plan, results, dry_run=False)) + "\n")
    else:
        done = {s: sum(1 for r in results if r.ok and r.status == s) for s in ("created", "updated", "exists")}
        print(f"Applied: {done['created']} created, {done['updated']} updated, {done['exists']} existed already, "
              f"{len(bad)} failed.")
        for r in bad:
            print(f"  line {r.row.line} ({one_line(r.row.key, 60)}): {r.status}: {one_line(r.message, 200)}")
    if any(r.status == "failed" for r in bad):
        return FAILED
    if bad:
        return CONFLICT
    return USAGE if plan.count(bulk.INVALID) else OK
