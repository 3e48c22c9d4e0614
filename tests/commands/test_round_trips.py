"""Whatever the server accepts goes through export and import exactly, in every format; a number a float
cannot hold is named on its row, never changed without a word (issue 24)."""

from __future__ import annotations

import json

import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.serve import ServerThread

FORMATS = ("jsonl", "json", "csv")


@pytest.fixture
def other_server():
    """A second server, empty, over HTTP: where the export is imported."""
    sandbox = Sandbox(password="pw-b")
    thread = ServerThread(sandbox).start()
    yield ["--base-url", thread.base_url, "--token", "pw-b"]
    thread.stop()
    sandbox.close()


def records(text: str) -> list[dict]:
    """An export as JSON lines, ids left out, each identity's properties by key and type, by key."""
    out = []
    for line in text.splitlines():
        item = json.loads(line)
        item.pop("id")
        item["properties"] = sorted(item["properties"], key=lambda p: (p["key"], p["type"]))
        out.append(item)
    return sorted(out, key=lambda i: i["identifier_key"])


ODD = [
    ("big", "Big", [{"key": "blob", "type": "string", "value": "x" * 1_150_000},
                    {"key": "doc", "type": "json", "value": {"text": "é" * 600_000}}]),
    ("200kb", "Long value", [{"key": "v", "type": "string", "value": "v" * 200_000}]),
    ("keys", "Odd keys", [{"key": "a\x00b", "type": "string", "value": "nul\x00inside"},
                          {"key": '"quoted"', "type": "number", "value": 1.5},
                          {"key": "a:b:string", "type": "boolean", "value": True},
                          {"key": "prop:x:json", "type": "json", "value": {"": {"\x00": [None, 1e-300]}}},
                          {"key": "\x1b[2J", "type": "string", "value": "\u202e\u2028"}]),
    ("blank", "Blank keys", [{"key": "", "type": "string", "value": "x"},
                             {"key": "  ", "type": "number", "value": 2}]),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_the_server_holds_goes_through_export_and_import_exactly(sandbox_server, other_server, cli, tmp_path,
                                                                      fmt):
    for key, name, props in ODD:
        body = {"identifier_key": f"odd-{key}", "name": name, "identity_type": "user", "properties": props}
        assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    before = cli("export", "--format", "jsonl")
    path = tmp_path / f"odd.{fmt}"
    exported = cli("export", "-o", str(path))
    assert exported.code == 0, exported.err
    ran = cli("import", str(path), "--yes", *other_server)
    assert ran.code == 0, (ran.out + ran.err)[:2000]
    after = cli("export", "--format", "jsonl", *other_server)
    assert records(after.out) == records(before.out)


def test_a_blank_property_key_in_a_csv_updates_an_identity_exactly(sandbox_server, cli, tmp_path):
    """The server stores a property key "" (the form refuses one typed, not one it holds): a CSV that gives an
    existing identity a blank key brings exactly that, and only that, to the server."""
    body = {"identifier_key": "blank-later", "name": "N", "identity_type": "user",
            "properties": [{"key": "k", "type": "string", "value": "y"}]}
    assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    path = tmp_path / "keys.csv"
    path.write_text('identifier_key,name,identity_type,prop:k:string,"prop:"""":string"\r\n'
                    "blank-later,N,user,y,x\r\n")
    ran = cli("import", str(path), "--yes")
    assert ran.code == 0, ran.err
    (held,) = sandbox_server.by_key("blank-later")
    assert held["properties"] == [{"key": "k", "type": "string", "value": "y"},
                                  {"key": "", "type": "string", "value": "x"}]


LOSSY = {"1.0000000000000001": "1.0", "0.1e-400": "0.0", "1e400": "too large"}


def lossy_rows(fmt: str) -> str:
    """Three rows whose number a float cannot hold, between two plain ones."""
    keys = ["plain-a", *(f"lossy-{i}" for i in range(len(LOSSY))), "plain-b"]
    numbers = ["2.5", *LOSSY, "-0.0"]
    if fmt == "csv":
        return "identifier_key,name,identity_type,prop:n:number\n" + "".join(
            f"{k},N,user,{n}\n" for k, n in zip(keys, numbers))
    lines = [f'{{"identifier_key": "{k}", "name": "N", "identity_type": "user", '
             f'"properties": [{{"key": "n", "type": "json", "value": {{"deep": [{n}]}}}}]}}' for k, n in zip(keys, numbers)]
    return "\n".join(lines) + "\n" if fmt == "jsonl" else "[\n" + ",\n".join(lines) + "\n]\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_number_a_float_cannot_hold_is_named_on_its_row(sandbox_server, cli, tmp_path, fmt):
    path = tmp_path / f"lossy.{fmt}"
    path.write_text(lossy_rows(fmt))
    ran = cli("import", str(path), "--dry-run", "--output-format", "json")
    assert ran.code == 2, ran.err
    plan = json.loads(ran.out)
    assert plan["counts"] == {"create": 2, "update": 0, "unchanged": 0, "invalid": 3}
    problems = {r["line"]: r["problem"] for r in plan["rows"] if r["kind"] == "invalid"}
    first = 2 if fmt != "jsonl" else 1
    for i, (text, words) in enumerate(LOSSY.items()):
        line = first + 1 + i
        assert f"Line {line}" in problems[line] and text in problems[line] and words in problems[line], problems


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_hostile_text_goes_through_as_a_name_a_key_and_a_value(sandbox_server, other_server, cli, tmp_path,
                                                                      fmt):
    """tests/support/hostile.py's texts: controls, escapes, markup, right-to-left, numbers as text, JSON as
    text, 1 MB: each as a string value and as a property key, and as a name where the server takes one."""
    from tests.support.hostile import TEXTS

    for i, (label, text) in enumerate(TEXTS.items()):
        named = text.strip() and "\x00" not in text
        body = {"identifier_key": f"t{i}-{label}", "name": text if named else f"text {label}", "identity_type": "user",
                "properties": [{"key": "value", "type": "string", "value": text}]
                + ([{"key": text, "type": "string", "value": label}] if text.strip() else [])}
        assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200, label
    before = cli("export", "--format", "jsonl")
    path = tmp_path / f"texts.{fmt}"
    assert cli("export", "-o", str(path)).code == 0
    ran = cli("import", str(path), "--yes", *other_server)
    assert ran.code == 0, (ran.out + ran.err)[:2000]
    after = cli("export", "--format", "jsonl", *other_server)
    assert records(after.out) == records(before.out)
