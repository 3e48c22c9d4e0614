"""The app's --sandbox PATH is checked before the interface starts: a path that cannot hold a database is one
sentence and exit 2, never a traceback; a database file (or a path still to be made) is taken."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from identity_tui.core.connect import sandbox_path_problem

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("where", ["folder", "device", "not-a-database"])
def test_the_app_refuses_a_sandbox_path_that_cannot_hold_a_database_in_one_sentence(tmp_path, where):
    path = {"folder": tmp_path, "device": Path("/dev/null"), "not-a-database": tmp_path / "notes.txt"}[where]
    if where == "not-a-database":
        path.write_text("notes\n")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    ran = subprocess.run([sys.executable, "-m", "identity_tui", "--sandbox", str(path)], cwd=ROOT, env=env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.count("\n") == 1 and ran.stderr.startswith("identity-tui: Cannot use ")
    assert "Traceback" not in ran.stderr and ran.stdout == ""


def test_a_database_file_or_a_path_to_be_made_is_taken(tmp_path):
    db = tmp_path / "sandbox.sqlite3"
    sqlite3.connect(db).execute("create table t (x)").connection.close()
    assert sandbox_path_problem(db) is None
    assert sandbox_path_problem(tmp_path / "new.sqlite3") is None
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert sandbox_path_problem(tmp_path / "empty.sqlite3") is None


def test_ctrl_c_during_start_up_before_the_app_takes_it_is_status_130_without_a_traceback(monkeypatch, capsys):
    from identity_tui import cli
    from identity_tui.core import config

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(config, "load_config", interrupted)  # ctrl+c while the config is read
    assert cli.main(["--sandbox"]) == 130
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
