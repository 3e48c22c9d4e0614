"""Command line: parse flags, weigh config, start the app. ``--help`` and ``--version`` import no Textual.

The flags are declared once, in ``commands.args.build``: the app's start, the commands for scripts, the
tools (locate, sandbox, completion) and the completion scripts all read that one parser."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

NO_TERMINAL = "No terminal: give a command (identity-tui --help lists them)."


def build_parser() -> argparse.ArgumentParser:
    """The one parser of ``identity-tui`` (the app's flags, every command and tool)."""
    from identity_tui.commands.args import build

    return build()


def locate() -> int:
    """Print the paths identity-tui reads and writes."""
    from identity_tui.core import config

    print(f"config:  {config.config_path()}")
    print(f"sandbox: {config.default_sandbox_path()}")
    print(f"drafts:  {config.state_dir() / 'drafts'}")
    print(f"journal: {config.state_dir() / 'journal'}")
    return 0


def completion(shell: str) -> int:
    """Print the completion script for ``shell``, generated from the one parser by shtab."""
    try:
        import shtab
    except ImportError:  # pragma: no cover - a broken install
        return fail("shell completion needs the shtab package (pip install shtab).")
    from identity_tui.commands.args import build

    sys.stdout.write(shtab.complete(build(complete=True), shell=shell))
    sys.stdout.flush()
    return 0


def fail(message: str) -> int:
    """One sentence on stderr and exit status 2."""
    print(f"identity-tui: {message}", file=sys.stderr)
    return 2


def has_terminal() -> bool:
    """The app needs a terminal both ways: stdin for the keys, stdout for the screen."""
    from identity_tui.commands.args import is_terminal

    return is_terminal(sys.stdin) and is_terminal(sys.stdout)


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
    if argv[:2] == ["sandbox", "serve"]:
        from identity_tui.sandbox.serve import main as serve_main

        return serve_main(argv[2:])
    from identity_tui.commands.args import UsageError, find_command, parse

    if find_command(argv):
        from identity_tui.commands import main as command_main

        return command_main(argv)
    try:
        args = parse(argv)
    except UsageError as exc:
        return fail(str(exc))
    if args.command == "locate":
        return locate()
    if args.command == "completion":
        return completion(args.shell)
    if args.quiet:
        return fail("--quiet is for the commands; the app prints nothing on stderr to quieten.")
    from identity_tui.core import config

    timeouts = {name: getattr(args, name) for name in (*config.TIMEOUT_KEYS, *config.LIMIT_KEYS)
                if getattr(args, name) is not None}
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
    if not has_terminal():
        # The full-screen app would wait for keys that never come: a script gave no command.
        return fail(NO_TERMINAL)
    # Start-up allocates much and frees little, so the collector's passes over it are wasted time
    # (~40 ms here); the app turns collection back on once its first screen is painted.
    gc.disable()
    try:
        try:
            from identity_tui.tui.app import run_app
        except ImportError as exc:  # pragma: no cover - a broken install
            return fail(f"cannot start the interface: {exc}")
        return run_app(conn, cfg, flags=config.SessionFlags(readonly=args.readonly, timeouts=timeouts))
    finally:
        gc.enable()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
