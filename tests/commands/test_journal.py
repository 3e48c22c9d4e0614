"""The write journal and undo, through the commands, on the sandbox over HTTP and (marked letta) a real server."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from identity_tui.core.journal import Journal, Record
from tests.contract.helpers import AGENT_BODY
from tests.support.full_disk import FullDisk, intent_line
from tests.support.journal_files import folded


def journal_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "identity-tui" / "journal"


def journal_records(tmp_path: Path) -> list[dict]:
    return folded()


def mine(records: list[dict], key: str) -> list[dict]:
    return [r for r in records if r["identifier_key"] == key or (r.get("before") or {}).get("identifier_key") == key]


def props(identity: dict | None) -> list:
    return [(p["key"], p["type"], p["value"]) for p in (identity or {}).get("properties", [])]


def test_every_kind_of_write_leaves_exactly_one_record(server, cli, tmp_path):
    key = server.key("j")
    assert cli("ensure", "--key", key, "--name", "J", "--type", "user", "--prop", "a:number=1").code == 0
    assert cli("set", "--key", key, "--prop", "a:number=2").code == 0  # PATCH
    assert cli("set", "--key", key, "--unset", "a").code == 0  # PUT
    assert cli("set", "--key", key, "--name", "J", "--dry-run").code == 0  # no write: no record
    assert cli("set", "--key", key, "--name", "J").code == 0  # nothing changed: no record
    made = server.by_key(key)[0]
    response = server.http.post("/v1/agents/", json={"name": f"j-{uuid.uuid4().hex[:8]}", **AGENT_BODY})
    agent = response.json()
    assert cli("link", "--key", key, "--agent", agent["id"]).code == 0
    assert cli("unlink", "--key", key, "--agent", agent["id"]).code == 0
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"identifier_key": key, "name": "Imported", "identity_type": "user"}) + "\n")
    assert cli("import", str(path), "--yes").code == 0
    assert cli("delete", "--key", key, "--yes").code == 0
    records = [r for r in journal_records(tmp_path) if r["identity_id"] == made["id"]]
    assert [r["operation"] for r in records] == ["create", "update", "update", "link", "unlink", "update", "delete"]
    create, patch, put, link, unlink, imported, delete = records
    assert create["before"] is None and props(create["after"]) == [("a", "number", 1)]
    assert [q["method"] for q in patch["requests"]] == ["PATCH"]
    assert props(patch["before"]) == [("a", "number", 1)] and props(patch["after"]) == [("a", "number", 2)]
    assert [q["method"] for q in put["requests"]] == ["PUT"] and props(put["after"]) == []
    assert link["target"] == {"kind": "agent", "id": agent["id"]} and unlink["outcome"] == "unlinked"
    assert imported["before"]["name"] == "J" and imported["after"]["name"] == "Imported"
    assert delete["before"]["name"] == "Imported" and delete["after"] is None
    assert delete["links"] == {"agents": [], "blocks": []}
    assert {r["source"] for r in records} >= {"identity-tui ensure", "identity-tui set", "identity-tui import"}
    mode = os.stat(next(journal_dir().glob("*.jsonl"))).st_mode
    assert mode & 0o077 == 0


def test_undo_of_a_patch_a_put_a_create_and_a_delete(server, cli, tmp_path):
    key = server.key("u")
    assert cli("ensure", "--key", key, "--name", "U", "--type", "org", "--prop", "a:number=1",
               "--prop", "b=x").code == 0
    original = server.by_key(key)[0]
    assert cli("set", "--key", key, "--prop", "a:number=2", "--name", "U2").code == 0
    assert cli("undo", "--yes").code == 0  # the PATCH
    now = server.by_key(key)[0]
    assert (now["name"], props(now)) == ("U", props(original))
    assert cli("set", "--key", key, "--unset", "b").code == 0
    assert cli("undo", "--yes").code == 0  # the PUT
    assert props(server.by_key(key)[0]) == props(original)
    links_agent = server.http.post("/v1/agents/", json={"name": f"u-{uuid.uuid4().hex[:8]}", **AGENT_BODY}).json()
    assert cli("link", "--key", key, "--agent", links_agent["id"]).code == 0
    assert cli("delete", "--key", key, "--yes").code == 0
    assert server.by_key(key) == []
    recreated = cli("undo", "--yes", "--format", "json")
    assert recreated.code == 0, recreated.err
    assert json.loads(recreated.out)["status"] == "recreated"
    again = server.by_key(key)[0]
    assert again["id"] != original["id"]
    assert {k: again[k] for k in ("name", "identity_type", "project_id")} == {
        k: original[k] for k in ("name", "identity_type", "project_id")}
    assert props(again) == props(original)
    assert [a["id"] for a in server.http.get(f"/v1/identities/{again['id']}/agents").json()] == [links_agent["id"]]
    # The undo was journaled (a create, then the link it restored): undoing its create deletes it again.
    history = json.loads(cli("history", "--key", key, "--format", "json").out)
    create = next(r for r in history if r["operation"] == "create" and r["undoes"])
    assert cli("undo", create["id"], "--yes").code == 0
    assert server.by_key(key) == []


def test_undo_of_a_create_needs_yes_without_a_terminal(server, cli):
    key = server.key("c")
    assert cli("ensure", "--key", key, "--name", "C", "--type", "user").code == 0
    refused = cli("undo")
    assert refused.code == 2 and server.by_key(key)
    assert cli("undo", "--yes").code == 0 and server.by_key(key) == []


def test_an_undo_that_overlaps_a_later_change_is_refused_and_writes_nothing(server, cli):
    key = server.key("o")
    assert cli("ensure", "--key", key, "--name", "O", "--type", "user", "--prop", "a:number=1").code == 0
    assert cli("set", "--key", key, "--prop", "a:number=2").code == 0
    made = server.by_key(key)[0]
    server.http.patch(f"/v1/identities/{made['id']}", json={"properties": [{"key": "a", "type": "number", "value": 3}]})
    server.clear()
    ran = cli("undo", "--yes")
    assert ran.code == 4 and "properties.a" in ran.err and "nothing was sent" in ran.err
    assert props(server.by_key(key)[0]) == [("a", "number", 3)]
    if server.sandbox is not None:
        assert {m for m in server.methods()} <= {"GET"}
    # A change elsewhere is kept: undo restores only what the record changed.
    server.http.patch(f"/v1/identities/{made['id']}", json={"properties": [{"key": "a", "type": "number", "value": 2}],
                                                          "name": "Renamed meanwhile"})
    assert cli("undo", "--yes").code == 0
    now = server.by_key(key)[0]
    assert now["name"] == "Renamed meanwhile" and props(now) == [("a", "number", 1)]


def test_history_lists_newest_first_with_a_diff(sandbox_server, cli):
    key = sandbox_server.key("h")
    cli("ensure", "--key", key, "--name", "H", "--type", "user", "--prop", "tier=gold")
    cli("set", "--key", key, "--prop", "tier=platinum")
    table = cli("history", "--key", key, "--format", "table")
    lines = table.out.splitlines()
    assert "update" in lines[0] and "~ tier: 'gold' -> 'platinum'" in table.out
    assert "create" in [line for line in lines if not line.startswith(" ")][1]
    listed = json.loads(cli("history", "--key", key, "--format", "json").out)
    assert [r["operation"] for r in listed] == ["update", "create"]
    assert json.loads(cli("history", "--key", key, "--since", "1h", "--format", "json").out) == listed
    assert json.loads(cli("history", "--key", key, "--since", "2999-01-01", "--format", "json").out) == []
    assert cli("history", "--since", "yesterday-ish").code == 2


def test_a_damaged_line_is_skipped_with_a_warning(sandbox_server, cli, tmp_path):
    key = sandbox_server.key("d")
    cli("ensure", "--key", key, "--name", "D", "--type", "user")
    path = next(journal_dir().glob("*.jsonl"))
    with path.open("ab") as f:
        f.write(b'{"id": "broken\n\xff\xfe not json\n')
    cli("set", "--key", key, "--name", "D2")
    ran = cli("history", "--key", key, "--format", "json")
    assert [r["operation"] for r in json.loads(ran.out)] == ["update", "create"]
    assert ran.err.count("damaged") == 2


def test_a_journal_that_cannot_be_written_does_not_stop_the_save(sandbox_server, cli, monkeypatch):
    key = sandbox_server.key("full")
    FullDisk(monkeypatch).full(when=intent_line)
    ran = cli("ensure", "--key", key, "--name", "Full", "--type", "user")
    assert ran.code == 0
    assert "journal could not be written (No space left on device)" in ran.err
    assert sandbox_server.by_key(key)


def test_the_journal_rotates_at_its_size_cap(tmp_path):
    journal = Journal(tmp_path, "http://x", max_bytes=2000, keep=2)
    for i in range(40):
        journal.record("update", identity_id=f"id-{i}", identifier_key=f"k{i}", requests=[], before={"n": "x" * 50},
                       after=None, outcome="saved")
    files = journal.files()
    assert [f.name.rsplit(".", 1)[-1] for f in files] == ["2", "1", "jsonl"]
    assert all(f.stat().st_size <= 2000 for f in files)
    ids = [r.identity_id for r in journal.records()]
    assert ids == sorted(ids, key=lambda s: int(s.split("-")[1])) and ids[-1] == "id-39"
    assert len(ids) < 40  # the oldest rotated away


@pytest.mark.parametrize("how", ["flag", "env", "profile-token", "profile-token-env"])
def test_a_record_never_holds_the_token_however_it_was_given(how, cli, tmp_path, monkeypatch):
    from identity_tui.sandbox import Sandbox
    from identity_tui.sandbox.serve import ServerThread

    canary = "canary-" + uuid.uuid4().hex
    sandbox = Sandbox(password=canary)
    with ServerThread(sandbox) as thread:
        monkeypatch.delenv("LETTA_API_KEY", raising=False)
        monkeypatch.delenv("LETTA_BASE_URL", raising=False)
        extra: list[str] = []
        if how == "flag":
            extra = ["--base-url", thread.base_url, "--token", canary]
        elif how == "env":
            extra = ["--base-url", thread.base_url]
            monkeypatch.setenv("LETTA_API_KEY", canary)
        else:
            config = tmp_path / "home" / "config" / "identity-tui"
            config.mkdir(parents=True, exist_ok=True)
            line = f'token = "{canary}"' if how == "profile-token" else 'token_env = "CANARY_KEY"'
            (config / "config.toml").write_text(f'[profiles.p]\nbase_url = "{thread.base_url}"\n{line}\n')
            (config / "config.toml").chmod(0o600)
            monkeypatch.setenv("CANARY_KEY", canary)
            extra = ["--profile", "p"]
        assert cli("ensure", "--key", "tok", "--name", "T", "--type", "user", *extra).code == 0
        assert cli("set", "--key", "tok", "--prop", "p:number=1", *extra).code == 0
        history = cli("history", "--format", "json", *extra)
        assert cli("undo", "--yes", *extra).code == 0
        assert cli("delete", "--key", "tok", "--yes", *extra).code == 0
    sandbox.close()
    state = Path(os.environ["XDG_STATE_HOME"]) / "identity-tui" / "journal"
    text = "".join(p.read_text() for p in state.glob("*"))
    assert text.count('"operation"') == 4
    assert canary not in text and canary not in history.out and canary not in history.err


def test_record_round_trip():
    rec = Record("1", "2026-11-30T10:00:00+00:00", "s", "update", "i", "k", [], None, None, "saved")
    assert Record.from_json(json.loads(json.dumps(rec.to_json()))) == rec
    with pytest.raises(ValueError):
        Record.from_json({"id": 1})


@pytest.mark.parametrize("levels", [1, 5000], ids=["shallow", "deeper than json.dumps goes"])
def test_a_record_is_written_as_one_line_of_the_same_json_at_any_depth(tmp_path, levels):
    """A value nested deeper than the C encoder goes is written all the same, as the same text."""
    from identity_tui.core.jsontext import dumps

    value: object = {"ü": [1.5, True, None, "x\n"]}
    for _ in range(levels):
        value = {"v": value}
    journal = Journal(tmp_path, "http://x")
    rec, problem = journal.record("update", identity_id="id-1", identifier_key="k", requests=[],
                                  before={"properties": [{"key": "p", "type": "json", "value": value}]},
                                  after=None, outcome="saved")
    assert problem is None
    assert journal.path.read_text(encoding="utf-8") == dumps(rec.to_json()) + "\n"


def test_an_undo_whose_record_cannot_be_written_still_lands_and_says_so(sandbox_server, cli, monkeypatch):
    key = sandbox_server.key("undo-full")
    assert cli("ensure", "--key", key, "--name", "Before", "--type", "user").code == 0
    assert cli("set", "--key", key, "--name", "After").code == 0
    FullDisk(monkeypatch).full()
    ran = cli("undo", "--yes")
    assert ran.code == 0, ran.err
    assert sandbox_server.by_key(key)[0]["name"] == "Before"
    assert ran.err.count("identity-tui: warning: The journal could not be written (No space left on device)") == 1
