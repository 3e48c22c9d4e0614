"""Command line: parse flags, weigh config, start the app. ``--help`` and ``--version`` import no Textual."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from identity_tui import __version__

EPILOG = """\
environment:
  LETTA_BASE_URL        server URL, when no --base-url is given
  LETTA_API_KEY         API key or server password (prefer this to --token)
  IDENTITY_TUI_PROFILE  profile to use, when no --profile is given
  NO_COLOR              any value turns colour off

commands for scripts (identity-tui COMMAND --help for each; exit 0 done, 1 server or network
failure, 2 usage or invalid input, 3 not found, 4 conflict):
  identity-tui list [--name S] [--key K] [--type T] [--project P] [--limit N | --all] [--format F]
  identity-tui get (ID | --key KEY) [--format json|table]
  identity-tui ensure --key KEY --name NAME --type T [--prop KEY[:TYPE]=VALUE]... [--update]
  identity-tui set (ID | --key KEY) [--name N] [--prop ...]... [--unset KEY]... [--dry-run]
  identity-tui delete (ID | --key KEY) --yes

other commands:
  identity-tui locate                  print where config, data and drafts live
  identity-tui sandbox serve [--host H] [--port P] [--db PATH] [--seed N] [--password P]
                                       serve the sandbox over HTTP for any Letta client
"""


def build_parser() -> argparse.ArgumentParser:
    """The main command's flags."""
    p = argparse.ArgumentParser(
        prog="identity-tui",
        description="Manage the identities of a Letta server from the keyboard.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"identity-tui {__version__}")
    p.add_argument("--profile", metavar="NAME", help="connection profile from config.toml")
    p.add_argument("--base-url", metavar="URL", help="server URL (default http://localhost:8283)")
    p.add_argument(
        "--token",
        metavar="TOKEN",
        help="API key or server password; WARNING: it lands in your shell history and ps shows it "
        "to every user of the machine, set LETTA_API_KEY instead",
    )
    p.add_argument("--user-id", metavar="ID", help="acting user (user-<uuid>), sent as the user_id header")
    p.add_argument("--project-id", metavar="ID", help="project for new identities and X-Project-Id")
    p.add_argument("--readonly", action="store_true", help="browse only: every write action is removed")
    p.add_argument(
        "--sandbox",
        nargs="?",
        const="",
        metavar="PATH",
        help="use the embedded sandbox server (a SQLite file; default in the user data dir), no network",
    )
    p.add_argument("--theme", metavar="NAME", help="Textual theme, e.g. textual-dark, ansi-dark, ansi-light")
    p.add_argument("--page-size", type=int, metavar="N", help="rows per page (default 50)")
    p.add_argument("--connect-timeout", metavar="S",
                   help="seconds to wait for a connection (default 5; config: connect_timeout)")
    p.add_argument("--read-timeout", metavar="S",
                   help="seconds to wait for each answer, tried up to 3 times for reads and saves "
                   "(default 60; config: read_timeout); esc gives up a save sooner")
    p.add_argument("--request-timeout", metavar="S", help="seconds one request may take as a whole (config: request_timeout)")
    p.add_argument("--max-answer-mib", metavar="N", help="the most one answer may hold (default 64; config: max_answer_mib)")
    return p


def locate() -> int:
    """Print the paths identity-tui reads and writes."""
    from identity_tui.core import config

    print(f"config:  {config.config_path()}")
    print(f"sandbox: {config.default_sandbox_path()}")
    print(f"drafts:  {config.state_dir() / 'drafts'}")
    print(f"journal: {config.state_dir() / 'journal'}")
    return 0


def fail(message: str) -> int:
    """One sentence on stderr and exit status 2."""
    print(f"identity-tui: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``identity-tui`` command."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # ctrl+c (SIGINT) before the app or the command took it over (start-up imports, the config):
        # nothing was sent and nothing typed, so no traceback; the status a shell expects.
        return 130


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["locate"]:
        return locate()
    if argv[:1] == ["sandbox"]:
        if argv[1:2] != ["serve"]:
            return fail("usage: identity-tui sandbox serve [--host H] [--port P] [--db PATH] [--seed N] [--password P]")
        from identity_tui.sandbox.serve import main as serve_main

        return serve_main(argv[2:])
    from identity_tui.commands.args import find_command

    if find_command(argv):
        from identity_tui.commands import main as command_main

        return command_main(argv)
    args = build_parser().parse_args(argv)
    from identity_tui.core import config

    timeouts = {}
    for name in (*config.TIMEOUT_KEYS, *config.LIMIT_KEYS):
        given = getattr(args, name)
        if given is not None:
            timeouts[name] = config.seconds(given)
            if timeouts[name] is None:
                return fail(f"--{name.replace('_', '-')} must be a positive number of {config.unit(name)}, not {given!r}.")
    try:
        cfg = config.load_config()
        conn = config.resolve(
            cfg,
            profile=args.profile,
            base_url=args.base_url,
            token=args.token,
            user_id=args.user_id,
            project_id=args.project_id,
            readonly=args.readonly,
            **timeouts,
        )
    except config.ConfigError as exc:
        return fail(str(exc))
    if args.sandbox is not None:
        path = Path(args.sandbox).expanduser() if args.sandbox else config.default_sandbox_path()
        if args.sandbox:
            from identity_tui.core.connect import sandbox_path_problem

            problem = sandbox_path_problem(path)
            if problem:
                return fail(problem)
        conn = config.with_sandbox(conn, path)
    if args.page_size is not None:
        if not 1 <= args.page_size <= 500:
            return fail("--page-size must be between 1 and 500.")
        cfg.page_size = args.page_size
    if args.theme:
        cfg.theme = args.theme
    for warning in cfg.warnings:
        print(f"identity-tui: warning: {warning}", file=sys.stderr)
    # Start-up allocates much and frees little, so the collector's passes over it are wasted time
    # (~40 ms here); the app turns collection back on once its first screen is painted.
    gc.disable()
    try:
        try:
            from identity_tui.tui.app import run_app
        except ImportError as exc:  # pragma: no cover - a broken install
            return fail(f"cannot start the interface: {exc}")
        return run_app(conn, cfg)
    finally:
        gc.enable()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
