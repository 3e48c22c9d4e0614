"""Commands for scripts: list, get, ensure, set, delete, export, import, link, unlink, links, history, undo.
No Textual here.

Each command weighs config, profile, environment and flags as the app does, then reads and writes
through the core (the save transaction), so a script is as safe as the form. Errors are one sentence on
stderr and an exit status (see ``args.EXIT_CODES``), never a traceback and never the token.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from identity_tui.commands.args import COMMANDS, UsageError, find_command, parse

if TYPE_CHECKING:
    import argparse

    from identity_tui.core.client import LettaClient
    from identity_tui.core.config import Config

__all__ = ["COMMANDS", "find_command", "main"]


def main(argv: list[str]) -> int:
    """Run one subcommand; returns the exit status."""
    import asyncio

    from identity_tui.commands import run

    try:
        args = parse(argv)
        if args.theme is not None or args.page_size is not None:
            raise UsageError("--theme and --page-size are the app's: a command takes neither.")
    except UsageError as exc:
        return _fail(run.USAGE, str(exc))
    run.QUIET = args.quiet
    try:
        code = asyncio.run(_main(args))
        sys.stdout.flush()  # here, so a failed write is a sentence, not a message at exit
        return code
    except UsageError as exc:
        return _fail(run.USAGE, str(exc))
    except run.Exit as exc:
        return _fail(exc.code, exc.message) if exc.code else _said(exc.message)
    except BrokenPipeError:
        # The reader went away (``| head``): what it wanted was written.
        _stdout_gone()
        return run.OK
    except OSError as exc:  # a local failure: stdout on a full disk or /dev/full, an I/O error
        return _fail(run.FAILED, _os_error(exc))
    except KeyboardInterrupt:
        return _fail(130, "Interrupted.")


async def _main(args: argparse.Namespace) -> int:
    from identity_tui.commands import run
    from identity_tui.core import config
    from identity_tui.core.connect import open_backend
    from identity_tui.core.errors import LettaError

    try:
        cfg = config.load_config()
        conn = config.resolve(cfg, profile=args.profile, base_url=args.base_url, token=args.token,
                              user_id=args.user_id, project_id=args.project_id, readonly=args.readonly,
                              request_timeout=args.request_timeout, max_answer_mib=args.max_answer_mib)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.sandbox is not None:
        path = Path(args.sandbox).expanduser() if args.sandbox else config.default_sandbox_path()
        conn = config.with_sandbox(conn, path)
    for warning in cfg.warnings:
        run.say(f"identity-tui: warning: {warning}")
    from identity_tui.core.connect import SandboxUnusable

    try:
        backend = open_backend(conn, timeouts=(args.connect_timeout, args.read_timeout),
                               source=f"identity-tui {args.command}")
    except SandboxUnusable as exc:
        raise run.Exit(run.USAGE, str(exc)) from None
    client = backend.client
    if client.plain_http_warning:
        run.say(f"identity-tui: warning: {client.plain_http_warning}")
    try:
        if args.command == "list":
            return await run.cmd_list(client, args)
        if args.command == "get":
            return await run.cmd_get(client, args, conn.project_id)
        if args.command == "export":
            from identity_tui.commands import bulk

            return await bulk.cmd_export(client, args)
        if args.command == "import":
            return await _import(cfg, args, client, conn.project_id)
        if args.command in ("history", "undo"):
            from identity_tui.commands import history

            journal = client.journal
            assert journal is not None  # open_backend gives every client its journal
            handle = history.cmd_history if args.command == "history" else history.cmd_undo
            return await handle(client, args, journal)
        if args.command in ("link", "unlink", "links"):
            from identity_tui.commands import linking

            link_handle = linking.cmd_links if args.command == "links" else linking.cmd_link
            return await link_handle(client, args, conn.project_id)
        if args.command in ("set", "delete") and args.where:  # every identity that matches: a plan, then a batch
            from identity_tui.commands import batch

            where = batch.cmd_set_where if args.command == "set" else batch.cmd_delete_where
            return await where(client, args, conn.project_id)
        from identity_tui.commands import writes

        handler = {"ensure": writes.cmd_ensure, "set": writes.cmd_set, "delete": writes.cmd_delete}
        return await handler[args.command](client, args, conn.project_id)
    except LettaError as exc:
        raise run.Exit(run.code_for(exc), exc.message) from None
    finally:
        await backend.aclose()


async def _import(cfg: Config, args: argparse.Namespace, client: LettaClient, project: str | None) -> int:
    """``import``, from a file or, with ``--from-profile``, from another server's identities."""
    from identity_tui.commands import bulk
    from identity_tui.core import config
    from identity_tui.core.connect import open_backend

    if not args.from_profile:
        return await bulk.cmd_import(client, args, project)
    if args.from_profile not in cfg.profiles:
        raise UsageError(f"No profile named {args.from_profile!r} in {cfg.path or config.config_path()}.")
    # The source's own settings (its URL and token), never this connection's: a token stays with its server.
    import os

    env = {k: v for k, v in os.environ.items() if k not in (config.ENV_BASE_URL, config.ENV_TOKEN, config.ENV_PROFILE)}
    try:
        source_conn = config.resolve(cfg, profile=args.from_profile, readonly=True, env=env,
                                     request_timeout=args.request_timeout, max_answer_mib=args.max_answer_mib)
    except config.ConfigError as exc:  # the source's token cannot be sent: one sentence, as for the target
        raise UsageError(str(exc)) from None
    source = open_backend(source_conn, timeouts=(args.connect_timeout, args.read_timeout))
    if source.client.plain_http_warning:
        from identity_tui.commands import run

        run.say(f"identity-tui: warning: {source.client.plain_http_warning}")
    try:
        return await bulk.cmd_import(client, args, project, source=source.client)
    finally:
        await source.aclose()


def _fail(code: int, message: str) -> int:
    from identity_tui.core.display import printable

    print(f"identity-tui: {printable(message, keep_newlines=True)}", file=sys.stderr)
    return code


def _said(message: str) -> int:
    from identity_tui.core.display import printable

    print(printable(message, keep_newlines=True), file=sys.stderr)
    return 0


def _os_error(exc: OSError) -> str:
    """The sentence for an OSError no command turned into one: stdout's own when stdout cannot take what
    it holds (then nothing more goes there), else the error and its file."""
    try:
        sys.stdout.flush()
    except OSError:
        _stdout_gone()
        return f"Cannot write the output: {exc.strerror or exc}."
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}."


def _stdout_gone() -> None:
    """Nothing more can reach stdout: what is left in its buffer is dropped, so the exit flush does not fail."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real descriptor (a test's capture)
        pass
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open until exit
