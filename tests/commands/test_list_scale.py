"""``list --all`` streams: piped over 100,000 identities, the command's peak memory stays under 100 MB."""

from __future__ import annotations

import os
import re
import subprocess
import sys

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


def test_piped_list_all_over_100000_identities_stays_under_100_mb(tmp_path):
    sandbox = Sandbox(path=str(tmp_path / "big.sqlite3"))
    seed(sandbox, LARGE)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_DATA_HOME": str(tmp_path / "d")}
    env.pop("LETTA_API_KEY", None)
    with ServerThread(sandbox) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", PEAK, "list", "--all", "--format", "json", "--base-url", server.base_url],
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
    assert lines == LARGE + 2 and first == b"[\n" and last == b"]\n"
    peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", err).group(1))
    assert peak_kb < RSS_LIMIT_KB, f"peak RSS {peak_kb / 1024:.0f} MB"
