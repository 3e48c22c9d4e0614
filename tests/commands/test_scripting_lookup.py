"""Finding what a command acts on: keys in several projects, id shapes, several ids, and --where as the app.

On the sandbox over HTTP (the request log says what was sent) and, marked letta, a real server.
"""

from __future__ import annotations

import io
import json
import uuid

import pytest

from identity_tui.core.where import WhereError, matcher, parse
from tests.contract.helpers import AGENT_BODY

MISSING_AGENT = "agent-00000000-0000-4000-8000-000000000000"


def _in_project(server, key: str, project: str, name: str = "Cmd test") -> dict:
    body = {"identifier_key": key, "name": name, "identity_type": "org", "project_id": project, "properties": []}
    response = server.http.post("/v1/identities/", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _agent(server) -> dict:
    response = server.http.post("/v1/agents/", json={"name": f"lk-{uuid.uuid4().hex[:8]}", **AGENT_BODY})
    assert response.status_code == 200, response.text
    return response.json()


def nothing_written(server) -> bool:
    return server.sandbox is None or server.writes() == []


# -- 3: a key in two projects is ambiguous -----------------------------------------------------------


def test_a_key_in_two_projects_is_exit_2_naming_them(server, cli):
    key = server.key("twoproj")
    p1, p2 = f"proj-a-{uuid.uuid4().hex[:6]}", f"proj-b-{uuid.uuid4().hex[:6]}"
    one = _in_project(server, key, p1)
    _in_project(server, key, p2)
    agent = _agent(server)
    server.clear()
    for argv in (("get", "--key", key), ("set", "--key", key, "--name", "X"), ("delete", "--key", key, "--yes"),
                 ("link", "--key", key, "--agent", agent["id"]), ("unlink", "--key", key, "--agent", agent["id"]),
                 ("links", "--key", key), ("ensure", "--key", key, "--name", "N", "--type", "org")):
        ran = cli(*argv)
        assert ran.code == 2, (argv, ran.out, ran.err)
        assert p1 in ran.err and p2 in ran.err and "--project" in ran.err, (argv, ran.err)
        assert len(ran.err.strip().splitlines()) == 1
    assert nothing_written(server)
    assert len(server.by_key(key)) == 2
    got = cli("get", "--key", key, "--project", p1, "--format", "json")
    assert got.code == 0 and json.loads(got.out)["id"] == one["id"]
    assert "--project ''" not in cli("get", "--key", key).err  # none is outside a project
    outside = server.http.post("/v1/identities/", json={"identifier_key": key, "name": "O", "identity_type": "org"})
    assert outside.status_code == 200
    three = cli("get", "--key", key)
    assert three.code == 2 and "no project" in three.err and "--project ''" in three.err
    alone = cli("get", "--key", key, "--project", "", "--format", "json")
    assert alone.code == 0 and json.loads(alone.out)["id"] == outside.json()["id"]


def test_a_key_in_one_project_is_found_without_naming_it(server, cli):
    key = server.key("oneproj")
    p1 = f"proj-a-{uuid.uuid4().hex[:6]}"
    made = _in_project(server, key, p1)
    got = cli("get", "--key", key, "--format", "json")
    assert got.code == 0, got.err
    assert json.loads(got.out)["id"] == made["id"]
    # --project '' means no project: there is none outside a project
    assert cli("get", "--key", key, "--project", "").code == 3


def test_ensure_without_a_project_does_not_make_another_copy(server, cli):
    key = server.key("ensureproj")
    p1 = f"proj-a-{uuid.uuid4().hex[:6]}"
    _in_project(server, key, p1)
    server.clear()
    ran = cli("ensure", "--key", key, "--name", "N", "--type", "org")
    assert ran.code == 2 and p1 in ran.err and "--project" in ran.err
    assert len(server.by_key(key)) == 1 and nothing_written(server)
    there = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--project", p1, "--format", "json")
    assert there.code == 0 and json.loads(there.out)["status"] == "exists"
    outside = cli("ensure", "--key", key, "--name", "N", "--type", "org", "--project", "", "--format", "json")
    assert outside.code == 0 and json.loads(outside.out)["status"] == "created"
    assert len(server.by_key(key)) == 2


def test_one_key_flag_twice_is_exit_2(server, cli):
    a, b = server.key("ka"), server.key("kb")
    server.create(a)
    server.create(b)
    server.clear()
    for argv in (("get", "--key", a, "--key", b), ("set", "--key", a, "--key", b, "--name", "X"),
                 ("delete", "--key", a, "--key", b, "--yes"), ("links", "--key", a, "--key", b),
                 ("ensure", "--key", a, "--key", b, "--name", "N", "--type", "org")):
        ran = cli(*argv)
        assert ran.code == 2 and "--key" in ran.err, (argv, ran.err)
    assert nothing_written(server)
    assert server.by_key(a)[0]["name"] == "Cmd test" and server.by_key(b)


# -- 7: --where as the app reads it ------------------------------------------------------------------


def test_where_takes_several_separated_by_semicolons_and_spaces_around_the_operator(server, cli):
    keys = [server.key("wsemi") for _ in range(3)]
    server.create(keys[0], plan=("string", "pro"), seats=("number", 12), billing=("json", {"currency": "GBP"}))
    server.create(keys[1], plan=("string", "pro"), seats=("number", 3), billing=("json", {"currency": "GBP"}))
    server.create(keys[2], plan=("string", "free"))

    def listed(*where: str) -> list[str]:
        ran = cli("list", "--name", "Cmd test", "--format", "jsonl", "--order", "asc",
                  *[w for e in where for w in ("--where", e)])
        assert ran.code == 0, ran.err
        return [json.loads(line)["identifier_key"] for line in ran.out.splitlines() if
                json.loads(line)["identifier_key"] in keys]

    assert listed("billing.currency=GBP; seats>=10") == keys[:1]
    assert listed("plan = pro") == keys[:2]
    assert listed("plan != pro") == keys[2:]
    assert listed("seats >= 10 ; plan = pro") == keys[:1]
    assert listed('plan = "pro"') == keys[:2]
    bad = cli("list", "--where", "plan=pro; seats>=lots")
    assert bad.code == 2 and "seats" in bad.err


IDENTITY = {"properties": [{"key": "plan", "type": "string", "value": "pro"},
                           {"key": "note", "type": "string", "value": " padded "},
                           {"key": "seats", "type": "number", "value": 12}]}


@pytest.mark.parametrize(("expr", "hit"), [
    ("plan = pro", True), ("plan=pro ", True), ("plan ~ PR", True), ("plan != pro", False),
    ('note=" padded "', True), ("note=padded", False), ("seats >= 10", True), ("seats = 12", True),
    ("plan=pro; seats>=10", True), ("plan=pro;seats>=20", False), ("plan=pro;", True),
])
def test_where_spaces_and_semicolons(expr, hit):
    assert matcher([expr])(IDENTITY) is hit


def test_where_a_quoted_value_is_literal():
    assert parse('plan="a \\" b"').operand == 'a " b'
    with pytest.raises(WhereError):
        matcher(["plan=pro; seats>=many"])
    with pytest.raises(WhereError):
        matcher([" ; "])


# -- 9: ids of the wrong shape never reach the server ------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("get", "identity-00000000-0000-0000-0000-000000000000"),
    ("get", "identity-0000"),
    ("get", "IDENTITY-00000000-0000-4000-8000-000000000000"),
    ("set", "identity-00000000-0000-0000-0000-000000000000", "--name", "X"),
    ("delete", "identity-00000000-0000-0000-0000-000000000000", "--yes"),
    ("links", "identity-00000000-0000-0000-0000-000000000000"),
])
def test_a_malformed_identity_id_is_exit_2_and_nothing_is_sent(sandbox_server, cli, argv):
    sandbox_server.clear()
    ran = cli(*argv)
    assert ran.code == 2, (ran.out, ran.err)
    assert "identity-" in ran.err and len(ran.err.strip().splitlines()) == 1
    assert sandbox_server.methods() == []


@pytest.mark.parametrize(("flag", "value", "word"), [
    ("--agent", "notanid", "agent"), ("--agent", "agent-00000000-0000-0000-0000-000000000000", "agent"),
    ("--block", "block-xyz", "block"), ("--block", MISSING_AGENT, "block"),
])
def test_a_malformed_agent_or_block_id_is_exit_2_and_nothing_is_sent(sandbox_server, cli, flag, value, word):
    server = sandbox_server
    key = server.key("badtarget")
    made = server.create(key)
    for command in ("link", "unlink"):
        server.clear()
        ran = cli(command, made["id"], flag, value)
        assert ran.code == 2, (ran.out, ran.err)
        assert word in ran.err and len(ran.err.strip().splitlines()) == 1
        assert server.methods() == []


def test_linking_a_missing_agent_names_the_agent(server, cli):
    key = server.key("missingagent")
    server.create(key)
    ran = cli("link", "--key", key, "--agent", MISSING_AGENT)
    assert ran.code == 3
    assert "agent" in ran.err.lower() and MISSING_AGENT in ran.err and "identity no longer" not in ran.err
    missing_block = MISSING_AGENT.replace("agent-", "block-")
    blk = cli("unlink", "--key", key, "--block", missing_block)
    assert blk.code == 3 and "block" in blk.err and missing_block in blk.err


# -- delete: several ids, stdin, --ignore-not-found, --dry-run ---------------------------------------


def test_delete_takes_several_ids(server, cli):
    made = [server.create(server.key("many")) for _ in range(3)]
    ran = cli("delete", made[0]["id"], made[1]["id"], "--yes", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert [(b["status"], b["identity"]["id"]) for b in body] == [("deleted", made[0]["id"]),
                                                                   ("deleted", made[1]["id"])]
    assert server.by_key(made[0]["identifier_key"]) == [] and server.by_key(made[1]["identifier_key"]) == []
    assert server.by_key(made[2]["identifier_key"])


def test_delete_reads_ids_from_stdin(server, cli, monkeypatch):
    made = [server.create(server.key("stdin")) for _ in range(2)]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{made[0]['id']}\n\n  {made[1]['id']}  \n"))
    ran = cli("delete", "-", "--yes", "--format", "table")
    assert ran.code == 0, ran.err
    assert ran.out.count("deleted:") == 2
    assert all(server.by_key(m["identifier_key"]) == [] for m in made)


def test_delete_of_several_checks_them_all_before_deleting_any(server, cli):
    kept = server.create(server.key("allfirst"))
    gone = "identity-00000000-0000-4000-8000-000000000000"
    server.clear()
    ran = cli("delete", kept["id"], gone, "--yes")
    assert ran.code == 3 and gone in ran.err
    assert nothing_written(server) and server.by_key(kept["identifier_key"])
    malformed = cli("delete", kept["id"], "identity-nope", "--yes")
    assert malformed.code == 2 and nothing_written(server)
    both = cli("delete", kept["id"], "--key", kept["identifier_key"], "--yes")
    assert both.code == 2


def test_delete_ignore_not_found(server, cli):
    gone = "identity-00000000-0000-4000-8000-000000000000"
    assert cli("delete", gone, "--yes").code == 3
    ran = cli("delete", gone, "--yes", "--ignore-not-found", "--format", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["status"] == "not_found"
    by_key = cli("delete", "--key", server.key("never"), "--yes", "--ignore-not-found")
    assert by_key.code == 0, by_key.err
    made = server.create(server.key("ign"))
    some = cli("delete", made["id"], gone, "--yes", "--ignore-not-found", "--format", "json")
    assert some.code == 0 and [b["status"] for b in json.loads(some.out)] == ["deleted", "not_found"]


def test_delete_dry_run_only_reads(server, cli):
    made = server.create(server.key("deldry"))
    server.clear()
    ran = cli("delete", made["id"], "--dry-run", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert body["status"] == "would_delete"
    assert body["requests"] == [{"method": "DELETE", "path": f"/v1/identities/{made['id']}", "body": None}]
    text = cli("delete", "--key", made["identifier_key"], "--dry-run", "--format", "table")
    assert text.code == 0 and f"DELETE /v1/identities/{made['id']}" in text.out
    assert server.by_key(made["identifier_key"]) and nothing_written(server)
    if server.sandbox is not None:
        assert set(server.methods()) == {"GET"}


# -- link / unlink --dry-run ---------------------------------------------------------------------------


def test_link_and_unlink_dry_run_only_read(server, cli):
    key = server.key("linkdry")
    made = server.create(key)
    agent = _agent(server)
    server.clear()
    ran = cli("link", "--key", key, "--agent", agent["id"], "--dry-run", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert body["status"] == "would_link"
    assert body["requests"] == [{"method": "PATCH", "body": None,
                                 "path": f"/v1/agents/{agent['id']}/identities/attach/{made['id']}"}]
    assert server.http.get(f"/v1/identities/{made['id']}/agents").json() == []
    text = cli("link", "--key", key, "--agent", agent["id"], "--dry-run", "--format", "table")
    assert text.code == 0 and "PATCH /v1/agents/" in text.out
    none = cli("unlink", "--key", key, "--agent", agent["id"], "--dry-run", "--format", "json")
    assert none.code == 0 and json.loads(none.out)["status"] == "already_unlinked"
    assert json.loads(none.out)["requests"] == []
    assert nothing_written(server)
    missing = cli("link", "--key", key, "--agent", MISSING_AGENT, "--dry-run")
    assert missing.code == 3 and MISSING_AGENT in missing.err
    assert cli("link", "--key", key, "--agent", agent["id"]).code == 0
    server.clear()
    undo = cli("unlink", "--key", key, "--agent", agent["id"], "--dry-run", "--format", "json")
    assert undo.code == 0 and json.loads(undo.out)["status"] == "would_unlink"
    assert nothing_written(server)
    assert [a["id"] for a in server.http.get(f"/v1/identities/{made['id']}/agents").json()] == [agent["id"]]


def test_ids_from_stdin_need_yes_for_stdin_cannot_also_confirm(server, cli, monkeypatch):
    made = server.create(server.key("stdinyes"))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{made['id']}\n"))
    server.clear()
    ran = cli("delete", "-")
    assert ran.code == 2 and "--yes" in ran.err
    if server.sandbox is not None:
        assert server.methods() == []  # refused before a read
    assert server.by_key(made["identifier_key"])


def test_several_on_a_terminal_are_confirmed_by_typing_their_count(server, cli, monkeypatch):
    from identity_tui.commands import writes

    made = [server.create(server.key("count")) for _ in range(2)]
    monkeypatch.setattr(writes, "is_terminal", lambda stream=None: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "3")
    wrong = cli("delete", made[0]["id"], made[1]["id"], "--format", "json")
    assert wrong.code == 2 and all(server.by_key(m["identifier_key"]) for m in made)
    monkeypatch.setattr("builtins.input", lambda prompt="": "2")
    right = cli("delete", made[0]["id"], made[1]["id"], "--format", "json")
    assert right.code == 0, right.err
    assert [b["status"] for b in json.loads(right.out)] == ["deleted", "deleted"]
    assert not any(server.by_key(m["identifier_key"]) for m in made)
