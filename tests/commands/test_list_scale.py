"""``list --all`` streams: piped over 100,000 identities, the command's peak memory stays under 100 MB."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.sandbox.serve import ServerThread

LARGE = 100_000
RSS_LIMIT_KB = 100 * 1024
# The command as `identity-tui` runs it, then its own peak resident size (VmHWM, which starts afresh at
# exec; the rusage figures would count the test process it was forked from).
PEAK = """
import sys
from identity_tui.cli import main
status = main(sys.argv[1:])
sys.stdout.flush()
print(open("/proc/self/status").read(), file=sys.stderr)
raise SystemExit(status)
"""


def _has_seats(props: list[dict]) -> bool:
    values = [p["value"] for p in props if p["key"] == "seats"]
    return bool(values) and isinstance(values[-1], (int, float)) and not isinstance(values[-1], bool) and values[-1] >= 0


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.sqlite3"
    sandbox = Sandbox(path=str(path))
    seed(sandbox, LARGE)
    sandbox.close()
    return path


@pytest.mark.parametrize("where", [[], ["--where", "seats>=0"]], ids=["all", "property-scan"])
def test_piped_list_all_over_100000_identities_stays_under_100_mb(big_db, where, tmp_path):
    """Streaming: neither the list nor a property scan holds more than a few pages, whatever the count."""
    sandbox = Sandbox(path=str(big_db))
    expected = LARGE if not where else sum(1 for (props,) in sandbox.store.db.execute("SELECT properties FROM identities")
                                           if _has_seats(json.loads(props)))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_DATA_HOME": str(tmp_path / "d")}
    env.pop("LETTA_API_KEY", None)
    with ServerThread(sandbox) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", PEAK, "list", "--all", "--format", "json", "--base-url", server.base_url, *where],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        lines = 0
        first = last = b""
        assert child.stdout is not None
        for line in child.stdout:  # read as it comes, like a pipe into jq
            lines += 1
            first = first or line
            last = line
        child.wait()
        err = child.stderr.read().decode() if child.stderr else ""
    sandbox.close()
    assert child.returncode == 0, err
    assert lines == expected + 2 and first == b"[\n" and last == b"]\n"
    peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", err).group(1))
    assert peak_kb < RSS_LIMIT_KB, f"peak RSS {peak_kb / 1024:.0f} MB"
