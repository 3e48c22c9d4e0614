"""Run every benchmark and write ``bench/results.md``: ``python -m bench`` from the repository root.

``--quick`` runs fewer repetitions and prints the targets without writing the file (for trying a change).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import list_session, machine, report, sandbox_pages, saves, startup
from bench.common import ROOT, compile_package, seeded_sandbox

COMMAND = "python -m bench"
LARGE = 100_000


def _say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; print, do not write results.md")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md", help="where to write")
    args = parser.parse_args(argv)
    # On SIGTERM, unwind like Ctrl-C does, so the apps under test are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        list_session.PAGES, list_session.LAUNCHES, list_session.FILTER_ROUNDS = 20, 2, 1
    compile_package()
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
        finally:
            big.close()
    about.append(("Load average at end (1, 5, 15 min)", machine.load()))
    text = report.render(about, start, fast, slow, save_rows, pages, COMMAND)
    for t in report.targets(start, fast, slow, save_rows, pages):
        print(f"{t.verdict:4}  {t.text}: {t.figure}")
    if not args.quick:
        args.out.write_text(text, encoding="utf-8")
        _say(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
