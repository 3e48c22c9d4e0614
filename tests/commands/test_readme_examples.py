"""The README's Scripting section: every command has an example there, and each example runs as written.

The examples run in order, each in ``bash -o pipefail`` as a person would paste it, with ``identity-tui``
on PATH (this checkout's), against a seeded sandbox served over HTTP (``LETTA_BASE_URL``)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from identity_tui.commands.args import COMMANDS, TOOLS
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.sandbox.serve import ServerThread

ROOT = Path(__file__).resolve().parents[2]


def section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def examples(markdown: str) -> list[str]:
    """The command lines of the section's ``sh`` blocks: a line starting with ``identity-tui`` and the
    indented lines that continue it."""
    found: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.S):
        for line in block.splitlines():
            if line.startswith("identity-tui"):
                found.append(line)
            elif line.startswith((" ", "\t")) and line.strip() and found:
                found[-1] += "\n" + line
    return found


README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = examples(section(README, "Scripting"))


def test_the_section_has_an_example_of_every_command():
    named = {shlex.split(line, comments=True)[1] for line in EXAMPLES}
    assert set(COMMANDS) | set(TOOLS) <= named, sorted((set(COMMANDS) | set(TOOLS)) - named)


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory):
    """A seeded sandbox over HTTP, this checkout's ``identity-tui`` first on PATH, and a scratch folder."""
    home = tmp_path_factory.mktemp("readme")
    bin_dir = home / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "identity-tui"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} '
                       '-m identity_tui "$@"\n')
    wrapper.chmod(0o755)
    sandbox = Sandbox(password="pw")
    seed(sandbox, 36)
    with ServerThread(sandbox) as server:
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               "LETTA_BASE_URL": server.base_url, "LETTA_API_KEY": "pw", "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
               "XDG_DATA_HOME": str(home / "data")}
        env.pop("IDENTITY_TUI_PROFILE", None)
        work = home / "work"
        work.mkdir()
        yield env, work
    sandbox.close()


@pytest.mark.skipif(shutil.which("jq") is None, reason="the examples pipe into jq, which is not installed")
def test_every_example_runs_as_written(shell_env):
    env, work = shell_env
    for line in EXAMPLES:
        if shlex.split(line, comments=True)[1:3] == ["sandbox", "serve"]:
            _serves(line, env, work)
            continue
        done = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{line}\nexit {done.returncode}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line


def _serves(line: str, env: dict, work: Path) -> None:
    """``sandbox serve`` runs until stopped: it must say where it listens, then end cleanly on SIGTERM."""
    child = subprocess.Popen(["bash", "-c", f"exec {line}"], cwd=work, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert "sandbox on http://" in first, (line, first, child.stderr.read() if child.poll() is not None else "")
    finally:
        child.terminate()
        child.wait(timeout=30)
    assert child.returncode in (0, -15), (line, child.returncode)
