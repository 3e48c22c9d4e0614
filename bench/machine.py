"""The machine a run happened on: CPU, cores, RAM, Python, Textual, load, date and commit."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from importlib.metadata import version

from bench.common import ROOT


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load() -> str:
    """The 1, 5 and 15 minute load averages: how busy the machine was (2 means both of 2 cores)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def describe() -> list[tuple[str, str]]:
    """Name/value pairs for the results header."""
    return [
        ("CPU", _cpu_model()),
        ("Cores", str(os.cpu_count())),
        ("RAM", _ram()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("Textual", version("textual")),
        ("httpx / pydantic", f"{version('httpx')} / {version('pydantic')}"),
        ("Load average at start (1, 5, 15 min)", load()),
        ("Date", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("Commit", _commit()),
    ]
