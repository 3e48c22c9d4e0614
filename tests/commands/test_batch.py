"""``set --where`` and ``delete --where``: a plan, --dry-run, --yes; each write journaled under one batch id, and
``undo`` putting the whole batch back as one. Run in-process on the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import signal
import uuid

import httpx
import pytest

from identity_tui.commands import batch as batch_cmd
from identity_tui.core import connect
from tests.support.faults import FaultyTransport
from tests.support.journal_files import folded


def props(identity: dict) -> dict:
    return {p["key"]: p["value"] for p in identity.get("properties", [])}


@pytest.fixture
def tagged(sandbox_server):
    """Three identities only these tests' --where matches: seats 1, 2, 3; the last one reviewed already."""
    tag = f"t{uuid.uuid4().hex[:10]}"
    made = []
    for n in (1, 2, 3):
        extra = {"reviewed": ("boolean", True)} if n == 3 else {}
        made.append(sandbox_server.create(sandbox_server.key(f"b{n}"), tag=("string", tag), seats=("number", n),
                                          **extra))
    sandbox_server.clear()
    return tag, made


def now(server, made: list[dict]) -> list[dict]:
    return [server.http.get(f"/v1/identities/{m['id']}").json() for m in made]


def faulty_backend(monkeypatch, fault: str, match) -> list[FaultyTransport]:
    """Every command's client goes through a FaultyTransport armed with ``fault`` for the ``match``ing requests."""
    made: list[FaultyTransport] = []
    real = connect.open_backend

    def open_backend(conn, **kwargs):
        faulty = FaultyTransport(httpx.AsyncHTTPTransport(), fault=fault, match=match)
        made.append(faulty)
        return real(conn, transport=faulty, **kwargs)

    monkeypatch.setattr(connect, "open_backend", open_backend)
    return made


def test_the_plan_as_text_says_how_many_match_and_change_and_a_line_each(sandbox_server, cli, tagged):
    tag, made = tagged
    ran = cli("set", "--where", f"tag={tag}", "--prop", "reviewed:boolean=true", "--dry-run", "--format", "table")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0] == "set --where: 3 identities match, 2 would change, 1 unchanged."
    for m, want in zip(made, ("+ reviewed = true", "+ reviewed = true", "unchanged")):
        line = next(x for x in lines if m["identifier_key"] in x)
        assert "(no project)" in line and line.endswith(want)
    assert sandbox_server.writes() == []


def test_the_plan_as_json_has_a_stable_shape_and_a_dry_run_sends_nothing(sandbox_server, cli, tagged):
    tag, made = tagged
    ran = cli("set", "--where", f"tag={tag}", "--where", "seats>=2", "--prop", "seats:number=10", "--dry-run",
              "--format", "json")
    assert ran.code == 0, ran.err
    plan = json.loads(ran.out)
    assert set(plan) == {"command", "status", "batch", "matched", "would_change", "unchanged", "invalid", "results",
                         "identities"}
    assert (plan["command"], plan["status"], plan["batch"], plan["matched"], plan["would_change"]) == \
        ("set", "dry_run", None, 2, 2)
    assert [i["identifier_key"] for i in plan["identities"]] == [m["identifier_key"] for m in made[1:]]
    first = plan["identities"][0]
    assert set(first) == {"id", "identifier_key", "project_id", "plan", "changes", "problem", "requests", "result",
                          "message"}
    assert first["plan"] == "change" and first["changes"] == ["~ seats: 2 -> 10"]
    assert first["requests"] == [{"method": "PATCH", "path": f"/v1/identities/{made[1]['id']}",
                                  "body": {"properties": [{"key": "seats", "value": 10, "type": "number"}]}}]
    assert sandbox_server.writes() == [] and set(sandbox_server.methods()) == {"GET"}
    assert [props(i)["seats"] for i in now(sandbox_server, made)] == [1, 2, 3]


def test_without_a_terminal_it_refuses_and_sends_nothing(sandbox_server, cli, tagged):
    tag, made = tagged
    ran = cli("set", "--where", f"tag={tag}", "--prop", "x=1", "--format", "table")
    assert ran.code == 2
    assert ran.err.count("\n") == 1 and "--yes" in ran.err and "Nothing was sent" in ran.err
    assert sandbox_server.writes() == []
    removed = cli("delete", "--where", f"tag={tag}")
    assert removed.code == 2 and "--yes" in removed.err and sandbox_server.writes() == []


def test_yes_applies_to_all_each_journaled_under_one_batch(sandbox_server, cli, tagged):
    tag, made = tagged
    ran = cli("set", "--where", f"tag={tag}", "--prop", "seats:number=9", "--name", "Renamed", "--yes",
              "--format", "table")
    assert ran.code == 0, ran.err
    assert "3 landed, 0 failed, 0 conflicted, 0 unchanged" in ran.out
    assert [(i["name"], props(i)["seats"]) for i in now(sandbox_server, made)] == [("Renamed", 9)] * 3
    records = [r for r in folded() if r["identity_id"] in {m["id"] for m in made}]
    assert len(records) == 3 and {r["status"] for r in records} == {"landed"}
    batches = {r["batch"] for r in records}
    assert len(batches) == 1 and None not in batches
    history = cli("history", "--format", "table").out
    assert history.count(f"batch {next(iter(batches))[:8]}") == 3


def test_unchanged_ones_are_counted_and_the_json_holds_the_results(sandbox_server, cli, tagged):
    tag, made = tagged
    ran = cli("set", "--where", f"tag={tag}", "--prop", "reviewed:boolean=true", "--yes", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert body["status"] == "done" and body["batch"]
    assert body["results"] == {"landed": 2, "failed": 0, "conflicted": 0, "unchanged": 0, "gone": 0}
    assert [i["result"] for i in body["identities"]] == ["landed", "landed", None]
    assert len(sandbox_server.writes()) == 2


def test_one_failing_does_not_stop_the_others(sandbox_server, cli, tagged, monkeypatch):
    tag, made = tagged
    broken = made[1]["id"]
    faulty_backend(monkeypatch, "500", lambda r: r.method == "PATCH" and r.url.path.endswith(broken))
    ran = cli("set", "--where", f"tag={tag}", "--prop", "seats:number=50", "--yes", "--format", "table")
    assert ran.code == 1
    assert "2 landed, 1 failed, 0 conflicted, 0 unchanged" in ran.out
    assert made[1]["identifier_key"] in ran.out.split("unchanged.", 1)[1]
    assert [props(i)["seats"] for i in now(sandbox_server, made)] == [50, 2, 50]


def test_a_change_made_meanwhile_on_one_is_a_conflict_and_the_others_land(sandbox_server, cli, tagged, monkeypatch):
    tag, made = tagged
    real = batch_cmd.plan_items

    async def plan_then_someone_saves(client, args, kind):
        items = await real(client, args, kind)
        response = sandbox_server.http.patch(f"/v1/identities/{made[0]['id']}", json={
            "properties": [{"key": "seats", "type": "number", "value": 77}]})
        assert response.status_code == 200
        return items

    monkeypatch.setattr(batch_cmd, "plan_items", plan_then_someone_saves)
    ran = cli("set", "--where", f"tag={tag}", "--prop", "seats:number=5", "--yes", "--format", "table")
    assert ran.code == 4, ran.err
    assert "2 landed, 0 failed, 1 conflicted" in ran.out and made[0]["identifier_key"] in ran.out
    assert [props(i)["seats"] for i in now(sandbox_server, made)] == [77, 5, 5]


def test_undo_puts_the_whole_batch_back_and_a_second_undo_steps_further_back(sandbox_server, cli, tagged):
    tag, made = tagged
    before = now(sandbox_server, made)
    assert cli("set", "--where", f"tag={tag}", "--prop", "seats:number=20", "--yes").code == 0
    middle = now(sandbox_server, made)
    assert cli("set", "--where", f"tag={tag}", "--prop", "seats:number=30", "--unset", "reviewed", "--yes").code == 0
    shown = cli("undo", "--dry-run", "--format", "json")
    assert shown.code == 0, shown.err
    plan = json.loads(shown.out)
    assert plan["status"] == "dry_run" and plan["counts"]["undo"] == 3
    assert sorted(w["identifier_key"] for w in plan["writes"]) == sorted(m["identifier_key"] for m in made)
    assert cli("undo").code == 2  # no terminal, no --yes
    undone = cli("undo", "--yes", "--format", "table")
    assert undone.code == 0, undone.err
    assert "3 undone" in undone.out
    assert [props(i) for i in now(sandbox_server, made)] == [props(i) for i in middle]
    again = cli("undo", "--yes", "--format", "table")  # the batch before: never a redo of the one just undone
    assert again.code == 0, again.err
    assert [props(i) for i in now(sandbox_server, made)] == [props(i) for i in before]
    undo_batches = {r["batch"] for r in folded() if r["undoes"]}
    assert len(undo_batches) == 2 and None not in undo_batches
    assert cli("undo", "--yes").code == 3  # nothing older of this tool's is left


def test_undo_keeps_and_names_one_changed_since_and_undoes_the_rest(sandbox_server, cli, tagged):
    tag, made = tagged
    assert cli("set", "--where", f"tag={tag}", "--prop", "seats:number=20", "--yes").code == 0
    sandbox_server.http.patch(f"/v1/identities/{made[2]['id']}", json={
        "properties": [{"key": "seats", "type": "number", "value": 99}]})
    ran = cli("undo", "--yes", "--format", "table")
    assert ran.code == 4
    kept = [line for line in ran.out.splitlines() if made[2]["identifier_key"] in line]
    assert kept and "kept" in kept[0] and "seats" in kept[0]
    assert [props(i)["seats"] for i in now(sandbox_server, made)] == [1, 2, 99]


def test_delete_where_and_its_undo_recreating_them(sandbox_server, cli, tagged):
    tag, made = tagged
    dry = cli("delete", "--where", f"tag={tag}", "--where", "seats<=2", "--dry-run", "--format", "json")
    assert dry.code == 0 and json.loads(dry.out)["would_change"] == 2 and sandbox_server.writes() == []
    assert sorted(r["requests"][0]["path"] for r in json.loads(dry.out)["identities"]) == sorted(
        f"/v1/identities/{m['id']}" for m in made[:2])  # the DELETE each would send
    assert {r["requests"][0]["method"] for r in json.loads(dry.out)["identities"]} == {"DELETE"}
    plan = cli("delete", "--where", f"tag={tag}", "--where", "seats<=2", "--format", "table", "--yes")
    assert plan.code == 0, plan.err
    assert plan.out.splitlines()[0] == "delete --where: 2 identities match, 2 would be deleted."
    assert "2 landed" in plan.out
    assert [bool(sandbox_server.by_key(m["identifier_key"])) for m in made] == [False, False, True]
    records = [r for r in folded() if r["operation"] == "delete"]
    assert len(records) == 2 and len({r["batch"] for r in records}) == 1 and records[0]["batch"]
    undone = cli("undo", "--yes", "--format", "table")
    assert undone.code == 0, undone.err
    for m in made[:2]:
        [back] = sandbox_server.by_key(m["identifier_key"])
        assert back["id"] != m["id"] and props(back) == props(m) and back["name"] == m["name"]


def test_where_with_an_id_or_a_new_key_is_a_usage_error(sandbox_server, cli, tagged):
    tag, made = tagged
    assert cli("set", made[0]["id"], "--where", f"tag={tag}", "--prop", "a=1").code == 2
    assert cli("set", "--where", f"tag={tag}", "--new-key", "x").code == 2
    assert cli("set", "--where", "seats>=x", "--prop", "a=1").code == 2
    assert sandbox_server.writes() == [] and sandbox_server.methods() == []


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_batch_ends_the_writes_in_flight_as_unknown_and_starts_no_more(sandbox_server, cli, monkeypatch,
                                                                                   number):
    tag = f"t{uuid.uuid4().hex[:10]}"
    made = [sandbox_server.create(sandbox_server.key(f"s{n}"), tag=("string", tag)) for n in range(8)]
    first = made[0]["id"]

    def signal_then_hang(request: httpx.Request) -> bool:
        if request.method == "PATCH" and request.url.path.endswith(first):
            assert signal.getsignal(number) not in (signal.SIG_DFL, None)
            os.kill(os.getpid(), number)
            return True
        return False

    faulty_backend(monkeypatch, "hang", signal_then_hang)
    ran = cli("set", "--where", f"tag={tag}", "--prop", "x=1", "--yes", "--format", "table")
    assert ran.code == 128 + number, ran.err
    said = [line for line in ran.err.splitlines() if not line.startswith("identity-tui sandbox:")]  # the server's log
    assert len(said) == 1 and "nothing more was sent" in said[0]
    records = {r["identity_id"]: r for r in folded()}
    assert records[first]["status"] == "unknown"
    assert all(r["status"] != "pending" for r in records.values())
    written = [m for m in made if "x" in props(sandbox_server.http.get(f"/v1/identities/{m['id']}").json())]
    assert len(written) < 8 and not any(m["id"] in records and records[m["id"]]["status"] == "pending" for m in made)
    assert len([m for m in made if m["id"] in records]) <= 4  # four in flight at most: the rest never started


def test_the_readme_examples_run_as_written(sandbox_server, cli):
    import re
    import shlex
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    part = text.split("### Changing many at once", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", part, re.S).group(1)
    commands = [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("identity-tui ")]
    assert len(commands) == 4
    gold = sandbox_server.key("gold")
    body = {"identifier_key": gold, "name": "Gold", "identity_type": "org", "project_id": "proj-support",
            "properties": [{"key": "tier", "type": "string", "value": "gold"},
                           {"key": "seats", "type": "number", "value": 3}]}
    assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    gone = sandbox_server.key("gone")
    sandbox_server.create(gone, offboarded=("boolean", True))
    seats = []
    for argv in commands:
        ran = cli(*argv)
        assert ran.code == 0, (argv, ran.err)
        seats.append(props(sandbox_server.by_key(gold)[0])["seats"])
    assert seats == [3, 12, 3, 3] and sandbox_server.by_key(gone) == []


def test_one_match_the_change_does_not_fit_refuses_the_whole_batch_and_sends_nothing(sandbox_server, cli, tagged):
    tag, made = tagged
    sandbox_server.create(sandbox_server.key("noseats"), tag=("string", tag))  # no seats: "lots" would be a string
    sandbox_server.clear()
    ran = cli("set", "--where", f"tag={tag}", "--prop", "seats=lots", "--yes", "--format", "table")
    assert ran.code == 2
    assert "3 invalid" in ran.out.splitlines()[0]
    assert ran.err.count("\n") == 1 and "Nothing was sent" in ran.err and made[0]["identifier_key"] in ran.err
    assert sandbox_server.writes() == []


@pytest.mark.parametrize("answer", ["y", "n"])
def test_on_a_terminal_it_asks_once_after_the_plan(sandbox_server, cli, tagged, monkeypatch, answer):
    tag, made = tagged
    asked: list[str] = []
    monkeypatch.setattr(batch_cmd, "is_terminal", lambda stream=None: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": (asked.append(prompt), answer)[1])
    ran = cli("set", "--where", f"tag={tag}", "--prop", "seats:number=40", "--format", "table")
    assert ran.code == 0, ran.err
    assert asked == ["Send? [y/N] "]
    assert "3 identities match" in ran.out.splitlines()[0]
    sent = [props(i)["seats"] for i in now(sandbox_server, made)]
    assert sent == ([40] * 3 if answer == "y" else [1, 2, 3])
    assert ("Not sent." in ran.err) == (answer == "n")


def test_undo_of_a_batch_whose_every_write_was_changed_since_sends_nothing_and_says_so(sandbox_server, cli, tagged):
    tag, made = tagged
    assert cli("set", "--where", f"tag={tag}", "--where", "seats<=1", "--prop", "seats:number=20", "--yes").code == 0
    sandbox_server.http.patch(f"/v1/identities/{made[0]['id']}", json={
        "properties": [{"key": "seats", "type": "number", "value": 99}]})
    sandbox_server.clear()
    ran = cli("undo", "--yes", "--format", "table")
    assert ran.code == 4
    assert ran.err.count("\n") == 1 and "Cannot undo batch" in ran.err and "nothing was sent" in ran.err
    assert sandbox_server.writes() == [] and props(now(sandbox_server, made)[0])["seats"] == 99


def test_undo_of_a_batch_as_json_gives_each_write_the_single_undos_shape(sandbox_server, cli, tagged):
    tag, made = tagged
    assert cli("set", "--where", f"tag={tag}", "--prop", "seats:number=20", "--yes").code == 0
    ran = cli("undo", "--yes", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert set(body) == {"status", "undo_batch", "batch", "counts", "not_landed", "writes"}
    assert body["status"] == "done" and body["batch"] and body["batch"] != body["undo_batch"]
    single = {"status", "record", "operation", "identifier_key", "identity_id", "would", "requests", "note"}
    for write in body["writes"]:
        assert set(write) == single | {"project_id", "plan", "problem", "result", "message"}
        assert (write["status"], write["plan"], write["result"]) == ("restored", "undo", "undone")
    assert sorted(w["identity_id"] for w in body["writes"]) == sorted(m["id"] for m in made)


def test_a_batch_undo_whose_records_cannot_be_written_still_lands_and_warns_for_each(sandbox_server, cli, tagged,
                                                                                       monkeypatch):
    from tests.support.full_disk import FullDisk

    tag, made = tagged
    before = now(sandbox_server, made)
    assert cli("set", "--where", f"tag={tag}", "--prop", "seats:number=20", "--yes").code == 0
    FullDisk(monkeypatch).full()
    undone = cli("undo", "--yes", "--format", "table")
    assert undone.code == 0, undone.err
    assert "3 undone" in undone.out
    assert [props(i) for i in now(sandbox_server, made)] == [props(i) for i in before]
    assert undone.err.count("identity-tui: warning: The journal could not be written (No space left on device)") == 3
