"""Cold start over HTTP, and a command's cold start, each against a baseline run alternately in the same run.

- The app with ``--base-url`` against the sandbox served over loopback (1,000 identities), from spawn to
  the first painted page, against the bare Textual app (``bench/bare_app.py``).
- ``identity-tui get --key K`` against the same server, from spawn to exit, against the app's cold start
  over HTTP: the commands load no Textual and should start in half the time or less.

Where the time goes on the HTTP path is measured by ``import_steps`` (fresh process per run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bare_app import TEXT as BARE_TEXT
from bench.common import ROOT, app_argv, child_env, median, ms, seeded_sandbox
from bench.server import serve
from bench.startup import APP_TEXT, IDENTITIES, _time_to, import_costs


@dataclass
class HttpStartResult:
    app_ms: list[float]
    bare_ms: list[float]
    get_ms: list[float]
    steps: list[tuple[str, float]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return median(self.app_ms) / median(self.bare_ms)

    @property
    def get_ratio(self) -> float:
        return median(self.get_ms) / median(self.app_ms)


def _get_ms(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, cwd=ROOT, timeout=60)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"get failed: {done.stderr[-300:]!r}")
    return ms(elapsed)


def run(tmp: Path, runs: int = 7) -> HttpStartResult:
    sandbox = seeded_sandbox(str(tmp / "http-start.sqlite3"), IDENTITIES)
    key = json.loads(sandbox.handle("GET", "/v1/identities/?limit=1", {"host": "x"}, b"")[2])[0]["identifier_key"]
    server, _ = serve(sandbox)
    try:
        env = child_env(tmp / "home-http-start")
        app = app_argv("--base-url", server.base_url)
        get = app_argv("get", "--key", key, "--base-url", server.base_url, "--format", "json")
        bare = [sys.executable, str(ROOT / "bench" / "bare_app.py")]
        _time_to(app, APP_TEXT, env)
        _time_to(bare, BARE_TEXT, env)
        _get_ms(get, env)
        result = HttpStartResult([], [], [])
        for _ in range(runs):
            result.bare_ms.append(_time_to(bare, BARE_TEXT, env)[0])
            result.app_ms.append(_time_to(app, APP_TEXT, env)[0])
            result.get_ms.append(_get_ms(get, env))
        result.steps = import_steps(runs)
    finally:
        server.stop()
        sandbox.close()
    return result


STEPS = (
    ("python and textual.app (the bare app needs this too)", "import textual.app"),
    ("httpx without its command-line tool or trio", "import identity_tui.core.client"),
    ("httpcore, for a real connection", "from identity_tui.core.httpx_lean import load_network; load_network()"),
    ("the app and the list screen", "import identity_tui.tui.app, identity_tui.tui.screens.list"),
)

def import_steps(runs: int = 5) -> list[tuple[str, float]]:
    """Median milliseconds of each import on the HTTP start path, each on top of those before it."""
    return import_costs(runs, STEPS)


if __name__ == "__main__":  # python -m bench.http_start: this part alone, printed
    import tempfile

    with tempfile.TemporaryDirectory() as tmp_name:
        r = run(Path(tmp_name), runs=5)
    print(f"app over HTTP {median(r.app_ms):.0f} ms, bare {median(r.bare_ms):.0f} ms: {r.ratio:.2f}x; "
          f"get {median(r.get_ms):.0f} ms: {r.get_ratio:.2f}x the app")
    for label, value in r.steps:
        print(f"  {value:6.1f} ms  {label}")
