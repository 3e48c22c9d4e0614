"""The one declaration of the command line: the app's start, the commands for scripts, the tools (locate,
sandbox, completion) and the completion scripts all come from ``build()``. The connection flags go before or
after the subcommand, as a person types them."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

COMMANDS = ("list", "get", "ensure", "set", "delete", "export", "import", "link", "unlink", "links", "history",
            "undo")
# The other subcommands: they need no server.
TOOLS = ("locate", "sandbox", "completion")

EXIT_CODES = """\
exit status:
  0  done (or nothing to do)
  1  the server or the network failed
  2  usage or invalid input: nothing was sent
  3  not found
  4  a conflict: a change made meanwhile overlaps, or the server answered 409
"""

# The property filter's forms, as the help shows them (the identity's own name is --name's, not a property's).
WHERE_FORMS = ("plan.tier=gold, region?, !region, seats>=10, email~acme, several at once: 'plan=pro; seats>=10' "
               "(see the README)")

FORMATS = ("table", "wide", "json", "jsonl", "csv")
SHELLS = ("bash", "zsh", "fish")

DESCRIPTION = """\
Manage the identities of a Letta server: with no command, the full-screen app (a terminal is needed);
with a command, one job for a script or a person (identity-tui COMMAND --help for each)."""

ENVIRONMENT = """\
environment:
  LETTA_BASE_URL        server URL, when no --base-url is given
  LETTA_API_KEY         API key or server password (prefer this to --token)
  IDENTITY_TUI_PROFILE  profile to use, when no --profile is given
  NO_COLOR              any value turns colour off
"""


class UsageError(Exception):
    """Bad flags or values: exit 2 with one sentence."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so the error stays one sentence; every
    ``--yes`` also answers to ``-y``."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message[:1].upper() + message[1:] + ".")

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        if "--yes" in names and "-y" not in names:
            names = ("-y", *names)
        return super().add_argument(*names, **kwargs)


CONNECTION = "connection (before or after the subcommand)"
OUTPUT = "output (before or after the subcommand)"
APP = "the app (no command)"
NUMBERS = {"connect_timeout": "seconds", "read_timeout": "seconds", "request_timeout": "seconds",
           "max_answer_mib": "MiB"}


# The one declaration of the flags the app and every command share (the app's start parses them with this
# same parser), then the app's own: (group, names, argparse keywords).
SHARED_FLAGS: tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...] = (
    (CONNECTION, ("--profile",), {"metavar": "NAME", "help": "connection profile from config.toml"}),
    (CONNECTION, ("--base-url",), {"metavar": "URL", "help": "server URL (default http://localhost:8283)"}),
    (CONNECTION, ("--token",), {"metavar": "TOKEN", "help": "API key or server password; WARNING: it lands in your "
                                "shell history and ps shows it to every user of the machine while it runs, set "
                                "LETTA_API_KEY instead"}),
    (CONNECTION, ("--user-id",), {"metavar": "ID", "help": "acting user (user-<uuid>), sent as the user_id header"}),
    (CONNECTION, ("--project-id",), {"metavar": "ID", "help": "project for new identities, sent as X-Project-Id"}),
    (CONNECTION, ("--readonly",), {"action": "store_true", "help": "read only: the app shows no write action, a "
                                   "command refuses a write before sending"}),
    (CONNECTION, ("--sandbox",), {"nargs": "?", "const": "", "metavar": "PATH", "help": "use the embedded sandbox "
                                  "server (a SQLite file; default in the user data dir), no network; not with "
                                  "--base-url"}),
    (CONNECTION, ("--connect-timeout",), {"metavar": "S", "help": "seconds to wait for a connection (default 5; "
                                          "config: connect_timeout)"}),
    (CONNECTION, ("--read-timeout",), {"metavar": "S", "help": "seconds to wait for each answer, tried up to 3 times "
                                       "for reads and saves (default 60; config: read_timeout); esc gives up a save "
                                       "sooner"}),
    (CONNECTION, ("--request-timeout",), {"metavar": "S", "help": "seconds one request may take as a whole, its "
                                          "whole answer read (default: connect + 2 x read; config: request_timeout)"}),
    (CONNECTION, ("--max-answer-mib",), {"metavar": "N", "help": "the most one answer may hold, in MiB (default 64; "
                                         "config: max_answer_mib)"}),
    (OUTPUT, ("-q", "--quiet"), {"action": "store_true", "help": "commands: no progress, counts or notes on stderr "
                                 "(warnings and errors still print)"}),
)
APP_FLAGS: tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...] = (
    (APP, ("--theme",), {"metavar": "NAME", "help": "Textual theme, e.g. textual-dark, ansi-dark, ansi-light"}),
    (APP, ("--page-size",), {"type": int, "metavar": "N", "help": "rows per page (default 50)"}),
)


def _declare(p: argparse.ArgumentParser, flags: tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...],
             **more: Any) -> None:
    groups: dict[str, Any] = {}
    for title, names, kwargs in flags:
        if title not in groups:
            groups[title] = p.add_argument_group(title)
        groups[title].add_argument(*names, **kwargs, **more)


def _connection(p: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The shared flags on the top parser, or on a command's. Given after the subcommand they win; SUPPRESS
    keeps the subcommand's parser from resetting what was given before it. The numbers are checked after
    parsing (``parse``), for the app and the commands alike."""
    _declare(p, SHARED_FLAGS, **({"default": argparse.SUPPRESS} if suppress else {}))


def _app(p: argparse.ArgumentParser) -> None:
    """The app's own flags (no command): a command refuses them."""
    _declare(p, APP_FLAGS)


class _Once(argparse.Action):
    """A flag that takes one value: given twice, it is refused rather than the last one silently kept."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        seen: set[str] = getattr(namespace, "_once_seen", set())
        if self.dest in seen:
            raise UsageError(f"{option_string} is given twice: it takes one value.")
        seen.add(self.dest)
        namespace._once_seen = seen
        setattr(namespace, self.dest, values)


KEY_HELP = ("find the identity by its identifier key instead of its id; without --project (or the connection's "
            "project) the key is looked up in every project, and found in several it is refused (exit 2)")
PROJECT_HELP = "the project the key is looked up in ('' for the identities outside any project)"


def _target(p: argparse.ArgumentParser, *, project: bool = True) -> None:
    p.add_argument("id", nargs="?", metavar="ID", help="the identity's id (identity-...)")
    p.add_argument("--key", action=_Once, metavar="KEY", help=KEY_HELP)
    if project:
        p.add_argument("--project", action=_Once, metavar="P", help=PROJECT_HELP)


def _props(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prop", action="append", default=[], metavar="KEY[:TYPE]=VALUE",
                   help="set a property: seats:number=10, active:boolean=true, billing:json='{\"net\":30}'. TYPE is "
                        "string, number, boolean or json (any case; nothing else). Without a type, an existing "
                        "property keeps its type (a value that does not fit it is refused) and a new one is a "
                        "string. A key holding ':' names its type: 'a:b:string=v'. Repeatable, each key once")


class _Unbuilt:
    """Stands for a command's parser while its flags are not needed: what is added to it goes nowhere."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


def build(*, complete: bool = False, only: str | None = None) -> Parser:
    """The parser of ``identity-tui [COMMAND] ...``: no command is the app. ``complete``: with the flags of
    ``sandbox serve`` too (its own parser; imported only for the completion scripts). ``only``: declare
    the flags of this command alone (``""``: of none), the others named with their help but left empty,
    which parses the same line in a third of the time (a command starts sooner)."""
    from identity_tui import __version__

    top = Parser(prog="identity-tui", description=DESCRIPTION, epilog=ENVIRONMENT + "\n" + EXIT_CODES,
                 formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"identity-tui {__version__}")
    _connection(top, suppress=False)
    _app(top)
    sub = top.add_subparsers(dest="command", required=False, parser_class=Parser, metavar="COMMAND",
                             title="commands")

    def command(name: str, text: str) -> Parser:
        if only is not None and name != only:
            sub.add_parser(name, help=text, add_help=False)
            return _Unbuilt()  # type: ignore[return-value]  # stands for a Parser: every call on it goes nowhere
        p = sub.add_parser(name, help=text, description=text, epilog=EXIT_CODES,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _connection(p, suppress=True)
        return p

    ls = command("list", "List identities, filtered on the server; streams every page with --all.")
    ls.add_argument("--name", metavar="S", help="name contains S (case-insensitive)")
    ls.add_argument("--key", metavar="K", help="identifier key is exactly K")
    ls.add_argument("--type", metavar="T", choices=("org", "user", "other"), help="org, user or other")
    ls.add_argument("--project", metavar="P", help="project id is exactly P")
    ls.add_argument("--order", choices=("asc", "desc"), default="desc", help="oldest or newest first (default desc)")
    group = ls.add_mutually_exclusive_group()
    group.add_argument("--limit", type=int, default=50, metavar="N", help="at most N identities (default 50)")
    group.add_argument("--all", action="store_true", help="every identity that matches, page after page")
    ls.add_argument("--where", action="append", default=[], metavar="EXPR",
                    help=f"property filter, scanned as pages come: {WHERE_FORMS}; repeatable, all must hold")
    ls.add_argument("--format", choices=FORMATS,
                    help="table on a terminal, json when piped; wide: a table that never cuts a cell, with the "
                         "project and the property keys; json is printed only once complete")
    ls.add_argument("--no-headers", action="store_true", help="table, wide and csv: no header line")

    get = command("get", "Show identities by id or key; exit 3 when one is missing.")
    _target(get)
    get.add_argument("more", nargs="*", metavar="ID",
                     help="more ids; - reads ids from stdin, one a line (several: a JSON array, or JSON lines)")
    get.add_argument("--format", choices=("json", "jsonl", "table"), help="table on a terminal, json when piped")

    ensure = command("ensure", "Make sure an identity with this key exists: look it up, create it if missing.")
    ensure.add_argument("--key", action=_Once, required=True, metavar="KEY", help="identifier key")
    ensure.add_argument("--name", action=_Once, required=True, metavar="NAME",
                        help="name (for a new one, or with --update)")
    ensure.add_argument("--type", action=_Once, required=True, choices=("org", "user", "other"), help="identity type")
    ensure.add_argument("--project", action=_Once, metavar="P",
                        help="project (the key is unique within it; '' for none). Without it (or the connection's "
                             "project) a key found in another project is refused (exit 2) rather than copied")
    _props(ensure)
    ensure.add_argument("--update", action="store_true",
                        help="bring an existing one to this name, type and properties (a minimal save); without "
                             "it an existing one is left as it is and what differs is said on stderr")
    ensure.add_argument("--exact", action="store_true",
                        help="with --update: the property list becomes exactly the --prop ones (others removed)")
    ensure.add_argument("--dry-run", action="store_true", help="print the requests it would send; send no write")
    ensure.add_argument("--yes", action="store_true",
                        help="with --exact: do not ask on a terminal before replacing the property list")
    ensure.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")

    st = command("set", "Change fields and properties of one identity with a minimal, merged save.")
    _target(st)
    st.add_argument("--name", action=_Once, dest="new_name", metavar="N", help="new name")
    st.add_argument("--new-key", action=_Once, metavar="K", help="new identifier key")
    st.add_argument("--type", action=_Once, dest="new_type", choices=("org", "user", "other"), help="new identity type")
    _props(st)
    st.add_argument("--unset", action="append", default=[], metavar="KEY",
                    help="remove a property; repeatable (a key may not be both set and removed)")
    st.add_argument("--where", action="append", default=[], metavar="EXPR",
                    help=f"change every identity that matches, a plan first; property filter, scanned as pages "
                         f"come: {WHERE_FORMS}; repeatable, all must hold")
    st.add_argument("--dry-run", action="store_true", help="print the requests it would send; send no write")
    st.add_argument("--yes", action="store_true", help="do not ask before replacing the property list")
    st.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")

    def filters(p: argparse.ArgumentParser, order: str) -> None:
        p.add_argument("--name", metavar="S", help="name contains S (case-insensitive)")
        p.add_argument("--key", metavar="K", help="identifier key is exactly K")
        p.add_argument("--type", metavar="T", choices=("org", "user", "other"), help="org, user or other")
        p.add_argument("--project", metavar="P", help="project id is exactly P")
        p.add_argument("--order", choices=("asc", "desc"), default=order, help=f"default {order}")

    ex = command("export", "Write identities to a file (or stdout): JSON lines, a JSON array, or CSV.")
    filters(ex, "asc")
    ex.add_argument("--where", action="append", default=[], metavar="EXPR",
                    help="property filter, as for list (see the README); repeatable, all must hold")
    ex.add_argument("--format", choices=("jsonl", "json", "csv"), help="default: by the file's ending, else jsonl")
    ex.add_argument("-o", "--output", metavar="FILE",
                    help="the file to write (- or nothing: stdout); a format's name alone (json) is refused: "
                         "--format sets the format, ./json names such a file")

    im = command("import", "Create and update identities from a file, or from another server: a plan first.")
    im.add_argument("file", nargs="?", metavar="FILE", help="JSONL, JSON or CSV (- for stdin)")
    im.add_argument("--input-format", choices=("jsonl", "json", "csv"),
                    help="the file's format (default: by its ending, else a JSON array when it starts with [, "
                         "else JSON lines)")
    im.add_argument("--format", choices=("text", "json", "jsonl", "csv"),
                    help="the plan and the report: text (default) or json; jsonl or csv here is the old spelling "
                         "of --input-format")
    im.add_argument("--match", choices=("key", "id"), default="key", help="match rows by identifier key (default) or id")
    im.add_argument("--project", metavar="P", help="project for rows that name none (and to look keys up in)")
    im.add_argument("--prune-properties", action="store_true",
                    help="an identity's property list becomes the file's (default: the file's are merged in)")
    im.add_argument("--dry-run", action="store_true", help="print the plan; send no write")
    im.add_argument("--yes", action="store_true", help="apply without asking (required without a terminal)")
    im.add_argument("--concurrency", type=int, default=4, metavar="N", help="requests in flight (default 4)")
    im.add_argument("--from-profile", metavar="NAME", help="copy from another server's identities instead of a file")
    im.add_argument("--from-name", dest="name", metavar="S", help="with --from-profile: name contains S")
    im.add_argument("--from-key", dest="key", metavar="K", help="with --from-profile: identifier key K")
    im.add_argument("--from-type", dest="type", choices=("org", "user", "other"), help="with --from-profile: type")
    im.add_argument("--from-project", dest="from_project", metavar="P", help="with --from-profile: project P")
    im.add_argument("--output-format", dest="format_out", choices=("text", "json"),
                    help="the old spelling of --format text|json")

    for name, text in (("link", "Link an agent or a memory block to an identity."),
                       ("unlink", "Unlink an agent or a memory block from an identity.")):
        lk = command(name, text)
        _target(lk)
        which = lk.add_mutually_exclusive_group(required=True)
        which.add_argument("--agent", metavar="AGENT_ID", help="the agent's id")
        which.add_argument("--agent-name", metavar="NAME", help="the agent with exactly this name")
        which.add_argument("--block", metavar="BLOCK_ID", help="the memory block's id")
        which.add_argument("--block-label", metavar="LABEL", help="the memory block with exactly this label")
        lk.add_argument("--dry-run", action="store_true", help="read, and print the request it would send; send none")
        lk.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")
    lks = command("links", "The agents and memory blocks linked to an identity.")
    _target(lks)
    lks.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")

    hist = command("history", "The writes this tool made on this server, newest first, with what changed.")
    hist.add_argument("id", nargs="?", metavar="ID", help="only this identity's records")
    hist.add_argument("--key", metavar="KEY", help="only the records of this identifier key")
    hist.add_argument("--since", metavar="WHEN",
                      help="a time today (02:58, 02:58:30; local), a date or date and time (2026-11-30, "
                           "2026-11-30T02:58; local unless it names its offset), or an age: 90s, 30m, 12h, 3d, 2w")
    hist.add_argument("--limit", type=int, metavar="N", help="only the newest N records")
    hist.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")
    und = command("undo", "Put back what a recorded write changed (the newest record unless one is named).")
    und.add_argument("record", nargs="?", metavar="RECORD", help="a record id from identity-tui history")
    und.add_argument("--key", metavar="KEY", help="the newest landed write of this identifier key")
    und.add_argument("--dry-run", action="store_true", help="say what it would send; send no write")
    und.add_argument("--yes", action="store_true", help="send without asking (without a terminal, needed to send)")
    und.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")

    rm = command("delete", "Delete identities (agents and blocks linked to them are kept).")
    rm.add_argument("id", nargs="*", metavar="ID",
                    help="the ids (identity-...) to delete; - reads them from stdin, one a line")
    rm.add_argument("--key", action=_Once, metavar="KEY", help=KEY_HELP)
    rm.add_argument("--project", action=_Once, metavar="P", help=PROJECT_HELP)
    rm.add_argument("--yes", action="store_true", help="do not ask (required without a terminal)")
    rm.add_argument("--ignore-not-found", action="store_true", help="an identity already absent is not an error")
    rm.add_argument("--where", action="append", default=[], metavar="EXPR",
                    help=f"delete every identity that matches, a plan first; property filter, scanned as pages "
                         f"come: {WHERE_FORMS}; repeatable, all must hold")
    rm.add_argument("--dry-run", action="store_true", help="read, and print the requests it would send; send none")
    rm.add_argument("--format", choices=("json", "table"), help="table on a terminal, json when piped")

    def tool(name: str, text: str) -> Parser:
        return sub.add_parser(name, help=text, description=text)

    tool("locate", "Print where config, data, drafts and the journal live.")
    sb = tool("sandbox", "The embedded sandbox server, for any Letta client.")
    # Typed with the base class, so the serve parser (a plain ArgumentParser) may be a parent of one.
    sb_sub: argparse._SubParsersAction[argparse.ArgumentParser] = sb.add_subparsers(
        dest="action", required=True, parser_class=Parser, metavar="ACTION")
    serve_text = "Serve the sandbox over HTTP (identity-tui sandbox serve --help for its flags)."
    if complete:
        from identity_tui.sandbox.serve import _parser as serve_parser

        sb_sub.add_parser("serve", help=serve_text, parents=[serve_parser()], add_help=False)
    else:
        sb_sub.add_parser("serve", help=serve_text, description=serve_text)
    comp = tool("completion", "Print a shell completion script: source it, or save it where your shell looks.")
    comp.add_argument("shell", choices=SHELLS, help="bash, zsh or fish")
    comp.epilog = ("bash:  source <(identity-tui completion bash)   (or save it in "
                   "~/.local/share/bash-completion/completions/identity-tui)\n"
                   "zsh:   identity-tui completion zsh > \"${fpath[1]}/_identity-tui\"\n"
                   "fish:  identity-tui completion fish > ~/.config/fish/completions/identity-tui.fish")
    comp.formatter_class = argparse.RawDescriptionHelpFormatter
    return top


def parse(argv: list[str]) -> argparse.Namespace:
    """Parsed flags (``command`` None for the app); ``UsageError`` for anything wrong. ``--help`` prints and
    exits 0 as usual. The numbers come back as floats."""
    argv = list(argv)
    for i in range(len(argv) - 1):
        nxt = argv[i + 1]
        if argv[i] == "--sandbox" and (nxt in COMMANDS or nxt in TOOLS or nxt.startswith("identity-")):
            argv[i] = "--sandbox="  # the default sandbox, then the command (not a file named like it)
    try:
        args = build(only=find_command(argv) or "").parse_args(argv)
    except UsageError as exc:
        said = str(exc)
        if said.startswith("Unrecognized arguments:") and any(a.startswith("-o") for a in argv):
            # kubectl's habit: -o names the format there; here it is export's file.
            raise UsageError(f"{said[:-1]} (--format sets the format; -o is export's output file).") from None
        raise

    for name, unit in NUMBERS.items():
        given = getattr(args, name, None)
        if given is None:
            continue
        try:
            value = float(given)
        except ValueError:
            value = float("nan")
        if not 0 < value < float("inf"):
            raise UsageError(f"--{name.replace('_', '-')} must be a positive number of {unit}, not {given!r}.")
        setattr(args, name, value)
    if getattr(args, "sandbox", None) is not None and getattr(args, "base_url", None) is not None:
        raise UsageError("--sandbox and --base-url exclude each other: the sandbox is a server of its own.")
    if getattr(args, "limit", 1) is not None and getattr(args, "limit", 1) < 1:
        raise UsageError("--limit must be at least 1.")
    return args


def is_terminal(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# Flags of the app and the commands that take a value: the word after them is not a command.
_VALUE_FLAGS = frozenset(name for _, names, kwargs in (*SHARED_FLAGS, *APP_FLAGS) for name in names
                         if "metavar" in kwargs and "nargs" not in kwargs)


def find_command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (its first word that is not a flag or a flag's value), if any."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return None
        if word in _VALUE_FLAGS:
            i += 2
            continue
        if word == "--sandbox":
            # ``--sandbox list`` means the default sandbox and the list command, not a file named list.
            nxt = argv[i + 1] if i + 1 < len(argv) else None
            i += 1 if nxt is None or nxt in COMMANDS or nxt.startswith("-") else 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return word if word in COMMANDS else None
    return None
