"""The commands for scripts, on the sandbox over HTTP and (marked letta) a real Letta server."""

from __future__ import annotations

import csv
import io
import json

import pytest

from identity_tui.commands import writes as commands_writes


def identity_of(ran) -> dict:
    return json.loads(ran.out)["identity"]


def props_of(identity: dict) -> dict:
    return {p["key"]: (p["type"], p["value"]) for p in identity["properties"]}


def test_ensure_twice_gives_one_identity(server, cli):
    key = server.key("ensure")
    first = cli("ensure", "--key", key, "--name", "Acme", "--type", "org", "--prop", "seats:number=10",
                "--format", "json")
    assert first.code == 0, first.err
    assert json.loads(first.out)["status"] == "created"
    second = cli("ensure", "--key", key, "--name", "Other name", "--type", "user", "--format", "json")
    assert second.code == 0 and json.loads(second.out)["status"] == "exists"
    assert identity_of(second)["name"] == "Acme"  # without --update nothing changes
    assert len(server.by_key(key)) == 1
    updated = cli("ensure", "--key", key, "--name", "Acme Inc", "--type", "org", "--prop", "tier=gold",
                  "--update", "--format", "json")
    assert updated.code == 0 and json.loads(updated.out)["status"] == "updated"
    assert props_of(identity_of(updated)) == {"seats": ("number", 10), "tier": ("string", "gold")}
    assert identity_of(updated)["name"] == "Acme Inc"


def test_set_sends_one_patch_holding_only_the_property(server, cli):
    key = server.key("set")
    made = server.create(key, seats=("number", 5), tier=("string", "gold"), active=("boolean", True))
    server.clear()
    ran = cli("set", made["id"], "--prop", "seats:number=10", "--format", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["status"] == "saved"
    assert props_of(identity_of(ran))["seats"] == ("number", 10)
    if server.sandbox is not None:
        assert server.writes() == [("PATCH", f"/v1/identities/{made['id']}",
                                    {"properties": [{"key": "seats", "value": 10, "type": "number"}]})]


def test_typed_values_are_read_as_the_form_reads_them(server, cli):
    key = server.key("types")
    made = server.create(key)
    ran = cli("set", "--key", key, "--prop", "n:number=4", "--prop", "f:number=4.0", "--prop", "b:boolean=false",
              "--prop", 'j:json={"net": 30}', "--prop", "s=007", "--prop", "a:b:string=c", "--format", "json")
    assert ran.code == 0, ran.err
    got = props_of(identity_of(ran))
    assert got == {"n": ("number", 4), "f": ("number", 4.0), "b": ("boolean", False),
                   "j": ("json", {"net": 30}), "s": ("string", "007"), "a:b": ("string", "c")}
    assert isinstance(got["n"][1], int) and isinstance(got["f"][1], float)
    assert made["id"] == identity_of(ran)["id"]


def test_unset_sends_the_put(server, cli):
    key = server.key("unset")
    made = server.create(key, seats=("number", 5), tier=("string", "gold"))
    server.clear()
    ran = cli("set", "--key", key, "--unset", "tier", "--format", "json")
    assert ran.code == 0, ran.err
    assert props_of(identity_of(ran)) == {"seats": ("number", 5)}
    if server.sandbox is not None:
        assert [(m, p) for m, p, _ in server.writes()] == [("PUT", f"/v1/identities/{made['id']}/properties")]


def test_dry_run_sends_only_reads(server, cli):
    key = server.key("dry")
    made = server.create(key, seats=("number", 5))
    server.clear()
    ran = cli("set", "--key", key, "--prop", "tier=x", "--unset", "seats", "--name", "X", "--dry-run")
    assert ran.code == 0, ran.err
    assert "PATCH" in ran.out and f"/v1/identities/{made['id']}" in ran.out
    if server.sandbox is not None:
        assert set(server.methods()) == {"GET"}
    assert server.by_key(key)[0]["name"] == "Cmd test"


def test_a_change_made_meanwhile_is_kept_and_an_overlap_exits_4(server, cli, monkeypatch):
    key = server.key("merge")
    made = server.create(key, seats=("number", 5), tier=("string", "gold"))
    meddle: list[dict] = []
    real_find = commands_writes.find

    async def find_then_meddle(client, args, project):
        found = await real_find(client, args, project)
        for body in meddle:  # someone else saves between our read and our write
            assert server.http.patch(f"/v1/identities/{made['id']}", json=body).status_code == 200
        return found

    monkeypatch.setattr(commands_writes, "find", find_then_meddle)
    meddle[:] = [{"properties": [{"key": "tier", "type": "string", "value": "platinum"}]}]
    ran = cli("set", "--key", key, "--prop", "seats:number=7", "--format", "json")
    assert ran.code == 0, ran.err
    assert props_of(identity_of(ran)) == {"seats": ("number", 7), "tier": ("string", "platinum")}

    meddle[:] = [{"properties": [{"key": "seats", "type": "number", "value": 8}]}]
    server.clear()
    clash = cli("set", "--key", key, "--prop", "seats:number=9")
    assert clash.code == 4
    assert "seats" in clash.err and "Nothing was sent" in clash.err and len(clash.err.splitlines()) == 1
    assert props_of(server.by_key(key)[0])["seats"] == ("number", 8)
    if server.sandbox is not None:
        assert [m for m, _, _ in server.writes()] == ["PATCH"]  # theirs alone


def test_exit_codes(server, cli):
    key, other = server.key("codes"), server.key("codes2")
    server.create(key)
    server.create(other)
    assert cli("get", "--key", key).code == 0
    bad = cli("set", "--key", key, "--prop", "seats:number=nan")
    assert bad.code == 2 and "seats" in bad.err
    assert cli("set", "--key", key, "--prop", 'j:json=[1]').code == 2
    assert cli("get", "--key", server.key("missing")).code == 3
    taken = cli("set", "--key", key, "--new-key", other)
    assert taken.code == 4, taken.err
    down = cli("get", "--key", key, "--base-url", "http://127.0.0.1:9", "--connect-timeout", "1")
    assert down.code == 1 and down.err.count("\n") == 1
    for ran in (bad, taken, down):
        assert "Traceback" not in ran.err and server.token not in ran.err


def test_delete_needs_yes_without_a_terminal(server, cli):
    key = server.key("del")
    made = server.create(key)
    refused = cli("delete", "--key", key)
    assert refused.code == 2 and server.by_key(key)
    done = cli("delete", made["id"], "--yes", "--format", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out) == {"status": "deleted", "identity": {
        "id": made["id"], "identifier_key": key, "name": "Cmd test"}}
    assert server.by_key(key) == []
    assert cli("delete", made["id"], "--yes").code == 3


def test_readonly_refuses_every_write_before_sending(server, cli):
    key = server.key("ro")
    server.create(key)
    server.clear()
    for argv in (("set", "--key", key, "--name", "X"), ("delete", "--key", key, "--yes"),
                 ("ensure", "--key", server.key("ro2"), "--name", "N", "--type", "user")):
        ran = cli(*argv, "--readonly")
        assert ran.code == 2 and "Read-only" in ran.err, (argv, ran)
    if server.sandbox is not None:
        assert set(server.methods()) <= {"GET"}
    assert server.by_key(key)[0]["name"] == "Cmd test"


def test_connection_flags_go_before_or_after_the_command(server, cli):
    key = server.key("where")
    server.create(key)
    for argv in (("--readonly", "set", "--key", key, "--name", "X"), ("set", "--key", key, "--name", "X", "--readonly")):
        assert cli(*argv).code == 2
    assert cli("--base-url", server.url, "get", "--key", key, "--format", "json").code == 0


def test_list_formats_and_paging(server, cli):
    keys = [server.key("list") for _ in range(3)]
    for key in keys:
        server.create(key, seats=("number", 1))
    ran = cli("list", "--name", "Cmd test", "--format", "json", "--order", "asc")
    assert ran.code == 0
    assert [i["identifier_key"] for i in json.loads(ran.out)] == keys
    lines = cli("list", "--name", "Cmd test", "--format", "jsonl", "--limit", "2").out.splitlines()
    assert [json.loads(line)["identifier_key"] for line in lines] == keys[::-1][:2]
    rows = list(csv.reader(io.StringIO(cli("list", "--key", keys[0], "--format", "csv").out)))
    assert rows[0] == ["id", "identifier_key", "name", "identity_type", "project_id", "properties"]
    assert rows[1][1] == keys[0] and json.loads(rows[1][5]) == [{"key": "seats", "value": 1, "type": "number"}]
    table = cli("list", "--name", "Cmd test", "--format", "table")
    assert "KEY" in table.out and keys[0] in table.out and "3 identities" in table.err
    assert cli("list", "--key", "nobody-has-this", "--format", "json").out == "[]\n"


def test_list_all_walks_every_page(sandbox_server, cli):
    server = sandbox_server
    from identity_tui.sandbox.seed import seed

    seed(server.sandbox, 1234)
    server.clear()
    ran = cli("list", "--all", "--format", "jsonl")
    ids = [json.loads(line)["id"] for line in ran.out.splitlines()]
    assert len(ids) == 1234 == len(set(ids))
    assert server.methods() == ["GET"] * 3  # pages of 500, 500 and a short one


def test_untrusted_text_is_printed_literally(server, cli):
    key = server.key("esc")
    made = server.create(key)
    assert server.http.patch(f"/v1/identities/{made['id']}", json={"name": "\x1b]52;c;aGk=\x07evil\u202e"}).status_code == 200
    table = cli("get", "--key", key, "--format", "table")
    assert "\x1b" not in table.out and "\\x1b" in table.out and "\u202e" not in table.out
    assert json.loads(cli("get", "--key", key, "--format", "json").out)["name"] == "\x1b]52;c;aGk=\x07evil\u202e"


def test_help_documents_the_exit_codes(cli):
    with pytest.raises(SystemExit) as done:
        cli("set", "--help")
    assert done.value.code == 0


def test_help_text_names_every_exit_code(capsys):
    from identity_tui.commands import main

    with pytest.raises(SystemExit):
        main(["list", "--help"])
    text = capsys.readouterr().out
    for line in ("0  done", "1  the server", "2  usage", "3  not found", "4  a conflict"):
        assert line in text


def test_list_where_filters_by_property_as_the_pages_come(server, cli):
    keys = [server.key("where") for _ in range(4)]
    server.create(keys[0], tier=("string", "gold"), seats=("number", 12))
    server.create(keys[1], tier=("string", "gold"), seats=("number", 3))
    server.create(keys[2], plan=("json", {"tier": "gold"}))
    server.create(keys[3])
    mine = ["--name", "Cmd test", "--format", "jsonl", "--order", "asc"]

    def listed(*where: str) -> list[str]:
        ran = cli("list", *mine, *[w for e in where for w in ("--where", e)])
        assert ran.code == 0, ran.err
        return [json.loads(line)["identifier_key"] for line in ran.out.splitlines()]

    assert listed("tier=gold") == keys[:2]
    assert listed("tier=gold", "seats>=10") == keys[:1]
    assert listed("plan.tier=gold") == keys[2:3]
    assert listed("!tier", "!plan") == keys[3:]
    assert listed("seats?") == keys[:2]
    limited = cli("list", *mine, "--where", "tier?", "--limit", "1")
    assert [json.loads(line)["identifier_key"] for line in limited.out.splitlines()] == keys[:1]
    bad = cli("list", "--where", "seats>=many")
    assert bad.code == 2 and "--where" in bad.err
