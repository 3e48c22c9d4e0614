"""``--prop`` typing, ``--unset`` beside it, and what ``ensure`` says about an identity that differs.

Run on the sandbox over HTTP and (marked letta) a real Letta server; the request log is the sandbox's.
"""

from __future__ import annotations

import json

import pytest


def identity_of(ran) -> dict:
    return json.loads(ran.out)["identity"]


def props_of(identity: dict) -> dict:
    return {p["key"]: (p["type"], p["value"]) for p in identity["properties"]}


def nothing_written(server) -> bool:
    return server.sandbox is None or server.writes() == []


# -- 1: an untyped --prop on an existing property keeps its type ---------------------------------


def test_an_untyped_prop_keeps_the_type_of_the_property_it_changes(server, cli):
    key = server.key("keep")
    server.create(key, seats=("number", 5), active=("boolean", True), plan=("json", {"a": 1}),
                  tier=("string", "gold"))
    ran = cli("set", "--key", key, "--prop", "seats=12", "--prop", "active=false", "--prop", 'plan={"b": 2}',
              "--prop", "tier=7", "--prop", "fresh=12", "--format", "json")
    assert ran.code == 0, ran.err
    got = props_of(server.by_key(key)[0])
    assert got == {"seats": ("number", 12), "active": ("boolean", False), "plan": ("json", {"b": 2}),
                   "tier": ("string", "7"), "fresh": ("string", "12")}
    assert isinstance(got["seats"][1], int)
    # and a --where on the number now finds it
    found = cli("list", "--key", key, "--where", "seats>=10", "--format", "jsonl")
    assert [json.loads(line)["identifier_key"] for line in found.out.splitlines()] == [key]


@pytest.mark.parametrize(("prop", "type_word"), [("seats=lots", "number"), ("active=yes", "boolean"),
                                                 ("plan=[1]", "json")])
def test_an_untyped_value_that_does_not_fit_the_kept_type_is_exit_2(server, cli, prop, type_word):
    key = server.key("misfit")
    server.create(key, seats=("number", 5), active=("boolean", True), plan=("json", {"a": 1}))
    server.clear()
    ran = cli("set", "--key", key, "--prop", prop)
    assert ran.code == 2
    assert type_word in ran.err and prop.split("=")[0] in ran.err
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err
    assert nothing_written(server)
    assert props_of(server.by_key(key)[0])["seats"] == ("number", 5)


def test_an_explicit_type_still_changes_the_type(server, cli):
    key = server.key("retype")
    server.create(key, seats=("number", 5))
    ran = cli("set", "--key", key, "--prop", "seats:string=lots", "--format", "json")
    assert ran.code == 0, ran.err
    assert props_of(server.by_key(key)[0]) == {"seats": ("string", "lots")}


# -- 2: type names are a closed list ---------------------------------------------------------------


@pytest.mark.parametrize("prop", ["active:bool=true", "k:int=5", "k:str=x", "k:float=1.5", "a:b=c", "k:=1"])
def test_an_unknown_type_word_is_exit_2_naming_the_types(server, cli, prop):
    key = server.key("types")
    server.create(key)
    server.clear()
    ran = cli("set", "--key", key, "--prop", prop)
    assert ran.code == 2, (ran.out, ran.err)
    for name in ("string", "number", "boolean", "json"):
        assert name in ran.err
    assert len(ran.err.strip().splitlines()) == 1
    assert nothing_written(server)
    assert server.by_key(key)[0]["properties"] == []


def test_type_names_ignore_case_and_a_key_holding_a_colon_names_its_type(server, cli):
    key = server.key("case")
    server.create(key)
    ran = cli("set", "--key", key, "--prop", "k:Number=1", "--prop", "ok:BOOLEAN=true", "--prop", "a:b:string=c",
              "--prop", "url:json={\"x\": 1}", "--prop", "t:a:b:number=2", "--format", "json")
    assert ran.code == 0, ran.err
    assert props_of(server.by_key(key)[0]) == {"k": ("number", 1), "ok": ("boolean", True), "a:b": ("string", "c"),
                                               "url": ("json", {"x": 1}), "t:a:b": ("number", 2)}


def test_ensure_refuses_an_unknown_type_before_sending(server, cli):
    key = server.key("ensuretype")
    server.clear()
    ran = cli("ensure", "--key", key, "--name", "N", "--type", "org", "--prop", "active:bool=true")
    assert ran.code == 2 and "boolean" in ran.err
    assert server.by_key(key) == []


# -- --prop and --unset of one key -----------------------------------------------------------------


def test_setting_and_removing_one_key_is_exit_2(server, cli):
    key = server.key("both")
    server.create(key, z=("number", 1))
    server.clear()
    ran = cli("set", "--key", key, "--prop", "z=1", "--unset", "z")
    assert ran.code == 2 and "both sets and removes" in ran.err and "z" in ran.err
    assert nothing_written(server)


def test_one_key_twice_in_prop_is_exit_2(server, cli):
    key = server.key("twice")
    server.create(key)
    server.clear()
    ran = cli("set", "--key", key, "--prop", "z=1", "--prop", "z:number=2")
    assert ran.code == 2 and "z" in ran.err
    assert nothing_written(server)


# -- 10: ensure says what differs; --exact -----------------------------------------------------------


def test_ensure_says_what_differs_and_still_exits_0(server, cli):
    key = server.key("differs")
    server.create(key, seats=("number", 10), tier=("string", "gold"), extra=("string", "x"))
    server.clear()
    same = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=10",
               "--prop", "tier=gold", "--format", "json")
    assert same.code == 0, same.err
    assert same.err == ""  # seats=10 is the number 10 it holds: no difference
    assert json.loads(same.out)["status"] == "exists" and json.loads(same.out)["differences"] == []
    ran = cli("ensure", "--key", key, "--name", "Other", "--type", "user", "--prop", "seats:number=11",
              "--prop", "tier=gold", "--prop", "new=1", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert body["status"] == "exists"
    assert len(ran.err.strip().splitlines()) == 1
    for word in ("name", "identity_type", "seats", "new", "--update"):
        assert word in ran.err
    assert "tier" not in ran.err and "extra" not in ran.err  # not given: --update would keep it
    fields = {d["field"] for d in body["differences"]}
    assert fields == {"name", "identity_type", "properties.seats", "properties.new"}
    name_diff = next(d for d in body["differences"] if d["field"] == "name")
    assert name_diff == {"field": "name", "server": "Cmd test", "given": "Other"}
    assert nothing_written(server)
    table = cli("ensure", "--key", key, "--name", "Other", "--type", "org", "--format", "table")
    assert table.code == 0 and "name" in table.err


def test_ensure_exact_makes_the_property_list_the_one_given(server, cli):
    key = server.key("exact")
    server.create(key, seats=("number", 10), tier=("string", "gold"), extra=("string", "x"))
    differs = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=10", "--exact")
    assert differs.code == 2 and "--update" in differs.err  # --exact only with --update
    merged = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=10", "--update",
                 "--format", "json")
    assert merged.code == 0 and set(props_of(identity_of(merged))) == {"seats", "tier", "extra"}
    exact = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=11",
                "--prop", "tier=gold", "--update", "--exact", "--format", "json")
    assert exact.code == 0, exact.err
    assert json.loads(exact.out)["status"] == "updated"
    assert props_of(server.by_key(key)[0]) == {"seats": ("number", 11), "tier": ("string", "gold")}
    again = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=11",
                "--prop", "tier=gold", "--update", "--exact", "--format", "json")
    assert again.code == 0 and json.loads(again.out)["status"] == "exists"


def test_ensure_exact_lists_the_extra_properties_as_differences(server, cli):
    key = server.key("exactdiff")
    server.create(key, seats=("number", 10), extra=("string", "x"))
    ran = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=10",
              "--exact", "--update", "--dry-run", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert {d["field"] for d in body["differences"]} == {"properties.extra"}
    assert props_of(server.by_key(key)[0]) == {"seats": ("number", 10), "extra": ("string", "x")}


# -- ensure --dry-run ------------------------------------------------------------------------------------


def test_ensure_dry_run_only_reads(server, cli):
    key = server.key("ensuredry")
    server.clear()
    ran = cli("ensure", "--key", key, "--name", "Acme", "--type", "org", "--prop", "seats:number=3", "--dry-run",
              "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert body["status"] == "would_create"
    assert body["requests"] == [{"method": "POST", "path": "/v1/identities/", "body": {
        "identifier_key": key, "name": "Acme", "identity_type": "org",
        "properties": [{"key": "seats", "value": 3, "type": "number"}]}}]
    assert server.by_key(key) == []
    if server.sandbox is not None:
        assert set(server.methods()) == {"GET"}
    text = cli("ensure", "--key", key, "--name", "Acme", "--type", "org", "--dry-run", "--format", "table")
    assert text.code == 0 and "POST /v1/identities/" in text.out
    assert server.by_key(key) == []

    server.create(key, seats=("number", 1))
    server.clear()
    upd = cli("ensure", "--key", key, "--name", "Acme", "--type", "org", "--prop", "seats=3", "--update",
              "--dry-run", "--format", "json")
    assert upd.code == 0, upd.err
    body = json.loads(upd.out)
    assert body["status"] == "would_update"
    assert [(r["method"], r["body"]) for r in body["requests"]] == [
        ("PATCH", {"name": "Acme", "properties": [{"key": "seats", "value": 3, "type": "number"}]})]
    assert nothing_written(server)
    assert props_of(server.by_key(key)[0]) == {"seats": ("number", 1)}


def test_set_dry_run_json_prints_json(server, cli):
    key = server.key("setdry")
    server.create(key, seats=("number", 1))
    server.clear()
    ran = cli("set", "--key", key, "--prop", "seats=2", "--dry-run", "--format", "json")
    assert ran.code == 0, ran.err
    body = json.loads(ran.out)
    assert body["status"] == "would_save" and body["requests"][0]["method"] == "PATCH"
    assert nothing_written(server)


def test_ensure_exact_asks_on_a_terminal_before_replacing_the_list_unless_yes(server, cli, monkeypatch):
    from identity_tui.commands import writes

    key = server.key("exactask")
    server.create(key, seats=("number", 10), extra=("string", "x"))
    monkeypatch.setattr(writes, "is_terminal", lambda stream=None: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    server.clear()
    asked = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=10", "--update",
                "--exact")
    assert asked.code == 0 and "Not sent" in asked.err
    assert nothing_written(server)

    def no_question(prompt=""):
        raise AssertionError("asked despite --yes")

    monkeypatch.setattr("builtins.input", no_question)
    sent = cli("ensure", "--key", key, "--name", "Cmd test", "--type", "org", "--prop", "seats=10", "--update",
               "--exact", "--yes", "--format", "json")
    assert sent.code == 0, sent.err
    assert json.loads(sent.out)["status"] == "updated"
    assert props_of(server.by_key(key)[0]) == {"seats": ("number", 10)}
