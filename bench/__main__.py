"""Run every benchmark and write ``bench/results.md``: ``python -m bench`` from the repository root.

``--quick`` runs fewer repetitions and prints the targets without writing the file (for trying a change).
``--only form`` runs the edit form's part alone and rewrites only its section (and its target rows);
``--only extra``, ``--only scripting`` and ``--only marks`` do the same for theirs.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import extra, form, list_session, machine, marks, report, sandbox_pages, saves, scripting, startup
from bench.common import ROOT, compile_package, seeded_sandbox

COMMAND = "python -m bench"
LARGE = 100_000


def _say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; print, do not write results.md")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md", help="where to write")
    parser.add_argument("--only", choices=["form", "extra", "scripting", "marks"],
                        help="run one part alone (the form; the commands, bulk and search; the commands against "
                             "bare httpx scripts; the app's marks and batch actions); only its section is rewritten")
    args = parser.parse_args(argv)
    # On SIGTERM, unwind like Ctrl-C does, so the apps under test are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        list_session.PAGES, list_session.LAUNCHES, list_session.FILTER_ROUNDS = 20, 2, 1
    compile_package()
    if args.only == "form":
        return _form_only(args)
    if args.only == "extra":
        return _extra_only(args)
    if args.only == "scripting":
        return _scripting_only(args)
    if args.only == "marks":
        return _marks_only(args)
    about = machine.describe()
    with tempfile.TemporaryDirectory(prefix="identity-tui-bench-") as tmp_name:
        tmp = Path(tmp_name)
        _say("saves: ten edits, planner vs full PATCH")
        save_rows = saves.run()
        _say("cold start: identity-tui vs a bare Textual app")
        start = startup.run(tmp, runs=3 if args.quick else 7)
        _say(f"seeding {LARGE:,} identities")
        big = seeded_sandbox(":memory:", LARGE)
        try:
            _say("sandbox pages under each filter")
            pages = sandbox_pages.run(big)
            _say("list session, no added latency")
            fast = list_session.run(tmp, big, delay=0.0)
            _say("list session, +200 ms per request")
            slow = list_session.run(tmp, big, delay=0.2)
            _say("commands, bulk export and import, property search")
            more = extra.run(tmp, big, quick=args.quick)
            _say("marks and batch actions in the app against bare loops")
            marked = marks.run(tmp, quick=args.quick, big=big)
        finally:
            big.close()
        _say(f"edit form with {', '.join(f'{n:,}' for n in form.SIZES)} properties")
        sizes = form.run(tmp, quick=args.quick)
        _say("commands against bare httpx scripts: get, export, set --where")
        scripts = scripting.run(tmp, quick=args.quick)
    about.append(("Load average at end (1, 5, 15 min)", machine.load()))
    text = extra.replace_section(report.render(about, start, fast, slow, save_rows, pages, COMMAND, sizes), more)
    text = scripting.replace_section(text, scripts)
    text = marks.replace_section(text, marked, notes=marks.NOTES)
    _print(report.targets(start, fast, slow, save_rows, pages, sizes) + extra.targets(more)
           + scripting.targets(scripts) + marks.targets(marked))
    if not args.quick:
        _write(args.out, text)
    return 0


def _form_only(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="identity-tui-bench-") as tmp_name:
        _say(f"edit form with {', '.join(f'{n:,}' for n in form.SIZES)} properties")
        sizes = form.run(Path(tmp_name), quick=args.quick)
    _print(report.form_targets(sizes))
    if not args.quick:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmark results\n"
        about = dict(machine.describe())
        alone = (f"This section alone was measured by `{COMMAND} --only form` on {about['Date']} at commit "
                 f"{about['Commit']} (load average {machine.load()}); the machine table above is from the full run.")
        _write(args.out, report.replace_form_section(old, sizes, alone))
    return 0


def _extra_only(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="identity-tui-bench-") as tmp_name:
        _say(f"seeding {LARGE:,} identities")
        big = seeded_sandbox(":memory:", LARGE)
        try:
            _say("commands, bulk export and import, property search")
            more = extra.run(Path(tmp_name), big, quick=args.quick)
        finally:
            big.close()
    _print(extra.targets(more))
    if not args.quick:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmark results\n"
        about = dict(machine.describe())
        alone = (f"This section alone was measured by `{COMMAND} --only extra` on {about['Date']} at commit "
                 f"{about['Commit']} (load average {machine.load()}); the machine table above is from the full run.")
        _write(args.out, extra.replace_section(old, more, alone))
    return 0


def _scripting_only(args: argparse.Namespace) -> int:
    load_start = machine.load()
    with tempfile.TemporaryDirectory(prefix="identity-tui-bench-") as tmp_name:
        _say("commands against bare httpx scripts: get, export, set --where")
        scripts = scripting.run(Path(tmp_name), quick=args.quick)
    _print(scripting.targets(scripts))
    if not args.quick:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmark results\n"
        about = dict(machine.describe())
        alone = (f"This section alone was measured by `{COMMAND} --only scripting` on {about['Date']} at commit "
                 f"{scripts.commit} (load average at start {load_start}, at end {machine.load()}); the machine "
                 "table above is from the full run.")
        _write(args.out, scripting.replace_section(old, scripts, alone))
    return 0


def _marks_only(args: argparse.Namespace) -> int:
    load_start = machine.load()
    with tempfile.TemporaryDirectory(prefix="identity-tui-bench-") as tmp_name:
        _say(f"marks and batch actions in the app against bare loops ({LARGE:,} identities seeded first)")
        result = marks.run(Path(tmp_name), quick=args.quick)
    _print(marks.targets(result))
    if not args.quick:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmark results\n"
        about = dict(machine.describe())
        alone = (f"This section alone was measured by `{COMMAND} --only marks` on {about['Date']} at commit "
                 f"{result.commit} (load average at start {load_start}, at end {machine.load()}); the machine "
                 "table above is from the full run.")
        _write(args.out, marks.replace_section(old, result, alone, marks.NOTES))
    return 0


def _print(targets: list[report.Target]) -> None:
    for t in targets:
        print(f"{t.verdict:4}  {t.text}: {t.figure}")


def _write(out: Path, text: str) -> None:
    out.write_text(text, encoding="utf-8")
    _say(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    raise SystemExit(main())
