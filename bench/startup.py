"""Cold start: a fresh process per run, from spawn to the first frame showing the expected text.

The app opens a sandbox file of 1,000 identities and is done when the list's footer line says
"Page 1 · rows 1–50"; the baseline is ``bench/bare_app.py``, which paints one label. Runs alternate
between the two so that a noisy neighbour hurts both alike. One discarded warm-up run each fills the
OS file cache.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.bare_app import TEXT as BARE_TEXT
from bench.common import ROOT, app_argv, child_env, median, ms, seeded_sandbox
from bench.term import Terminal

APP_TEXT = "Page 1 · rows 1–50"
IDENTITIES = 1_000


@dataclass
class StartupResult:
    app_ms: list[float]
    bare_ms: list[float]
    app_rss_kb: int
    bare_rss_kb: int
    imports: list[tuple[str, float]] = field(default_factory=list)  # (what, median ms), see import_costs

    @property
    def ratio(self) -> float:
        return median(self.app_ms) / median(self.bare_ms)


def _time_to(argv: list[str], text: str, env: dict[str, str]) -> tuple[float, int]:
    with Terminal(argv, env=env) as term:
        frame = term.wait_for(text, timeout=30)
        return ms(frame.t - term.t_spawn), term.status("VmHWM")


def run(tmp: Path, runs: int = 7) -> StartupResult:
    db = tmp / "startup.sqlite3"
    seeded_sandbox(str(db), IDENTITIES).close()
    env = child_env(tmp / "home-startup")
    app = app_argv("--sandbox", str(db))
    bare = [sys.executable, str(ROOT / "bench" / "bare_app.py")]
    _time_to(app, APP_TEXT, env)
    _time_to(bare, BARE_TEXT, env)
    result = StartupResult([], [], 0, 0)
    for _ in range(runs):
        t, result.bare_rss_kb = _time_to(bare, BARE_TEXT, env)
        result.bare_ms.append(t)
        t, result.app_rss_kb = _time_to(app, APP_TEXT, env)
        result.app_ms.append(t)
    result.imports = import_costs(runs)
    return result


IMPORT_STEPS = (
    ("textual.app (the bare app needs this too)", "import textual.app"),
    ("Textual widgets of the list (Input, Static, ScrollView)",
     "from textual.widgets import Input, Static; import textual.scroll_view"),
    ("httpx (without its command-line tool) and the API client", "import identity_tui.core.client"),
    ("the rest of the app and the list screen", "import identity_tui.tui.app, identity_tui.tui.screens.list"),
    ("the sandbox (only with --sandbox)", "import identity_tui.sandbox"),
    ("after the first paint: pydantic and the wire models", "import identity_tui.core.models"),
)

_IMPORT_SCRIPT = """
import gc, json, time
gc.disable()  # as the command line does during start-up
out = []
for step in {steps!r}:
    t = time.perf_counter()
    exec(step)
    out.append((time.perf_counter() - t) * 1000)
print(json.dumps(out))
"""


def import_costs(runs: int = 5, steps: tuple[tuple[str, str], ...] = IMPORT_STEPS) -> list[tuple[str, float]]:
    """Median milliseconds of each import step, each step on top of the ones before, fresh process per run."""
    script = _IMPORT_SCRIPT.format(steps=[code for _, code in steps])
    samples = [json.loads(subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                                         check=True).stdout) for _ in range(runs)]
    return [(label, median([s[i] for s in samples])) for i, (label, _) in enumerate(steps)]
