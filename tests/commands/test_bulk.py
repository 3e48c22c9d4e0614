"""export and import: round trips in both formats, a plan that only reads, idempotent applies, bad files."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.serve import ServerThread

DEEP = {"a": 1}
for _ in range(120):
    DEEP = {"n": DEEP, "k": [1, 2.5, "x"]}


def variety(prefix: str, project: str | None) -> list[dict]:
    """Every property type, unicode, deep JSON, an empty property list, ints and floats kept apart."""
    def ident(key: str, name: str, kind: str, props: list) -> dict:
        body = {"identifier_key": f"{prefix}-{key}", "name": name, "identity_type": kind, "properties": props}
        if project:
            body["project_id"] = project
        return body

    return [
        ident("plain", "Acme", "org", [{"key": "tier", "type": "string", "value": "gold"},
                                       {"key": "seats", "type": "number", "value": 10},
                                       {"key": "ratio", "type": "number", "value": 4.0},
                                       {"key": "active", "type": "boolean", "value": False},
                                       {"key": "billing", "type": "json", "value": {"net": 30, "cur": "€"}}]),
        ident("unicode", "Zoë 👨‍👩‍👧‍👦 مرحبا", "user", [{"key": "ключ", "type": "string", "value": "värde\nline2"},
                                                         {"key": "empty", "type": "string", "value": ""},
                                                         {"key": "quoted", "type": "string", "value": '"hi", she said'}]),
        ident("deep", "Deep", "other", [{"key": "tree", "type": "json", "value": DEEP}]),
        ident("none", "No properties", "user", []),
    ]


def without_ids(records: list[dict]) -> list[dict]:
    """The records with their ids left out, by key: creates run concurrently, so the server's order of
    creation (its list order) need not be the file's (``--concurrency 1`` keeps it)."""
    return sorted(({k: v for k, v in r.items() if k != "id"} for r in records), key=lambda r: r["identifier_key"])


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def csv_without_ids(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    return [rows[0][1:], *sorted(row[1:] for row in rows[1:])]


@pytest.fixture
def empty_sandbox(monkeypatch):
    """A second server, empty, over HTTP (server B of a copy)."""
    sandbox = Sandbox(password="pw-b")
    thread = ServerThread(sandbox).start()
    yield thread.base_url, sandbox
    thread.stop()
    sandbox.close()


def test_round_trip_through_jsonl_and_csv_between_two_sandboxes(sandbox_server, empty_sandbox, cli, tmp_path):
    server = sandbox_server
    for body in variety(f"rt-{uuid.uuid4().hex[:6]}", None):
        assert server.http.post("/v1/identities/", json=body).status_code == 200
    a_jsonl = cli("export", "--format", "jsonl")
    a_csv = cli("export", "--format", "csv")
    assert a_jsonl.code == 0 and a_csv.code == 0
    assert len(jsonl(a_jsonl.out)) == 4
    url_b, _ = empty_sandbox
    for fmt, text in (("jsonl", a_jsonl.out), ("csv", a_csv.out)):
        path = tmp_path / f"a.{fmt}"
        path.write_text(text, encoding="utf-8")
        b = ["--base-url", url_b, "--token", "pw-b"]
        ran = cli("import", str(path), *b, "--yes")
        assert ran.code == 0, ran.out + ran.err
        b_jsonl = cli("export", "--format", "jsonl", *b)
        b_csv = cli("export", "--format", "csv", *b)
        assert csv_without_ids(b_csv.out) == csv_without_ids(a_csv.out), fmt
        if fmt == "jsonl":
            assert without_ids(jsonl(b_jsonl.out)) == without_ids(jsonl(a_jsonl.out))
        else:  # a CSV has no order of properties within an identity: the same properties, each typed
            def as_sets(records: list[dict]) -> list[dict]:
                return [{**r, "properties": sorted(r["properties"], key=lambda p: p["key"])} for r in records]
            assert as_sets(without_ids(jsonl(b_jsonl.out))) == as_sets(without_ids(jsonl(a_jsonl.out)))
        for item in jsonl(b_jsonl.out):  # empty B again for the next format
            cli("delete", item["id"], "--yes", *b)


def test_round_trip_on_one_server_after_deleting(server, cli, tmp_path):
    """Export a project, delete it, import the file: the export after equals the export before, ids aside."""
    project = f"proj-rt-{uuid.uuid4().hex[:10]}"
    prefix = f"rt-{uuid.uuid4().hex[:6]}"
    for body in variety(prefix, project):
        assert server.http.post("/v1/identities/", json=body).status_code == 200
        server.keys.append(body["identifier_key"])
    for fmt in ("jsonl", "csv"):
        before = cli("export", "--project", project, "--format", fmt)
        assert before.code == 0
        path = tmp_path / f"backup.{fmt}"
        path.write_text(before.out, encoding="utf-8")
        for item in jsonl(cli("export", "--project", project, "--format", "jsonl").out):
            assert cli("delete", item["id"], "--yes").code == 0
        assert cli("export", "--project", project).out.strip() == ""
        ran = cli("import", str(path), "--yes")
        assert ran.code == 0, ran.out + ran.err
        after = cli("export", "--project", project, "--format", fmt)
        if fmt == "jsonl":
            assert without_ids(jsonl(after.out)) == without_ids(jsonl(before.out))
        else:
            assert csv_without_ids(after.out) == csv_without_ids(before.out)


def test_a_dry_run_only_reads_and_a_second_apply_writes_nothing(sandbox_server, cli, tmp_path):
    server = sandbox_server
    rows = [{"identifier_key": f"dry-{i}", "name": f"Dry {i}", "identity_type": "user",
             "properties": [{"key": "n", "type": "number", "value": i}]} for i in range(60)]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    server.create("dry-0", n=("number", 99))  # exists: an update
    server.clear()
    dry = cli("import", str(path), "--dry-run")
    assert dry.code == 0 and "Plan: 59 create, 1 update, 0 unchanged, 0 invalid." in dry.out
    assert set(server.methods()) == {"GET"}
    first = cli("import", str(path), "--yes", "--concurrency", "4")
    assert first.code == 0, first.out + first.err
    assert "59 created, 1 updated" in first.out
    server.clear()
    second = cli("import", str(path), "--yes")
    assert second.code == 0 and "0 create, 0 update, 60 unchanged" in second.out
    assert set(server.methods()) == {"GET"}


def test_merge_by_default_and_prune_when_asked(sandbox_server, cli, tmp_path):
    server = sandbox_server
    server.create("merge-me", keep=("string", "x"), n=("number", 1))
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"identifier_key": "merge-me", "name": "Cmd test", "identity_type": "org",
                                "properties": [{"key": "n", "type": "number", "value": 2}]}) + "\n")
    assert cli("import", str(path), "--yes").code == 0
    assert [p["key"] for p in server.by_key("merge-me")[0]["properties"]] == ["keep", "n"]
    assert cli("import", str(path), "--yes", "--prune-properties").code == 0
    assert server.by_key("merge-me")[0]["properties"] == [{"key": "n", "value": 2, "type": "number"}]


def test_bad_files_name_the_line_and_the_good_rows_are_still_planned(sandbox_server, cli, tmp_path):
    server = sandbox_server
    good = json.dumps({"identifier_key": "good", "name": "Good", "identity_type": "user", "properties": []})
    lines = [
        good.encode(),
        b'{"identifier_key": "broken", ',
        json.dumps({"identifier_key": "typed", "name": "T", "identity_type": "user",
                    "properties": [{"key": "n", "type": "number", "value": "ten"}]}).encode(),
        json.dumps({"identifier_key": "good", "name": "Again", "identity_type": "user"}).encode(),
        b'{"identifier_key": "n\x00l", "name": "x", "identity_type": "user"}',
        b'{"identifier_key": "latin", "name": "caf\xe9", "identity_type": "user"}',
        b'{"identifier_key": "huge", "name": "' + b"x" * (65 * 1024 * 1024) + b'", "identity_type": "user"}',
        json.dumps({"identifier_key": "also-good", "name": "Also", "identity_type": "org"}).encode(),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    server.clear()
    ran = cli("import", str(path), "--dry-run", "--output-format", "json")
    assert ran.code == 2
    plan = json.loads(ran.out)
    by_line = {r["line"]: r for r in plan["rows"]}
    assert plan["counts"] == {"create": 2, "update": 0, "unchanged": 0, "invalid": 6}
    assert by_line[1]["kind"] == "create" and by_line[8]["kind"] == "create"
    for line, words in ((2, "not JSON"), (3, "'n'"), (4, "line 1 already"), (5, "NUL"), (6, "UTF-8"), (7, "MB")):
        assert by_line[line]["kind"] == "invalid" and f"Line {line}" in by_line[line]["problem"], line
        assert words in by_line[line]["problem"], (line, by_line[line]["problem"])
    assert set(server.methods()) <= {"GET"}
    applied = cli("import", str(path), "--yes")
    assert applied.code == 2  # the good rows were written; the bad ones are reported
    assert server.by_key("good") and server.by_key("also-good") and not server.by_key("typed")


def test_a_csv_with_a_missing_column_or_a_bad_cell(sandbox_server, cli, tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("identifier_key,name\nk,N\n")
    ran = cli("import", str(missing), "--dry-run")
    assert ran.code == 2 and "Line 1" in ran.out and "identity_type" in ran.out
    cells = tmp_path / "cells.csv"
    cells.write_text("identifier_key,name,identity_type,prop:n:number\nok,OK,user,5\nbad,Bad,user,five\n")
    ran = cli("import", str(cells), "--dry-run")
    assert ran.code == 2 and "1 create" in ran.out and "Line 3" in ran.out


def test_copy_from_another_profile_uses_that_servers_url_and_token(sandbox_server, empty_sandbox, cli, tmp_path,
                                                                     monkeypatch):
    """staging -> here: the source is read with its own profile's token; LETTA_API_KEY stays with this server."""
    server = sandbox_server
    staging_url, staging = empty_sandbox
    for i in range(3):
        body = {"identifier_key": f"copy-{i}", "name": f"Copy {i}", "identity_type": "user", "project_id": "proj-a",
                "properties": [{"key": "i", "type": "number", "value": i}]}
        assert httpx_post(staging_url, "pw-b", body) == 200
    body = {"identifier_key": "other-project", "name": "No", "identity_type": "user", "project_id": "proj-b"}
    assert httpx_post(staging_url, "pw-b", body) == 200
    config = tmp_path / "xdg_config_home" / "identity-tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'[profiles.staging]\nbase_url = "{staging_url}"\ntoken_env = "STAGING_KEY"\n')
    monkeypatch.setenv("STAGING_KEY", "pw-b")  # staging requires its own password: a 401 would fail the copy
    staging.clear_log()
    dry = cli("import", "--from-profile", "staging", "--from-project", "proj-a", "--dry-run")
    assert dry.code == 0, dry.out + dry.err
    assert "Plan: 3 create, 0 update, 0 unchanged, 0 invalid." in dry.out
    assert cli("import", "--from-profile", "staging", "--from-project", "proj-a", "--yes").code == 0
    assert [server.by_key(f"copy-{i}")[0]["properties"] for i in range(3)] == [
        [{"key": "i", "value": i, "type": "number"}] for i in range(3)]
    assert not server.by_key("other-project")
    assert {r.method for r in staging.request_log if r.path.startswith("/v1/identities")} == {"GET"}


def httpx_post(url: str, token: str, body: dict) -> int:
    import httpx

    return httpx.post(f"{url}/v1/identities/", json=body, headers={"Authorization": f"Bearer {token}"}).status_code
