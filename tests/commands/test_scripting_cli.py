"""The command line as a kubectl or gh user meets it: every command in ``--help``, no silent page limit, no
half-written JSON, JSON whenever ``--format json`` is asked, no hang without a terminal, predictable
names, tables that never cut the key, and the everyday flags (``--quiet``, ``--no-headers``, ``-y``)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from identity_tui import cli as app_cli
from identity_tui.commands.args import COMMANDS, TOOLS
from identity_tui.core.client import LettaClient
from identity_tui.core.errors import ServerError

EVERY = (*COMMANDS, *TOOLS)


# -- 4. every command in --help -----------------------------------------------------------------------------


def test_top_help_names_every_command(capsys):
    with pytest.raises(SystemExit) as done:
        app_cli.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for name in ("list", "get", "ensure", "set", "delete", "export", "import", "link", "unlink", "links",
                 "history", "undo", "locate", "sandbox", "completion"):
        assert f"\n    {name} " in out or f"\n    {name}\n" in out, (name, out)


@pytest.mark.parametrize("argv", [[name, "--help"] for name in EVERY] + [["sandbox", "serve", "--help"]],
                         ids=lambda a: " ".join(a))
def test_every_command_has_help_exiting_0(argv, capsys):
    with pytest.raises(SystemExit) as done:
        app_cli.main(argv)
    assert done.value.code == 0
    assert "usage: identity-tui" in capsys.readouterr().out


# -- 5. a full page says more exist --------------------------------------------------------------------------


def test_a_full_page_says_more_exist_on_stderr(sandbox_server, cli):
    for _ in range(3):
        sandbox_server.create(sandbox_server.key("more"))
    two = cli("list", "--limit", "2", "--format", "json")
    assert two.code == 0 and len(json.loads(two.out)) == 2
    assert "Showing the first 2; more exist: --all or --limit N" in two.err
    exact = cli("list", "--limit", "3", "--format", "json")
    assert exact.code == 0 and len(json.loads(exact.out)) == 3 and "more exist" not in exact.err
    assert "more exist" not in cli("list", "--all", "--format", "json").err
    quiet = cli("list", "--limit", "2", "--format", "json", "--quiet")
    assert quiet.code == 0 and quiet.err == "" and len(json.loads(quiet.out)) == 2
    # a property filter that stopped at its limit with pages left to scan
    scan = cli("list", "--limit", "1", "--where", "!nothing", "--format", "jsonl")
    assert scan.code == 0 and len(scan.out.splitlines()) == 1 and "more" in scan.err


# -- 6. a failure mid-way never leaves half a JSON document ------------------------------------------------------


@pytest.fixture
def third_page_fails(sandbox_server, monkeypatch):
    from identity_tui.sandbox.seed import seed

    seed(sandbox_server.sandbox, 1234)
    real = LettaClient.list_page
    calls = []

    async def list_page(self, **kw):
        calls.append(kw)
        if len(calls) == 3:
            raise ServerError("The server failed (500).", status=500)
        return await real(self, **kw)

    monkeypatch.setattr(LettaClient, "list_page", list_page)
    return calls


@pytest.mark.parametrize("argv", [["list", "--all", "--format", "json"], ["export", "--format", "json"]])
def test_json_that_fails_on_page_3_prints_nothing_and_exits_1(third_page_fails, cli, argv):
    ran = cli(*argv)
    assert len(third_page_fails) == 3
    assert ran.code == 1 and ran.out == ""
    assert ran.err.count("\n") == 1 and "Traceback" not in ran.err


def test_json_lines_stream_whole_lines_before_a_failure(third_page_fails, cli):
    ran = cli("list", "--all", "--format", "jsonl")
    assert ran.code == 1
    lines = ran.out.splitlines()
    assert len(lines) == 1000 and all(json.loads(line)["id"] for line in lines)


# -- 8. --format json always prints JSON -----------------------------------------------------------------------


def test_undo_dry_run_json_prints_json_even_when_nothing_is_to_undo(sandbox_server, cli):
    key = sandbox_server.key("undojson")
    assert cli("ensure", "--key", key, "--name", "U", "--type", "user", "--prop", "a:number=1").code == 0
    assert cli("set", "--key", key, "--prop", "a:number=2").code == 0
    dry = cli("undo", "--dry-run", "--format", "json")
    body = json.loads(dry.out)
    assert dry.code == 0 and body["status"] == "dry_run" and body["requests"]
    assert cli("undo", "--yes").code == 0
    again = cli("undo", "--key", key, "--dry-run", "--format", "json")  # the create: it would delete
    assert json.loads(again.out)["status"] == "dry_run"
    newest = json.loads(cli("history", "--key", key, "--format", "json").out)[0]
    record = newest["undoes"]  # the set, undone already
    assert record
    undone = cli("undo", record, "--dry-run", "--format", "json")
    body = json.loads(undone.out)
    assert undone.code == 0 and body["status"] == "nothing_to_undo" and body["record"] == record
    assert set(body) == set(json.loads(dry.out))  # one shape


def test_import_json_with_every_row_unchanged_prints_json(sandbox_server, cli, tmp_path):
    key = sandbox_server.key("imp")
    sandbox_server.create(key)
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"identifier_key": key, "name": "Cmd test", "identity_type": "org"}) + "\n")
    for argv in (["--format", "json", "--yes"], ["--output-format", "json", "-y"], ["--format", "json", "--dry-run"]):
        ran = cli("import", str(path), *argv)
        assert ran.code == 0, ran.err
        body = json.loads(ran.out)
        assert body["counts"]["unchanged"] == 1 and body["results"] == [], argv
        assert set(body) == {"counts", "rows", "dry_run", "results"}


# -- 11. no terminal, no command ---------------------------------------------------------------------------------


def test_no_command_without_a_terminal_is_exit_2_at_once(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_DATA_HOME": str(tmp_path / "d")}
    done = subprocess.run([sys.executable, "-m", "identity_tui", "--sandbox", str(tmp_path / "sb.sqlite3")],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == "identity-tui: No terminal: give a command (identity-tui --help lists them)."
    assert done.stdout == ""


# -- 12. names ------------------------------------------------------------------------------------------------------


def test_import_takes_input_format_and_format_for_the_output(sandbox_server, cli, tmp_path):
    key = sandbox_server.key("names")
    path = tmp_path / "rows"  # no ending: the format must be given
    path.write_text(f"identifier_key,name,identity_type\n{key},N,user\n")
    ran = cli("import", str(path), "--input-format", "csv", "--format", "json", "--dry-run")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["counts"]["create"] == 1
    old = cli("import", str(path), "--format", "csv", "--dry-run")  # the old spelling of --input-format
    assert old.code == 0 and "Plan: 1 create" in old.out and "--input-format" in old.err


def test_export_o_with_a_format_name_is_refused(sandbox_server, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = cli("export", "-o", "json")
    assert ran.code == 2 and not (tmp_path / "json").exists()
    assert "--format json" in ran.err and ran.err.count("\n") == 1
    assert cli("export", "-o", "./json").code == 0 and (tmp_path / "json").exists()


def test_locate_with_an_unknown_flag_is_exit_2(capsys):
    assert app_cli.main(["locate", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("identity-tui: ") and "--bogus" in err and err.count("\n") == 1


def test_sandbox_and_base_url_exclude_each_other(cli, tmp_path, capsys):
    ran = cli("list", "--sandbox", str(tmp_path / "a.sqlite3"), "--base-url", "http://127.0.0.1:9")
    assert ran.code == 2 and "--sandbox" in ran.err and "--base-url" in ran.err
    capsys.readouterr()
    assert app_cli.main(["--sandbox", str(tmp_path / "a.sqlite3"), "--base-url", "http://127.0.0.1:9"]) == 2
    assert "--base-url" in capsys.readouterr().err


@pytest.mark.parametrize("when", ["02:58", "02:58:30", "10m", "2h", "3d", "30s", "2026-11-30", "2026-11-30T02:58",
                                  "2026-11-30 02:58:00+01:00"])
def test_history_since_takes_times_dates_and_ages(cli, sandbox_server, when):
    ran = cli("history", "--since", when, "--format", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out) == []


def test_history_since_a_time_is_today_in_local_time():
    from identity_tui.commands.history import since_time

    now = datetime.now().astimezone()
    got = since_time("02:58")
    assert got.astimezone().date() == now.date() and got.astimezone().strftime("%H:%M:%S") == "02:58:00"
    assert abs(since_time("10m") - (now - timedelta(minutes=10))) < timedelta(seconds=5)
    assert since_time("2026-11-30T02:58").astimezone().strftime("%H:%M") == "02:58"  # local too


# -- 13. tables -----------------------------------------------------------------------------------------------------


def test_the_table_never_cuts_the_key_and_shows_the_project(sandbox_server, cli):
    long_key = sandbox_server.key("a-very-long-identifier-key-that-goes-on-and-on")
    for project in ("proj-a", "proj-b"):
        body = {"identifier_key": long_key, "name": "Same", "identity_type": "org", "project_id": project}
        assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    table = cli("list", "--key", long_key, "--format", "table")
    lines = table.out.splitlines()
    assert "PROJECT" in lines[0] and "…" not in table.out
    assert len(lines) == 3 and all(long_key in line for line in lines[1:])
    assert {"proj-a", "proj-b"} == {w for line in lines[1:] for w in line.split() if w.startswith("proj-")}


def test_no_project_column_when_no_row_has_one_and_wide_never_cuts(sandbox_server, cli):
    key = sandbox_server.key("wide")
    made = sandbox_server.create(key, tier=("string", "gold"))
    long_name = "A name far longer than the table's name column would ever show in one line"
    assert sandbox_server.http.patch(f"/v1/identities/{made['id']}", json={"name": long_name}).status_code == 200
    table = cli("list", "--key", key, "--format", "table")
    assert "PROJECT" not in table.out and key in table.out and long_name not in table.out
    wide = cli("list", "--key", key, "--format", "wide")
    assert wide.code == 0 and long_name in wide.out and "PROJECT" in wide.out and "tier" in wide.out
    assert "…" not in wide.out


# -- 14. everyday flags ---------------------------------------------------------------------------------------------


def test_no_headers_for_table_and_csv(sandbox_server, cli):
    key = sandbox_server.key("nohead")
    sandbox_server.create(key)
    table = cli("list", "--key", key, "--format", "table", "--no-headers")
    assert table.out.splitlines()[0].startswith(key)
    rows = list(csv.reader(io.StringIO(cli("list", "--key", key, "--format", "csv", "--no-headers").out)))
    assert len(rows) == 1 and rows[0][1] == key


def test_quiet_leaves_errors_only(sandbox_server, cli, tmp_path):
    sandbox_server.create(sandbox_server.key("quiet"))
    assert cli("list", "--format", "table", "--quiet").err == ""
    assert cli("export", "-o", str(tmp_path / "x.jsonl"), "--quiet").err == ""
    assert "exported" in cli("export", "-o", str(tmp_path / "y.jsonl")).err
    missing = cli("get", "--key", "nobody-at-all", "--quiet")
    assert missing.code == 3 and missing.err.count("\n") == 1


def test_quiet_leaves_out_the_notes_of_set_and_ensure(sandbox_server, cli):
    key = sandbox_server.key("quiet-notes")
    sandbox_server.create(key)
    ensure = ["ensure", "--key", key, "--name", "Other name", "--type", "org", "--format", "json"]
    assert "differ" in cli(*ensure).err.lower()
    assert cli(*ensure, "--quiet").err == ""
    unset = ["set", "--key", key, "--unset", "nothing-here", "--format", "json"]
    assert "No property" in cli(*unset).err
    assert cli(*unset, "--quiet").err == ""


def test_y_is_yes_everywhere(sandbox_server, cli, tmp_path):
    key = sandbox_server.key("y")
    made = sandbox_server.create(key)
    assert cli("set", "--key", key, "--prop", "a:number=1", "-y").code == 0
    assert cli("undo", "-y").code == 0
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"identifier_key": key, "name": "Y", "identity_type": "user"}) + "\n")
    assert cli("import", str(path), "-y").code == 0
    assert cli("delete", made["id"], "-y").code == 0 and sandbox_server.by_key(key) == []


def test_export_takes_where(sandbox_server, cli):
    keys = [sandbox_server.key("exw") for _ in range(2)]
    sandbox_server.create(keys[0], tier=("string", "gold"))
    sandbox_server.create(keys[1], tier=("string", "silver"))
    ran = cli("export", "--name", "Cmd test", "--where", "tier=gold", "--format", "jsonl")
    assert ran.code == 0, ran.err
    assert [json.loads(line)["identifier_key"] for line in ran.out.splitlines()] == keys[:1]
    assert cli("export", "--where", "seats>=many").code == 2


def test_get_takes_several_ids_or_ids_from_stdin(sandbox_server, cli, monkeypatch):
    made = [sandbox_server.create(sandbox_server.key("many")) for _ in range(3)]
    ids = [m["id"] for m in made]
    both = cli("get", ids[0], ids[2], "--format", "json")
    assert both.code == 0 and [i["id"] for i in json.loads(both.out)] == [ids[0], ids[2]]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(ids) + "\n"))
    piped = cli("get", "-", "--format", "json")
    assert piped.code == 0 and [i["id"] for i in json.loads(piped.out)] == ids
    jsonl = cli("get", *ids, "--format", "jsonl")
    assert [json.loads(line)["id"] for line in jsonl.out.splitlines()] == ids
    one = cli("get", ids[1], "--format", "json")
    assert json.loads(one.out)["id"] == ids[1]  # one id: the object itself, as before
    gone = ids[0][:-4] + "0000" if not ids[0].endswith("0000") else ids[0][:-4] + "1111"
    missing = cli("get", ids[0], gone, "--format", "json")
    assert missing.code == 3 and missing.out == "" and gone in missing.err
    assert cli("get", ids[0], "notanid").code == 2


def test_history_limit(sandbox_server, cli):
    key = sandbox_server.key("hl")
    assert cli("ensure", "--key", key, "--name", "H", "--type", "user").code == 0
    for n in range(3):
        assert cli("set", "--key", key, "--prop", f"a:number={n}").code == 0
    assert len(json.loads(cli("history", "--format", "json").out)) == 4
    two = json.loads(cli("history", "--limit", "2", "--format", "json").out)
    assert len(two) == 2 and two[0]["operation"] == "update"
    assert cli("history", "--limit", "0").code == 2


# -- one declaration of the shared flags ------------------------------------------------------------------------


def _shared(parser) -> dict:
    return {a.dest: (tuple(a.option_strings), a.help, a.nargs, a.metavar)
            for group in parser._action_groups for a in group._group_actions
            if group.title and group.title.startswith("connection")}


def test_the_app_and_the_commands_share_one_declaration_of_the_connection_flags():
    from identity_tui.commands.args import build

    app = _shared(app_cli.build_parser())
    commands = _shared(build()._subparsers._group_actions[0].choices["list"])
    assert app and app == commands
    assert {"profile", "base_url", "token", "user_id", "project_id", "readonly", "sandbox", "connect_timeout",
            "read_timeout", "request_timeout", "max_answer_mib"} <= set(app)


def test_the_default_page_of_50_says_more_exist(sandbox_server, cli):
    from identity_tui.sandbox.seed import seed

    seed(sandbox_server.sandbox, 60)
    ran = cli("list")  # piped: JSON
    assert ran.code == 0 and len(json.loads(ran.out)) == 50
    assert ran.err == "Showing the first 50; more exist: --all or --limit N.\n"


def test_app_flags_and_command_flags_stay_apart(cli, capsys, tmp_path):
    ran = cli("--theme", "ansi-dark", "list", "--sandbox", str(tmp_path / "s.sqlite3"))
    assert ran.code == 2 and "--theme" in ran.err and ran.out == ""
    capsys.readouterr()
    assert app_cli.main(["--quiet", "--sandbox", str(tmp_path / "s.sqlite3")]) == 2
    assert "--quiet" in capsys.readouterr().err


def test_o_wide_on_list_points_to_format(cli):
    ran = cli("list", "-o", "wide")
    assert ran.code == 2 and "--format sets the format" in ran.err and ran.err.count("\n") == 1
