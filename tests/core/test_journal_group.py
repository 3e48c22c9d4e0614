"""An import writes its creates' intents to the journal a group at a time: one append and one fsync for a group.

What must hold: no request leaves before its intent is on disk (fsync'd); a cancel in the middle leaves
every row that was sent with its outcome and every row begun but never sent recorded as not sent (none left
pending); a group whose intents could not be written is sent row by row as single saves are (the write
goes, its result says the journal missed it); the records read back as those a row imported on its own
writes.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from identity_tui.core import bulk
from identity_tui.core import journal as journal_mod
from identity_tui.core.bulk_files import Row
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.journal import LANDED, NOT_LANDED, PENDING, UNKNOWN, Intent, Journal
from identity_tui.sandbox import Sandbox
from tests.support.full_disk import FullDisk, intent_line

URL = "http://sandbox.test"


def _rows(n: int, prefix: str = "g") -> list[Row]:
    return [Row(i + 1, {"identifier_key": f"{prefix}-{i:04d}", "name": f"Row {i}", "identity_type": "user",
                        "properties": [{"key": "i", "type": "number", "value": i},
                                       {"key": "prefs", "type": "json", "value": {"n": i}}]}) for i in range(n)]


class Synced:
    """Counts the journal's fsyncs and keeps, per file, how many of its bytes were on disk at the last one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.size: dict[int, int] = {}  # inode -> bytes fsync'd
        real = os.fsync

        def fsync(fd: int) -> None:
            real(fd)
            st = os.fstat(fd)
            self.size[st.st_ino] = max(self.size.get(st.st_ino, 0), st.st_size)
            self.calls += 1

        monkeypatch.setattr(journal_mod.os, "fsync", fsync)

    def intents_on_disk(self, path: Path) -> dict[str, dict[str, Any]]:
        """The intents in the part of ``path`` that was fsync'd, by identifier key."""
        if not path.exists():
            return {}
        synced = self.size.get(path.stat().st_ino, 0)
        with open(path, "rb") as f:
            data = f.read(synced)
        out = {}
        for raw in data.splitlines():
            line = json.loads(raw)
            if "outcome_of" not in line:
                out[line["identifier_key"]] = line
        return out


class Watching(httpx.AsyncBaseTransport):
    """The sandbox behind a transport that calls ``check`` with each POST's body as the request leaves."""

    def __init__(self, sandbox: Sandbox, check) -> None:
        self.inner = sandbox.transport()
        self.check = check
        self.posted: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(await request.aread())
            self.posted.append(body["identifier_key"])
            await self.check(body)
        await request.aread()
        return self.inner.handle_request(request)  # at once: a row answered here has landed, nothing in between


async def _nothing(_body: dict[str, Any]) -> None:
    return None


@pytest.fixture
def sandbox():
    sb = Sandbox(path=":memory:")
    yield sb
    sb.close()


@pytest.fixture
async def world(sandbox, tmp_path):
    made: list[LettaClient] = []

    def make(check=_nothing) -> tuple[LettaClient, Watching, Journal]:
        transport = Watching(sandbox, check)
        client = LettaClient(URL, transport=transport, options=ClientOptions(retries=0))
        client.journal = Journal(tmp_path / "journal", "group-test", source="import")
        made.append(client)
        return client, transport, client.journal

    yield make
    for client in made:
        await client.aclose()


def _keys_on_server(sandbox: Sandbox) -> set[str]:
    status, _, body = sandbox.handle("GET", "/v1/identities/?limit=1000", {"host": "sandbox.test"}, b"")
    assert status == 200
    return {item["identifier_key"] for item in json.loads(body)}


async def test_every_intent_is_on_disk_before_its_request_leaves(world, sandbox, monkeypatch):
    synced = Synced(monkeypatch)
    missing: list[str] = []
    journal_path: list[Path] = []

    async def check(body: dict[str, Any]) -> None:
        on_disk = synced.intents_on_disk(journal_path[0])
        intent = on_disk.get(body["identifier_key"])
        if intent is None or intent["status"] != PENDING or intent["requests"][0]["body"] != body:
            missing.append(body["identifier_key"])

    client, transport, journal = world(check)
    journal_path.append(journal.path)
    rows = _rows(100)
    plan = await bulk.plan_import(client, rows)
    results = await bulk.apply_import(client, plan, concurrency=4)
    assert [r.status for r in results] == ["created"] * 100
    assert len(transport.posted) == 100 and missing == []
    # Grouped: fewer fsyncs than rows (each intent alone would be one fsync per row).
    assert synced.calls <= -(-100 // bulk.GROUP)
    recs = list(journal.records())
    assert len(recs) == 100 and {r.status for r in recs} == {LANDED}
    assert sorted(r.identifier_key for r in recs) == sorted(transport.posted)


async def test_a_grouped_record_reads_back_as_one_written_row_by_row(world, sandbox):
    client, _, journal = world()
    rows = _rows(3, "alone")
    plan = await bulk.plan_import(client, rows[:1])
    (alone,) = await bulk.apply_import(client, plan)  # one row: a group of one
    single = next(iter(journal.records()))
    (row,) = (await bulk.plan_import(client, _rows(2, "row"))).writes[:1]
    await bulk.apply_row(client, row)  # the transaction's own begin, no group
    by_row = list(journal.records())[-1]
    assert alone.status == "created"

    def shape(rec) -> dict[str, Any]:
        data = copy.deepcopy(rec.to_json())
        for name in ("id", "time", "done", "identity_id", "identifier_key"):
            data.pop(name)
        data["requests"][0]["body"].pop("identifier_key")
        data["requests"][0]["body"]["properties"] = "*"
        data["requests"][0]["body"]["name"] = "*"
        data["after"] = sorted(data["after"])
        return data

    assert shape(single) == shape(by_row)
    assert single.status == LANDED and single.operation == "create" and single.before is None
    assert journal.find(single.id) == single and journal.warnings == []


async def test_a_cancel_mid_group_leaves_sent_rows_recorded_and_unsent_rows_not_sent(world, sandbox):
    hold = asyncio.Event()
    reached = asyncio.Event()
    answered: list[str] = []

    async def check(body: dict[str, Any]) -> None:
        if len(transport.posted) > 40:  # the 41st and later: in flight, never answered
            reached.set()
            await hold.wait()
        answered.append(body["identifier_key"])

    client, transport, journal = world(check)
    plan = await bulk.plan_import(client, _rows(200))
    task = asyncio.ensure_future(bulk.apply_import(client, plan, concurrency=4))
    await asyncio.wait_for(reached.wait(), 10)
    for _ in range(20):  # let the other workers reach the held request too
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    recs = {r.identifier_key: r for r in journal.records()}
    posted = set(transport.posted)
    on_server = _keys_on_server(sandbox)
    assert on_server == set(answered) and on_server <= posted
    assert 40 <= len(posted) < 200
    assert posted <= set(recs), "every row that was sent has a record"
    assert all(r.status != PENDING for r in recs.values()), "nothing is left pending by a cancel"
    for key in posted:  # answered: landed (or unknown, when the cancel came while its answer was read)
        assert recs[key].status in ((LANDED, UNKNOWN) if key in answered else (UNKNOWN,)), (key, recs[key])
    unsent = {k: r for k, r in recs.items() if k not in posted}
    assert unsent, "the group written ahead of the one being sent"
    for rec in unsent.values():
        assert rec.status == NOT_LANDED and rec.outcome.startswith("not sent"), rec
    assert not set(unsent) & on_server
    assert len(recs) <= len(posted) + 2 * bulk.GROUP  # written ahead by at most two groups


async def test_a_group_whose_intents_cannot_be_written_goes_row_by_row_as_single_saves(world, sandbox, monkeypatch):
    client, transport, journal = world()
    rows = _rows(3 * bulk.GROUP)
    plan = await bulk.plan_import(client, rows)
    appends = []

    def second_group(data: bytes) -> bool:
        if intent_line(data):
            appends.append(data)
            return len(appends) == 2
        return False

    disk = FullDisk(monkeypatch)
    disk.full(when=second_group)
    results = await bulk.apply_import(client, plan, concurrency=4)
    disk.room()

    # The group's write failed once; then each of its rows wrote its own intent (the disk had room again).
    assert len(appends) == 3 + bulk.GROUP
    assert set(transport.posted) == {r.key for r in plan.writes} == _keys_on_server(sandbox)
    assert all(r.ok and r.message == "" for r in results)
    recs = list(journal.records())
    assert sorted(r.identifier_key for r in recs) == sorted(transport.posted) and {r.status for r in recs} == {LANDED}
    assert journal.warnings == []


async def test_a_disk_full_from_the_start_sends_every_row_saying_the_journal_missed_it(world, sandbox, monkeypatch):
    client, transport, journal = world()
    plan = await bulk.plan_import(client, _rows(10))
    disk = FullDisk(monkeypatch)
    disk.full()
    results = await bulk.apply_import(client, plan)
    disk.room()
    assert sorted(transport.posted) == sorted(r.key for r in plan.writes) and sandbox.count() == 10
    assert [r.status for r in results] == ["created"] * 10
    assert all("journal could not be written" in r.message and "No space left on device" in r.message
               for r in results), results[0].message
    assert list(journal.records()) == []


def test_a_group_is_one_append_all_or_none(tmp_path, monkeypatch):
    journal = Journal(tmp_path, "http://x")
    intents = [Intent("update", dict(identity_id=f"id-{i}", identifier_key="k", requests=[], before={"n": i}))
               for i in range(5)]
    entries = journal.begin_group(intents)
    assert all(e.written for e in entries) and [r.identity_id for r in journal.records()] == [
        f"id-{i}" for i in range(5)]
    assert {r.status for r in journal.records()} == {PENDING}
    disk = FullDisk(monkeypatch)
    disk.half_then_full()
    failed = journal.begin_group(intents)
    disk.room()
    assert not any(e.written for e in failed) and all(e.error == "No space left on device" for e in failed)
    assert len(list(journal.records())) == 5 and journal.warnings == [], "the half-written group was cut off"


async def test_a_cancel_while_a_group_is_written_records_it_not_sent(tmp_path, monkeypatch):
    journal = Journal(tmp_path, "http://x")
    started, go = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    real = os.fsync

    def slow_fsync(fd: int) -> None:
        loop.call_soon_threadsafe(started.set)
        asyncio.run_coroutine_threadsafe(go.wait(), loop).result(10)
        real(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", slow_fsync)
    intents = [Intent("create", dict(identity_id=None, identifier_key=f"k{i}", requests=[], before=None))
               for i in range(3)]
    task = asyncio.ensure_future(journal.begin_group_async(intents))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    await asyncio.sleep(0)
    assert not task.done(), "the cancel waits for the group's write to end"
    go.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    recs = list(journal.records())
    assert [r.identifier_key for r in recs] == ["k0", "k1", "k2"]
    assert all(r.status == NOT_LANDED and r.outcome.startswith("not sent") for r in recs)
