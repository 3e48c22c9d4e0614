"""Every command against a hostile server: whatever it answers, the command ends with an exit status and, on a
failure, one sentence on stderr; never a traceback, and nothing that would drive a terminal (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_tui.core.display import UNSAFE
from tests.support.hostile_server import ANSWERS, HostileServer

ID = "identity-00000000-0000-4000-8000-000000000000"


KNOWN: dict[str, str] = {}  # answers known to end in a traceback still, each with where it comes from

COMMANDS = [
    ["list"], ["list", "--format", "table"], ["list", "--format", "csv"], ["list", "--where", "a=1"],
    ["get", ID], ["get", ID, "--format", "table"], ["get", "--key", "k"],
    ["export"], ["export", "--format", "csv"], ["export", "-o", "{tmp}/out.json"],
    ["links", ID], ["ensure", "--key", "k", "--name", "n", "--type", "user"],
    ["set", ID, "--name", "x", "--yes"], ["delete", ID, "--yes"],
    ["link", ID, "--agent", "agent-00000000-0000-4000-8000-000000000000"],
    ["unlink", ID, "--block", "block-00000000-0000-4000-8000-000000000000"],
    ["get", ID, ID], ["export", "--where", "a=1"], ["set", "--where", "a?", "--prop", "x=1", "--yes"],
    ["delete", "--where", "a?", "--yes"], ["ensure", "--key", "k", "--name", "n", "--type", "user", "--dry-run"],
    ["history"], ["undo", "--yes"], ["undo", "--dry-run"],
]


def raw_unsafe(text: str) -> set[str]:
    return {m.group() for line in text.split("\n") for m in UNSAFE.finditer(line)}


@pytest.mark.parametrize("answer", [
    pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN[name], strict=False)) if name in KNOWN else name
    for name in ANSWERS])
def test_every_command_ends_in_a_status_and_at_most_one_sentence(cli, tmp_path, answer):
    with HostileServer() as server:
        server.answer("*", "/v1/*", ANSWERS[answer])
        for argv in COMMANDS:
            argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
            ran = cli(*argv, *server.args())  # a traceback raises here
            assert ran.code in (0, 1, 2, 3, 4), (argv, ran.code, ran.err)
            if ran.code:
                assert ran.err.count("\n") == 1 and ran.err.startswith("identity-tui: "), (argv, ran.err)
            assert raw_unsafe(ran.out) == set() and raw_unsafe(ran.err) == set(), (argv, ran.out[:200], ran.err)


DEEP = 100_000
FILES = {
    "deep-csv-cell.csv": ("identifier_key,name,identity_type,prop:j:json\nk,N,user,\""
                          + '{""a"":' * DEEP + "1" + "}" * DEEP + '"\n').encode(),
    "deep-jsonl.jsonl": b'{"identifier_key": "k", "name": "n", "identity_type": "user", "x": ' + b"[" * DEEP
                        + b"]" * DEEP + b"}\n",
    "deep-json.json": b"[" * DEEP + b"]" * DEEP,
    "binary.csv": bytes(range(256)) * 4,
    "binary.jsonl": bytes(range(256)) * 4,
    "latin1-header.csv": "identifier_key,name,identity_type,prop:caf\xe9:string\n".encode("latin-1"),
    "quote-in-header.csv": b'identifier_key,name,identity_type,prop:"open:string\nk,N,user,x\n',
    "unclosed-quote.csv": b'identifier_key,name,identity_type\nk,"N,user\n',
    "empty.csv": b"",
    "bom-only.jsonl": b"\xef\xbb\xbf",
}


@pytest.mark.parametrize("name", FILES)
def test_import_of_a_hostile_file_is_a_plan_or_one_sentence(sandbox_server, cli, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(FILES[name])
    for output_format in ("text", "json"):
        ran = cli("import", str(path), "--dry-run", "--output-format", output_format)  # a traceback raises here
        assert ran.code in (0, 2), (ran.code, ran.err)
        assert raw_unsafe(ran.out) == set() and raw_unsafe(ran.err) == set(), (ran.out[:300], ran.err)
        assert ran.err.count("\n") <= 1


@pytest.mark.parametrize("where", ["folder", "full-device", "not-a-database"])
def test_a_sandbox_path_that_cannot_hold_a_database_is_one_sentence(cli, tmp_path, where):
    path = {"folder": tmp_path, "full-device": Path("/dev/full"), "not-a-database": tmp_path / "notes.txt"}[where]
    if where == "not-a-database":
        path.write_text("these are notes, not a database\n")
    ran = cli("list", "--sandbox", str(path))  # a traceback raises here
    assert ran.code == 2 and ran.err.count("\n") == 1
    assert ran.err.startswith("identity-tui: Cannot use ") and "as a sandbox" in ran.err
