"""The commands for scripts against bare httpx scripts doing the same work: the speed rows of issue #25.

Every figure is a whole process, run alternately with its baseline against one sandbox of 5,000 identities
served over loopback HTTP by the bench process; one warm-up of each is discarded.

- ``identity-tui get ID`` cold against a bare script: ``import httpx``, one GET, print the JSON.
- ``identity-tui export`` (JSON lines to a pipe) of the 5,000 against a bare httpx loop paging the same
  server 500 at a time and writing each identity's JSON: start-up included for both.
- ``identity-tui set --where EXPR --prop k=v --yes`` over 1,000 matches against a bare script sending the
  same PATCH to the same ids with ``httpx.AsyncClient`` and 4 in flight (``asyncio.Semaphore(4)``).

The commands run from an installed copy, as users run them: the package as committed (``git archive
HEAD``) in a directory of its own on ``PYTHONPATH``, its bytecode compiled as installing it does (the
environment sets ``PYTHONDONTWRITEBYTECODE``), started by the same launcher the console script is.

Writes its own section of ``bench/results.md``: ``python -m bench --only scripting`` reruns it alone.
"""

from __future__ import annotations

import compileall
import io
import json
import os
import re
import resource
import subprocess
import sys
import tarfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.bulk import _BARE_EXPORT
from bench.common import ROOT, child_env, median, ms, seeded_sandbox
from bench.report import Target, _target_row, put_section
from bench.server import serve

TITLE = "## 8. Commands for scripts against bare httpx scripts (issue #25)"

IDENTITIES = 5_000
MATCHES = 1_000
IN_FLIGHT = 4
BATCH_KEY, BATCH_VALUE = "bench_batch", "yes"
WHERE = f"{BATCH_KEY}={BATCH_VALUE}"
SET_KEY = "bench_note"

GET_LIMIT, EXPORT_LIMIT, SET_LIMIT = 1.2, 1.4, 0.8

# The console script pip writes for ``identity-tui = "identity_tui.cli:main"``.
LAUNCHER = """\
import sys
from identity_tui.cli import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
"""

BARE_GET = """\
import json, sys, httpx
r = httpx.get(sys.argv[1] + "/v1/identities/" + sys.argv[2], timeout=60)
r.raise_for_status()
print(json.dumps(r.json(), indent=2, ensure_ascii=False))
"""

BARE_EXPORT = _BARE_EXPORT

BARE_SET = """\
import asyncio, json, sys, httpx
url, body, ids = sys.argv[1], json.loads(sys.argv[2]), open(sys.argv[3]).read().split()

async def main():
    gate = asyncio.Semaphore(%d)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def one(identity_id):
            async with gate:
                r = await client.patch("/v1/identities/" + identity_id, json=body)
                r.raise_for_status()
        await asyncio.gather(*(one(i) for i in ids))

asyncio.run(main())
""" % IN_FLIGHT

# For comparison: what one save per identity needs on the wire when it reads the identity again first.
BARE_GET_PATCH = BARE_SET.replace(
    'r = await client.patch(', 'r = await client.get("/v1/identities/" + identity_id)\n'
    '                r.raise_for_status()\n                r = await client.patch(')

# A diagnostic, not a product change: the command with ``os.fsync`` a no-op (the journal's sync per record).
NO_FSYNC = "import os\nos.fsync = lambda fd: None\n"

STDLIB_GET = """\
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/v1/identities/" + sys.argv[2], timeout=60) as r:
    print(json.dumps(json.load(r), indent=2, ensure_ascii=False))
"""

FLOOR = "pass"  # the interpreter alone: what every fresh process pays before its first import


class NotRun(Target):
    """A target this run could not measure: neither a pass nor a miss."""

    @property
    def verdict(self) -> str:
        return "NOT RUN"


@dataclass
class Pair:
    """One command and its baseline: seconds per run (warm-ups dropped), and what each sent."""

    ours_s: list[float] = field(default_factory=list)
    bare_s: list[float] = field(default_factory=list)
    ours_requests: str = ""
    bare_requests: str = ""
    not_run: str = ""  # why the row was not measured, when it was not

    @property
    def ours(self) -> float:
        return median(self.ours_s)

    @property
    def bare(self) -> float:
        return median(self.bare_s)


@dataclass
class ScriptingResult:
    commit: str
    get: Pair
    floor_s: list[float]
    stdlib_s: list[float]
    export: Pair
    export_rows: int
    set: Pair
    set_get_patch_s: list[float] = field(default_factory=list)  # bare GET then PATCH per id, 4 in flight
    set_no_fsync_s: list[float] = field(default_factory=list)  # ours with os.fsync a no-op
    get_imports: list[tuple[str, float]] = field(default_factory=list)  # (top-level module, ms) for get
    get_import_total_ms: float = 0.0
    bare_import_total_ms: float = 0.0
    export_imports: list[tuple[str, float]] = field(default_factory=list)
    export_import_total_ms: float = 0.0
    cpu: dict[str, list[float]] = field(default_factory=dict)  # see _CPU


def head_commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def install_copy(tmp: Path) -> tuple[Path, Path]:
    """The package as committed, in ``tmp/site`` with its bytecode compiled, and a launcher: (site, launcher)."""
    site = tmp / "site"
    site.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD", "identity_tui"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(site, filter="data")
    compileall.compile_dir(str(site / "identity_tui"), quiet=1)
    launcher = tmp / "bin" / "identity-tui"
    launcher.parent.mkdir(exist_ok=True)
    launcher.write_text(LAUNCHER, encoding="utf-8")
    return site, launcher


def _env(tmp: Path, site: Path) -> dict[str, str]:
    env = child_env(tmp / "home-scripting")
    env["PYTHONPATH"] = str(site)  # the installed copy only: not the working tree
    return env


def _cwd(env: dict[str, str]) -> str:
    """The children's working directory: the home of their config, not the repository (no ./identity_tui)."""
    return str(Path(env["XDG_CONFIG_HOME"]).parent)


_CPU: dict[str, list[float]] = {}  # user + system seconds of each run (warm-ups too), by what ran


def _run(argv: list[str], env: dict[str, str], what: str) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=_cwd(env), timeout=600)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{what} exited {done.returncode}: {done.stderr[-500:]}")
    _CPU.setdefault(what, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return elapsed, done.stdout


def _requests(recorder, since: float) -> str:
    with recorder._lock:
        seen = Counter(s.method for s in recorder.log if s.t >= since)
    return ", ".join(f"{n:,} {method}" for method, n in sorted(seen.items())) or "none"


def _alternate(runs: int, bare, ours, recorder, pair: Pair, before=None) -> None:
    """Warm-up of each (dropped), then bare, ours, bare, ours ...; the requests of the last of each are kept.
    ``before(i)``, when given, runs first in each round (more baselines, for information)."""
    for i in range(runs + 1):
        if before is not None:
            before(i)
        since = time.perf_counter()
        t = bare(i)
        if i:
            pair.bare_s.append(t)
        pair.bare_requests = _requests(recorder, since)
        since = time.perf_counter()
        t = ours(i)
        if i:
            pair.ours_s.append(t)
        pair.ours_requests = _requests(recorder, since)


def has_set_where(launcher: Path, env: dict[str, str]) -> bool:
    done = subprocess.run([sys.executable, str(launcher), "set", "--help"], env=env, capture_output=True, text=True,
                          cwd=_cwd(env), timeout=60)
    return "--where" in done.stdout


def _mark_batch(sandbox) -> list[str]:
    """Give the first ``MATCHES`` identities (oldest first) the property the ``--where`` selects; their ids."""
    ids: list[str] = []
    after = None
    while len(ids) < MATCHES:
        target = f"/v1/identities/?limit=500&order=asc" + (f"&after={after}" if after else "")
        status, _, body = sandbox.handle("GET", target, {"host": "127.0.0.1"}, b"")
        page = json.loads(body)
        ids += [item["id"] for item in page][: MATCHES - len(ids)]
        after = page[-1]["id"]
    patch = json.dumps({"properties": [{"key": BATCH_KEY, "type": "string", "value": BATCH_VALUE}]}).encode()
    for identity_id in ids:
        status, _, body = sandbox.handle("PATCH", f"/v1/identities/{identity_id}",
                                         {"host": "127.0.0.1", "content-type": "application/json"}, patch)
        if status != 200:
            raise RuntimeError(f"marking {identity_id}: {status} {body[:200]!r}")
    return ids


def _check_set(sandbox, ids: list[str], value: str) -> None:
    """Every matched identity holds ``SET_KEY=value`` after a run (each run sets a value of its own)."""
    for identity_id in ids[:: max(1, len(ids) // 50)] + ids[-1:]:
        status, _, body = sandbox.handle("GET", f"/v1/identities/{identity_id}", {"host": "127.0.0.1"}, b"")
        props = {p["key"]: p["value"] for p in json.loads(body)["properties"]}
        if props.get(SET_KEY) != value:
            raise RuntimeError(f"{identity_id} holds {SET_KEY}={props.get(SET_KEY)!r} after a run, not {value!r}")


_TOP = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def import_profile(argv: list[str], env: dict[str, str], runs: int = 3) -> tuple[float, list[tuple[str, float]]]:
    """``python -X importtime``: median total import ms and the median ms of each module imported at the top
    level (the modules it pulled in included), fresh process per run."""
    totals: list[float] = []
    per: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True,
                              cwd=_cwd(env), timeout=120)
        tops: dict[str, float] = {}
        total = 0.0
        for line in done.stderr.splitlines():
            m = _TOP.match(line)
            if m is None or m.group(3):  # only imports made at the top level, each with what it pulled in
                continue
            cumulative = int(m.group(2)) / 1000
            top = m.group(4)
            tops[top] = tops.get(top, 0.0) + cumulative
            total += cumulative
        totals.append(total)
        for top, value in tops.items():
            per.setdefault(top, []).append(value)
    ranked = sorted(((top, median(v + [0.0] * (runs - len(v)))) for top, v in per.items()), key=lambda x: -x[1])
    return median(totals), ranked


def run(tmp: Path, *, quick: bool = False) -> ScriptingResult:
    commit = head_commit()
    _CPU.clear()
    site, launcher = install_copy(tmp)
    env = _env(tmp, site)
    where = subprocess.run([sys.executable, "-c", "import identity_tui; print(identity_tui.__file__)"], env=env,
                           capture_output=True, text=True, cwd=tmp, check=True).stdout.strip()
    if not where.startswith(str(site)):
        raise RuntimeError(f"the installed copy is not the one imported: {where}")
    py = sys.executable
    ours_cmd = [py, str(launcher)]
    sandbox = seeded_sandbox(":memory:", IDENTITIES)
    ids = _mark_batch(sandbox)
    server, recorder = serve(sandbox)
    url = server.base_url
    try:
        get_id = ids[MATCHES // 2]
        get = Pair()
        floor: list[float] = []
        stdlib: list[float] = []
        get_runs = 5 if quick else 9

        def more_get(i: int) -> None:
            t = _run([py, "-c", FLOOR], env, "python -c pass")[0]
            t_std = _run([py, "-c", STDLIB_GET, url, get_id], env, "stdlib get")[0]
            if i:
                floor.append(t)
                stdlib.append(t_std)

        def bare_get(i: int) -> float:
            return _run([py, "-c", BARE_GET, url, get_id], env, "bare get")[0]

        def ours_get(i: int) -> float:
            return _run(ours_cmd + ["get", get_id, "--format", "json", "--base-url", url], env, "get")[0]

        _alternate(get_runs, bare_get, ours_get, recorder, get, before=more_get)

        export = Pair()
        rows = 0

        def bare_export(i: int) -> float:
            return _run([py, "-c", BARE_EXPORT, url], env, "bare export")[0]

        def ours_export(i: int) -> float:
            nonlocal rows
            t, out = _run(ours_cmd + ["export", "--format", "jsonl", "--base-url", url], env, "export")
            rows = out.count("\n")
            return t

        _alternate(3 if quick else 7, bare_export, ours_export, recorder, export)
        if rows != IDENTITIES:
            raise RuntimeError(f"export wrote {rows} rows, not {IDENTITIES}")

        setp = Pair()
        get_patch_s: list[float] = []
        no_fsync_s: list[float] = []
        if not has_set_where(launcher, env):
            setp.not_run = f"not run: set --where not built at {commit}"
        else:
            ids_file = tmp / "set-ids.txt"
            ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")

            def bare_set(i: int) -> float:
                value = f"bare-{i}"
                body = json.dumps({"properties": [{"key": SET_KEY, "type": "string", "value": value}]})
                t = _run([py, "-c", BARE_SET, url, body, str(ids_file)], env, "bare set")[0]
                _check_set(sandbox, ids, value)
                return t

            def ours_set(i: int) -> float:
                value = f"ours-{i}"  # a value of its own each run: every match changes
                t = _run(ours_cmd + ["set", "--where", WHERE, "--prop", f"{SET_KEY}={value}", "--yes",
                                     "--format", "json", "--base-url", url], env, "set --where")[0]
                _check_set(sandbox, ids, value)
                return t

            no_fsync_dir = tmp / "no-fsync"
            no_fsync_dir.mkdir(exist_ok=True)
            (no_fsync_dir / "sitecustomize.py").write_text(NO_FSYNC, encoding="utf-8")
            env_no_fsync = {**env, "PYTHONPATH": f"{no_fsync_dir}{os.pathsep}{site}"}

            def more_set(i: int) -> None:
                if not i:
                    return  # no warm-up needed: the pair's warm-up ran the same code
                value = f"both-{i}"
                body = json.dumps({"properties": [{"key": SET_KEY, "type": "string", "value": value}]})
                get_patch_s.append(_run([py, "-c", BARE_GET_PATCH, url, body, str(ids_file)], env, "bare get+patch")[0])
                _check_set(sandbox, ids, value)
                value = f"nosync-{i}"
                no_fsync_s.append(_run(ours_cmd + ["set", "--where", WHERE, "--prop", f"{SET_KEY}={value}", "--yes",
                                                   "--format", "json", "--base-url", url], env_no_fsync,
                                       "set --where, no fsync")[0])
                _check_set(sandbox, ids, value)

            _alternate(2 if quick else 4, bare_set, ours_set, recorder, setp, before=more_set)
        get_total, get_imports = import_profile([str(launcher), "get", get_id, "--format", "json", "--base-url", url],
                                                env)
        bare_total, _ = import_profile(["-c", BARE_GET, url, get_id], env)
        export_total, export_imports = import_profile([str(launcher), "export", "--format", "jsonl", "--base-url",
                                                       url], env)
    finally:
        server.stop()
        sandbox.close()
    return ScriptingResult(commit, get, floor, stdlib, export, rows, setp, get_patch_s, no_fsync_s, get_imports,
                           get_total, bare_total, export_imports, export_total, dict(_CPU))


def targets(r: ScriptingResult) -> list[Target]:
    g, e, s = r.get, r.export, r.set
    get_ratio = g.ours / g.bare
    export_ratio = e.ours / e.bare
    out = [
        Target("script_get", f"identity-tui get ID, cold (installed copy) <= {GET_LIMIT}x a bare httpx script "
                             "(import httpx, one GET, print the JSON)",
               f"{get_ratio:.2f}x ({ms(g.ours):.0f} ms vs {ms(g.bare):.0f} ms; python alone "
               f"{ms(median(r.floor_s)):.0f} ms; medians of {len(g.ours_s)})", get_ratio <= GET_LIMIT,
               get_ratio / GET_LIMIT),
        Target("script_export", f"identity-tui export of {r.export_rows:,} identities (JSON lines, a pipe) <= "
                                f"{EXPORT_LIMIT}x a bare httpx loop, start-up included",
               f"{export_ratio:.2f}x ({e.ours:.2f} s vs {e.bare:.2f} s; medians of {len(e.ours_s)})",
               export_ratio <= EXPORT_LIMIT, export_ratio / EXPORT_LIMIT),
    ]
    label = (f"set --where over {MATCHES:,} matches --yes >= {SET_LIMIT}x the throughput of a bare loop of the same "
             f"PATCHes, {IN_FLIGHT} in flight")
    if s.not_run:
        out.append(NotRun("script_set", label, s.not_run, False))
    else:
        ratio = s.bare / s.ours
        out.append(Target("script_set", label, f"{ratio:.2f}x ({s.ours:.2f} s vs {s.bare:.2f} s; medians of "
                                               f"{len(s.ours_s)})", ratio >= SET_LIMIT))
    return out


NOTES = {
    "script_get": "the command starts through argparse, the connection flags and config (`identity_tui.commands."
                  "args`, `core.config`, `core.connect`), asyncio and httpcore/anyio before its one request (see "
                  "the imports above); the bare script pays httpx's whole import instead. What is left beyond the "
                  "interpreter is those imports: the standard library's http.client for a plain read (the "
                  "`urllib.request` row) is the floor.",
    "script_export": "export imports `identity_tui.commands.bulk`, which pulls in `core.bulk` and through it the save "
                     "transaction, the conflict rules, the draft and the pydantic models (the largest import in the "
                     "export column above), none of which an export uses; the page walk and the writer in a module "
                     "of their own would leave export with get's imports. The rest is per row: each page is "
                     "decoded and each identity written as a line, as the bare loop does.",
}

def _set_note(r: ScriptingResult) -> str:
    s = r.set
    get_patch, no_fsync = median(r.set_get_patch_s), median(r.set_no_fsync_s)
    cpu_ours, cpu_bare = median(r.cpu.get("set --where", [])), median(r.cpu.get("bare set", []))
    cpu_no_fsync = median(r.cpu.get("set --where, no fsync", []))
    cpu_get_patch = median(r.cpu.get("bare get+patch", []))
    return (
        "each match goes through a single `set`'s save (`commands.writes.save`): the identity read again "
        f"(`transaction.prepare`, one GET per match: {s.ours_requests} in all, the scan's pages included), the "
        "journal's pending record flushed to disk (in a thread, so the other writes in flight go on), the PATCH, "
        "the outcome line written (not flushed): two requests per identity. In this run the bare loop sending a "
        f"GET then the PATCH per id took {get_patch:.2f} s ({s.bare / get_patch:.2f}x the throughput of the PATCH "
        "loop: reading again first costs that much by itself, and it is this target's ceiling while the read "
        f"stays), the command with `os.fsync` a no-op {no_fsync:.2f} s ({s.bare / no_fsync:.2f}x; runs "
        f"{min(r.set_no_fsync_s):.1f} to {max(r.set_no_fsync_s):.1f} s), the command {s.ours:.2f} s (runs "
        f"{min(s.ours_s):.1f} to {max(s.ours_s):.1f} s); the command used {cpu_ours:.2f} s of CPU against "
        f"{cpu_bare:.2f} s for the bare PATCH loop and {cpu_get_patch:.2f} s for the bare GET-then-PATCH loop: "
        f"about {(cpu_no_fsync - cpu_get_patch) / MATCHES * 1000:.1f} ms of CPU per match is the command's own (the "
        "scan and `--where` over the pages, the plan, the save's merge, the answers validated by pydantic, the "
        "journal's JSON), all on the event loop's one thread. What blocks the target: (1) the read before each "
        "PATCH, kept on purpose: it is what turns a change someone made to the same property since the scan into "
        "a reported conflict instead of an overwrite, and what gives the journal (and so undo) the identity as it "
        "really was before the write; planning against the scan's page would halve the requests at that price; "
        "(2) then the CPU per save, which a profile of the save path would have to bring down to a third."
    )


NOTES_BY_RUN = {"script_set": _set_note}  # notes that quote the run's own figures


NOT_RUN_NOTES = {
    "script_set": "The row's code is ready: once `identity-tui set --help` lists `--where`, `python -m bench --only "
                  "scripting` measures it (the runs check that every match holds the value set).",
}


def _runs(values: list[float], scale: float = 1.0, unit: str = "ms") -> str:
    return ", ".join(f"{v * scale:.0f}" if unit == "ms" else f"{v * scale:.2f}" for v in values)


def _note(key: str, r: ScriptingResult, notes: dict[str, str]) -> str:
    if key in notes:
        return notes[key]
    if key in NOTES_BY_RUN:
        return NOTES_BY_RUN[key](r)
    return "no analysis recorded yet."


def _cell(imports: list[tuple[str, float]], i: int) -> str:
    if i >= len(imports):
        return " | "
    name, value = imports[i]
    return f"`{name}` | {value:.1f}"


def section(r: ScriptingResult, alone: str = "", notes: dict[str, str] | None = None) -> list[str]:
    notes = {**NOTES, **(notes or {})}
    g, e, s = r.get, r.export, r.set
    lines = [TITLE, ""] + ([alone, ""] if alone else []) + [
        f"One sandbox of {IDENTITIES:,} seeded identities ({MATCHES:,} of them given `{WHERE}`), served over "
        "loopback HTTP by the bench process. The commands run from an installed copy of the package at commit "
        f"{r.commit} (`git archive HEAD`, bytecode compiled, on `PYTHONPATH`; started by the console script's "
        "launcher); each baseline is a bare `python -c` script with httpx. Whole processes, spawn to exit, "
        "run alternately with their baseline; one warm-up of each dropped; figures are medians. CPU is the "
        "process's user + system time (`getrusage`), warm-ups included.", "",
        "| command | runs | median | CPU (user + system, median) | requests it sent (last run) |",
        "|---|---|---|---|---|",
    ]

    def row(label: str, what: str, values: list[float], requests: str = "", seconds: bool = False) -> str:
        cpu = r.cpu.get(what, [])
        if seconds:
            return (f"| {label} | {_runs(values, unit='s')} s | {median(values):.2f} s | "
                    f"{median(cpu):.2f} s | {requests} |")
        return (f"| {label} | {_runs(values, 1000)} ms | {ms(median(values)):.0f} ms | {ms(median(cpu)):.0f} ms | "
                f"{requests} |")

    lines += [
        row("`python -c pass` (the interpreter alone)", "python -c pass", r.floor_s),
        row("for comparison: the standard library's `urllib.request`, one GET, print the JSON", "stdlib get",
            r.stdlib_s, "1 GET"),
        row("bare: `import httpx`, one GET, print the JSON", "bare get", g.bare_s, g.bare_requests),
        row("`identity-tui get ID --format json`", "get", g.ours_s, g.ours_requests),
        row("bare: httpx loop, pages of 500, one JSON line each", "bare export", e.bare_s, e.bare_requests, True),
        row("`identity-tui export --format jsonl`", "export", e.ours_s, e.ours_requests, True),
    ]
    set_label = f"`identity-tui set --where {WHERE} --prop {SET_KEY}=V --yes`"
    if s.not_run:
        lines.append(f"| {set_label} | {s.not_run} | | | |")
    else:
        lines += [
            row(f"bare: {MATCHES:,} PATCHes, httpx.AsyncClient, {IN_FLIGHT} in flight", "bare set", s.bare_s,
                s.bare_requests, True),
            row(set_label, "set --where", s.ours_s, s.ours_requests, True),
            row(f"for comparison: bare, a GET then the PATCH per id, {IN_FLIGHT} in flight", "bare get+patch",
                r.set_get_patch_s, f"{MATCHES:,} GET, {MATCHES:,} PATCH", True),
            row("diagnostic: the same `set --where` with `os.fsync` a no-op (a `sitecustomize`; the journal syncs "
                "each record)", "set --where, no fsync", r.set_no_fsync_s, "", True),
        ]
    lines += ["", "Imports (`python -X importtime`, which slows them, medians of 3 fresh processes): "
              f"`identity-tui get` {r.get_import_total_ms:.0f} ms in all, the bare httpx script "
              f"{r.bare_import_total_ms:.0f} ms (`import httpx` loads its command-line tool, and with it click and "
              f"rich when they are installed), `identity-tui export` {r.export_import_total_ms:.0f} ms. The "
              "largest imports made at the top level, each with what it pulled in:", "",
              "| `get` | ms | `export` | ms |", "|---|---|---|---|"]
    for i in range(8):
        lines.append(f"| {_cell(r.get_imports, i)} | {_cell(r.export_imports, i)} |")
    lines += ["", "| target | this run | verdict |", "|---|---|---|"]
    checks = targets(r)
    lines += [_target_row(t) for t in checks]
    missed = [t for t in checks if not t.ok and not isinstance(t, NotRun)]
    if missed:
        lines += ["", "### Missed targets", ""]
        lines += [f"- **{t.text}**: {_note(t.key, r, notes)}" for t in missed]
    not_run = [t for t in checks if isinstance(t, NotRun)]
    if not_run:
        lines += ["", "### Not run", ""]
        lines += [f"- **{t.text}**: {t.figure}. {NOT_RUN_NOTES.get(t.key, '')}".rstrip() for t in not_run]
    return lines


def replace_section(text: str, r: ScriptingResult, alone: str = "", notes: dict[str, str] | None = None) -> str:
    return put_section(text, TITLE, "\n".join(section(r, alone, notes)))


if __name__ == "__main__":  # python -m bench.scripting: this part alone, printed
    import tempfile

    with tempfile.TemporaryDirectory(prefix="identity-tui-bench-") as tmp_name:
        result = run(Path(tmp_name), quick="--quick" in sys.argv)
    print("\n".join(section(result)))
