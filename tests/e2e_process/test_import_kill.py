"""A bulk import killed with SIGKILL half-way and started again: every row once, no duplicate, as in the file.

The sandbox runs as its own process (``identity-tui sandbox serve``), so killing the import leaves the
server as a real one would be: some creates landed, one may have landed with its answer lost.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ROWS = 2_000
PASSWORD = "kill-test"


def _env(tmp: Path, url: str) -> dict[str, str]:
    env = {**os.environ, "LETTA_BASE_URL": url, "LETTA_API_KEY": PASSWORD}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp / var.lower())
    env.pop("IDENTITY_TUI_PROFILE", None)
    return env


def test_an_import_killed_half_way_finishes_on_the_second_run_with_no_duplicate(tmp_path):
    rows = [{"identifier_key": f"kill-{i:04d}", "name": f"Row {i}", "identity_type": "user",
             "properties": [{"key": "i", "type": "number", "value": i}, {"key": "s", "type": "string", "value": "é" * (i % 7)}]}
            for i in range(ROWS)]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "identity_tui", "sandbox", "serve", "--port", "0", "--db", str(tmp_path / "s.sqlite3"),
         "--password", PASSWORD], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline()).group(0)  # type: ignore[union-attr]
        env = _env(tmp_path, url)
        http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {PASSWORD}"}, timeout=30)
        argv = [sys.executable, "-m", "identity_tui", "import", str(path), "--yes", "--concurrency", "4"]
        first = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.monotonic() + 120
        while http.get("/v1/identities/count").json() < ROWS // 4:
            assert first.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        landed = http.get("/v1/identities/count").json()
        assert 0 < landed < ROWS
        second = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert second.returncode == 0, second.stdout[-2000:] + second.stderr
        # A create is one POST: each row that landed plans as unchanged, the rest as creates.
        assert f"Plan: {ROWS - landed} create, 0 update, {landed} unchanged, 0 invalid." in second.stdout
        assert http.get("/v1/identities/count").json() == ROWS
        got = {}
        after = None
        while True:
            page = http.get("/v1/identities/", params={"limit": 500, "order": "asc", **({"after": after} if after else {})}).json()
            for item in page:
                assert item["identifier_key"] not in got, f"duplicate {item['identifier_key']}"
                got[item["identifier_key"]] = item
            if len(page) < 500:
                break
            after = page[-1]["id"]
        assert len(got) == ROWS
        for row in rows:
            item = got[row["identifier_key"]]
            assert (item["name"], item["identity_type"], item["properties"]) == (row["name"], row["identity_type"], row["properties"])
        again = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert again.returncode == 0 and f"0 create, 0 update, {ROWS} unchanged" in again.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
