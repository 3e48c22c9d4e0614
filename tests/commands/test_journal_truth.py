"""The journal tells the truth under faults, and undo never overwrites what it did not write: the cases as they
were found, through the commands, on the sandbox over HTTP and (marked letta) a real server."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from identity_tui.core.journal import Journal
from tests.support.full_disk import FullDisk
from tests.support.journal_files import folded


def props(identity: dict) -> dict:
    return {p["key"]: p["value"] for p in identity.get("properties", [])}


def test_undo_after_a_refused_write_never_wipes_a_colleagues_change(server, cli):
    u1, u2 = server.key("u1"), server.key("u2")
    assert cli("ensure", "--key", u1, "--name", "U1", "--type", "user", "--prop", "tier=gold").code == 0
    assert cli("ensure", "--key", u2, "--name", "U2", "--type", "user").code == 0
    refused = cli("set", "--key", u1, "--new-key", u2)
    assert refused.code == 4
    made = server.by_key(u1)[0]
    server.http.patch(f"/v1/identities/{made['id']}", json={"name": "Colleague", "properties": [
        {"key": "tier", "type": "string", "value": "platinum"}, {"key": "seats", "type": "number", "value": 99}]})
    history = json.loads(cli("history", "--key", u1, "--format", "json").out)
    record = history[0]["id"]
    ran = cli("undo", record, "--yes")
    assert ran.code == 0 and "Nothing to undo" in ran.err and "did not land" in ran.err
    by_key = cli("undo", "--key", u1, "--yes")  # the newest write of u1 that landed: its create, edited since
    assert by_key.code == 4
    now = server.by_key(u1)[0]
    assert now["name"] == "Colleague" and props(now) == {"tier": "platinum", "seats": 99}


def test_history_words_a_refused_update_as_refused_under_the_key_it_had(server, cli):
    u1, u2 = server.key("h1"), server.key("h2")
    assert cli("ensure", "--key", u1, "--name", "A", "--type", "user", "--prop", "tier=gold").code == 0
    assert cli("ensure", "--key", u2, "--name", "B", "--type", "user").code == 0
    assert cli("set", "--key", u1, "--new-key", u2).code == 4
    shown = cli("history", "--key", u1, "--format", "table")
    newest = shown.out.splitlines()[0]
    assert "update" in newest and u1 in newest and "refused" in newest
    detail = shown.out.split("\n", 1)[1].split("\n2")[0]
    assert "deleted" not in detail and f"tried identifier_key: '{u1}' -> '{u2}'" in detail


def test_undo_says_what_it_will_do_and_needs_yes_without_a_terminal(server, cli):
    key = server.key("y")
    assert cli("ensure", "--key", key, "--name", "Y", "--type", "user", "--prop", "a:number=1").code == 0
    assert cli("set", "--key", key, "--prop", "a:number=2").code == 0
    ran = cli("undo")
    assert ran.code == 2 and "would put back the values from before" in ran.err and "--yes" in ran.err
    assert props(server.by_key(key)[0]) == {"a": 2}
    assert cli("undo", "--yes").code == 0 and props(server.by_key(key)[0]) == {"a": 1}
    # A second undo steps one write further back (the create): it never redoes the first.
    again = cli("undo", "--dry-run", "--format", "json")
    assert again.code == 0 and json.loads(again.out)["would"] == "delete the identity it created"


def test_an_import_ending_with_a_conflict_row_exits_4(sandbox_server, cli, tmp_path, monkeypatch):
    from identity_tui.core import bulk

    key = sandbox_server.key("imp")
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"identifier_key": key, "name": "Mine", "identity_type": "user"}) + "\n")
    real_plan = bulk.plan_import

    async def then_someone_creates_it(*args, **kwargs):
        plan = await real_plan(*args, **kwargs)
        sandbox_server.create(key)  # between the plan and the apply, with other values
        return plan

    monkeypatch.setattr(bulk, "plan_import", then_someone_creates_it)
    ran = cli("import", str(path), "--yes")
    assert ran.code == 4 and "conflict" in ran.out
    assert sandbox_server.by_key(key)[0]["name"] == "Cmd test"


def test_a_short_write_never_glues_onto_the_next_record(tmp_path, monkeypatch):
    journal = Journal(tmp_path, "http://x")
    first, _ = journal.record("update", identity_id="id-1", identifier_key="k", requests=[], before=None,
                              after=None, outcome="saved")
    disk = FullDisk(monkeypatch)
    disk.half_then_full()
    _, problem = journal.record("update", identity_id="id-2", identifier_key="k", requests=[], before={"x": "y" * 500},
                                after=None, outcome="saved")
    assert problem is not None and "No space left on device" in problem
    disk.room()
    third, problem = journal.record("update", identity_id="id-3", identifier_key="k", requests=[], before=None,
                                    after=None, outcome="saved")
    assert problem is None
    assert [r.id for r in journal.records()] == [first.id, third.id] and journal.warnings == []


def test_a_torn_line_left_by_another_process_stays_apart_from_the_next(tmp_path):
    journal = Journal(tmp_path, "http://x")
    journal.record("update", identity_id="id-1", identifier_key="k", requests=[], before=None, after=None,
                   outcome="saved")
    with open(journal.path, "ab") as f:
        f.write(b'{"id": "torn", "time": "2026')  # a process killed mid-write, no newline
    last, _ = journal.record("update", identity_id="id-2", identifier_key="k", requests=[], before=None, after=None,
                             outcome="saved")
    assert [r.identity_id for r in journal.records()] == ["id-1", "id-2"]
    assert len(journal.warnings) == 1 and "line 2" in journal.warnings[0]


def _write_many(root: str, label: str, n: int) -> None:
    journal = Journal(Path(root), "http://shared", max_bytes=4000, keep=10_000)
    for i in range(n):
        journal.record("update", identity_id=f"{label}-{i}", identifier_key="k", requests=[],
                       before={"pad": "x" * 100}, after=None, outcome="saved")


def test_two_processes_rotating_one_journal_keep_every_record(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(str(tmp_path), label, 150)) for label in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    journal = Journal(tmp_path, "http://shared", max_bytes=4000, keep=10_000)
    ids = [r.identity_id for r in journal.records()]
    assert sorted(ids) == sorted([f"a-{i}" for i in range(150)] + [f"b-{i}" for i in range(150)])
    assert journal.warnings == [] and len(journal.files()) > 5


def test_a_write_landing_with_its_answer_lost_is_journaled_landed_by_set(sandbox_server, cli, monkeypatch):
    """The server applies the PATCH, then the connection is cut: ``set`` reads it back, and the journal says so."""
    import httpx

    key = sandbox_server.key("lost")
    assert cli("ensure", "--key", key, "--name", "L", "--type", "user", "--prop", "a:number=1").code == 0
    real = httpx.AsyncHTTPTransport.handle_async_request
    cut: list[str] = []

    async def apply_then_cut(self, request):
        response = await real(self, request)
        if request.method == "PATCH" and not cut:
            await response.aread()
            cut.append(request.url.path)
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return response

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", apply_then_cut)
    ran = cli("set", "--key", key, "--prop", "a:number=5")
    assert ran.code == 0 and cut
    (update,) = [r for r in folded() if r["operation"] == "update"]
    assert update["status"] == "landed" and props(update["after"]) == {"a": 5}
    assert props(sandbox_server.by_key(key)[0]) == {"a": 5}


def test_ensure_whose_create_landed_but_answer_was_lost_journals_it_with_its_id(sandbox_server, cli, monkeypatch):
    import httpx

    key = sandbox_server.key("ens")
    real = httpx.AsyncHTTPTransport.handle_async_request

    async def apply_then_cut(self, request):
        response = await real(self, request)
        if request.method == "POST":
            await response.aread()
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return response

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", apply_then_cut)
    ran = cli("ensure", "--key", key, "--name", "E", "--type", "user")
    assert ran.code == 0 and json.loads(ran.out)["status"] == "created"
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", real)
    (create,) = folded()
    made = sandbox_server.by_key(key)[0]
    assert create["status"] == "landed" and create["identity_id"] == made["id"]
    undo = cli("undo", "--yes", "--format", "json")
    assert undo.code == 0 and json.loads(undo.out)["status"] == "deleted" and sandbox_server.by_key(key) == []


class LateWrites:
    """Writes the server gets only after the command gave up: the command sees a timeout at once, and each
    request goes through (in a thread, as a slow network would carry it) once ``land()`` is called."""

    def __init__(self, monkeypatch, match) -> None:
        import threading

        import httpx

        self.gate = threading.Event()
        self.threads: list[threading.Thread] = []
        real = httpx.AsyncHTTPTransport.handle_async_request
        late = self

        async def handle(transport, request):
            if not match(request):
                return await real(transport, request)
            body = await request.aread()

            def carry() -> None:
                late.gate.wait(60)
                with httpx.Client() as plain:
                    plain.request(request.method, str(request.url), headers=dict(request.headers), content=body)

            thread = threading.Thread(target=carry, daemon=True)
            thread.start()
            late.threads.append(thread)
            raise httpx.ReadTimeout("timed out", request=request)

        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle)
        self.undo = lambda: monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", real)

    def land(self) -> None:
        self.undo()
        self.gate.set()
        for thread in self.threads:
            thread.join(60)


def test_a_patch_that_lands_late_is_settled_as_landed_and_can_be_undone(sandbox_server, cli, monkeypatch):
    key = sandbox_server.key("late")
    assert cli("ensure", "--key", key, "--name", "L", "--type", "user", "--prop", "a:number=1").code == 0
    late = LateWrites(monkeypatch, lambda r: r.method == "PATCH")
    ran = cli("set", "--key", key, "--prop", "a:number=8")
    assert ran.code == 1 and "may still land" in ran.err
    assert props(sandbox_server.by_key(key)[0]) == {"a": 1}
    late.land()
    assert props(sandbox_server.by_key(key)[0]) == {"a": 8}
    history = json.loads(cli("history", "--key", key, "--format", "json").out)
    assert history[0]["operation"] == "update" and history[0]["status"] == "landed"
    assert props(history[0]["after"]) == {"a": 8}
    undo = cli("undo", "--key", key, "--yes")
    assert undo.code == 0 and props(sandbox_server.by_key(key)[0]) == {"a": 1}


def test_import_rows_whose_creates_land_late_are_settled_as_landed(sandbox_server, cli, monkeypatch, tmp_path):
    keys = [sandbox_server.key(f"row{i}") for i in range(4)]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps({"identifier_key": k, "name": k, "identity_type": "user"}) + "\n"
                            for k in keys))
    late = LateWrites(monkeypatch, lambda r: r.method == "POST")
    ran = cli("import", str(path), "--yes", "--concurrency", "1")
    assert ran.code == 1
    late.land()
    assert all(sandbox_server.by_key(k) for k in keys)
    history = json.loads(cli("history", "--format", "json").out)
    assert sorted(r["identifier_key"] for r in history) == sorted(keys)
    assert {r["status"] for r in history} == {"landed"} and all(r["identity_id"] for r in history)


def test_two_scripts_setting_different_properties_at_once_both_succeed(sandbox_server, cli, monkeypatch):
    import httpx

    key = sandbox_server.key("two")
    assert cli("ensure", "--key", key, "--name", "T", "--type", "user", "--prop", "a:number=1",
               "--prop", "b:number=1").code == 0
    made = sandbox_server.by_key(key)[0]
    real = httpx.AsyncHTTPTransport.handle_async_request
    raced: list[bool] = []

    async def other_script_first(transport, request):
        if request.method == "PATCH" and not raced:  # the other script's PATCH lands between our read and ours
            raced.append(True)
            sandbox_server.http.patch(f"/v1/identities/{made['id']}",
                                      json={"properties": [{"key": "b", "type": "number", "value": 2}]})
        return await real(transport, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", other_script_first)
    ran = cli("set", "--key", key, "--prop", "a:number=2")
    assert raced and ran.code == 0, ran.err
    assert props(sandbox_server.by_key(key)[0]) == {"a": 2, "b": 2}
