"""Bulk export and import over loopback HTTP, each against a bare httpx loop doing the same work in the same run.

- Export of the large sandbox: ``identity-tui export`` (JSON lines to a pipe) against a bare loop that
  pages the same server with the same page size (500) and writes each page's JSON: the physical limit.
  Throughput ratio = bare time / our time; peak RSS of the export (VmHWM, read in the process itself).
- Import of new rows into an empty sandbox: ``identity-tui import --yes`` (plan, then 4 in flight)
  against a bare loop POSTing the same bodies with 4 in flight (threads sharing one httpx client; the loop
  POSTing them one after another is shown too); and, against that sequential loop, the same with a delay
  added to every request (a distant server), where concurrency should pay.
- Dry-run plan of rows against the large sandbox, against the export of that sandbox.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, child_env, median
from bench.server import serve

PAGE = 500

_PEAK = """
import sys
from identity_tui.cli import main
status = main(sys.argv[1:])
sys.stdout.flush()
print("VMHWM", [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0], file=sys.stderr)
raise SystemExit(status)
"""

_BARE_EXPORT = """
import json, sys, httpx
url = sys.argv[1]
out = sys.stdout
with httpx.Client(base_url=url, timeout=60) as c:
    after = None
    while True:
        params = {"limit": %d, "order": "asc"}
        if after:
            params["after"] = after
        page = c.get("/v1/identities/", params=params).json()
        for item in page:
            out.write(json.dumps(item, ensure_ascii=False) + "\\n")
        if len(page) < %d:
            break
        after = page[-1]["id"]
""" % (PAGE, PAGE)

_BARE_IMPORT = """
import json, sys, httpx
url, path = sys.argv[1], sys.argv[2]
with httpx.Client(base_url=url, timeout=120) as c, open(path, encoding="utf-8") as f:
    for line in f:
        r = c.post("/v1/identities/", json=json.loads(line))
        assert r.status_code == 200, r.text
"""


_BARE_IMPORT_4 = """
import json, sys, httpx
from concurrent.futures import ThreadPoolExecutor
url, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    rows = [json.loads(line) for line in f]
with httpx.Client(base_url=url, timeout=120, limits=httpx.Limits(max_connections=4)) as c:
    def one(body):
        r = c.post("/v1/identities/", json=body)
        assert r.status_code == 200, r.text
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, rows))
"""


@dataclass
class BulkResult:
    export_ours_s: float
    export_bare_s: float
    export_rss_kb: int
    export_rows: int
    import_ours_s: float
    import_bare_s: float
    import_rows: int
    slow_ours_s: float
    slow_bare_s: float
    slow_rows: int
    delay_s: float
    plan_s: float
    plan_rows: int
    import_bare4_s: float = 0.0  # the same POSTs, 4 in flight (the target's baseline)

    @property
    def export_ratio(self) -> float:
        return self.export_bare_s / self.export_ours_s

    @property
    def import_ratio(self) -> float:
        """Against the bare loop with 4 in flight."""
        return self.import_bare4_s / self.import_ours_s

    @property
    def import_seq_ratio(self) -> float:
        """Against the bare loop sending one POST after another (for information)."""
        return self.import_bare_s / self.import_ours_s

    @property
    def slow_ratio(self) -> float:
        return self.slow_bare_s / self.slow_ours_s

    @property
    def plan_ratio(self) -> float:
        return self.plan_s / self.export_ours_s


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, str, str]:
    t = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    elapsed = time.perf_counter() - t
    if done.returncode not in (0,):
        raise RuntimeError(f"{argv[:6]} exited {done.returncode}: {done.stderr[-500:]}")
    return elapsed, done.stdout, done.stderr


def _rows(n: int, prefix: str) -> list[dict]:
    return [{"identifier_key": f"{prefix}-{i:06d}", "name": f"Bulk {i}", "identity_type": "user",
             "properties": [{"key": "i", "type": "number", "value": i},
                            {"key": "plan", "type": "string", "value": "gold" if i % 3 else "free"},
                            {"key": "prefs", "type": "json", "value": {"lang": "en", "n": i}}]} for i in range(n)]


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _import_pair(tmp: Path, env: dict[str, str], rows: list[dict], delay: float, runs: int,
                 four: list[float] | None = None) -> tuple[float, float]:
    """Our import's median and the sequential bare loop's; the 4-in-flight bare loop's runs go to ``four``."""
    from identity_tui.sandbox import Sandbox

    path = tmp / f"import-{len(rows)}-{delay}.jsonl"
    _write(path, rows)
    ours, bare = [], []
    for _ in range(runs):
        for which in ("bare", "bare4", "ours") if four is not None else ("bare", "ours"):
            sandbox = Sandbox(":memory:")
            server, _ = serve(sandbox, delay)
            try:
                if which == "bare":
                    bare.append(_timed([sys.executable, "-c", _BARE_IMPORT, server.base_url, str(path)], env)[0])
                elif which == "bare4":
                    assert four is not None
                    four.append(_timed([sys.executable, "-c", _BARE_IMPORT_4, server.base_url, str(path)], env)[0])
                    assert sandbox.count() == len(rows)
                else:
                    argv = [sys.executable, "-m", "identity_tui", "import", str(path), "--yes",
                            "--base-url", server.base_url]
                    ours.append(_timed(argv, env)[0])
                    assert sandbox.count() == len(rows)
            finally:
                server.stop()
                sandbox.close()
    return median(ours), median(bare)


def run(tmp: Path, big, *, import_rows: int = 10_000, slow_rows: int = 100, delay: float = 0.2,
        runs: int = 3) -> BulkResult:
    env = child_env(tmp / "home-bulk")
    server, _ = serve(big)
    try:
        ours, bare, rss = [], [], 0
        for _ in range(runs):
            t, _, _ = _timed([sys.executable, "-c", _BARE_EXPORT, server.base_url], env)
            bare.append(t)
            t, out, err = _timed([sys.executable, "-c", _PEAK, "export", "--base-url", server.base_url], env)
            ours.append(t)
            rss = max(rss, int(re.search(r"VmHWM:\s+(\d+)", err).group(1)))  # type: ignore[union-attr]
            rows = out.count("\n")
        plan_path = tmp / "plan.jsonl"
        # Half the rows exist (updates or unchanged), half are new: the plan reads the whole server once.
        existing = [json.loads(line) for line in out.splitlines()[: import_rows // 2]]
        for item in existing[::2]:
            item["name"] += " (renamed)"
        _write(plan_path, existing + _rows(import_rows - len(existing), "plan"))
        plans = []
        for _ in range(runs):
            argv = [sys.executable, "-m", "identity_tui", "import", str(plan_path), "--dry-run",
                    "--output-format", "json", "--base-url", server.base_url]
            plans.append(_timed(argv, env)[0])
    finally:
        server.stop()
    four: list[float] = []
    imp_ours, imp_bare = _import_pair(tmp, env, _rows(import_rows, "new"), 0.0, 1, four)
    slow_ours, slow_bare = _import_pair(tmp, env, _rows(slow_rows, "slow"), delay, 1)
    return BulkResult(median(ours), median(bare), rss, rows, imp_ours, imp_bare, import_rows,
                      slow_ours, slow_bare, slow_rows, delay, median(plans), import_rows, median(four))


if __name__ == "__main__":  # python -m bench.bulk: this part alone, printed
    import tempfile

    from bench.common import seeded_sandbox

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp_name:
        sb = seeded_sandbox(":memory:", n)
        r = run(Path(tmp_name), sb, import_rows=min(10_000, n), runs=1)
        print(r)
        print(f"export {r.export_ratio:.2f}x bare, rss {r.export_rss_kb / 1024:.0f} MB; import {r.import_ratio:.2f}x; "
              f"slow {r.slow_ratio:.2f}x; plan {r.plan_ratio:.2f}x export")
