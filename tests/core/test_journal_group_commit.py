"""Writes begun one by one (``Journal.begin_async``) while an fsync is under way share the next one (group
commit): each intent is still on disk before its write may leave, and each record stays true on its own.

What must hold: no ``begin_async`` returns before an fsync that started after its intent was appended has
ended; several waiting at once cost one fsync; a cancel while waiting for the disk records that write not
sent (never pending), and leaves the others of its group as they are; a full disk at one intent's append
says so for that write alone.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx
import pytest

from identity_tui.core import batch_plan as plan_ops
from identity_tui.core import journal as journal_mod
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.journal import LANDED, NOT_LANDED, PENDING, Journal
from identity_tui.core.kinds import PropertyType
from identity_tui.sandbox import Sandbox
from tests.support.full_disk import FullDisk


def _fields(i: int) -> dict[str, Any]:
    return dict(identity_id=f"id-{i}", identifier_key=f"k{i}", requests=[], before={"n": i})


class HeldFsync:
    """The journal's fsync, held until ``go``: records how many bytes of the file each one covered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.started = asyncio.Event()
        self.go = asyncio.Event()
        self.covered: list[int] = []
        real = os.fsync

        def fsync(fd: int) -> None:
            loop.call_soon_threadsafe(self.started.set)
            asyncio.run_coroutine_threadsafe(self.go.wait(), loop).result(10)
            self.covered.append(os.fstat(fd).st_size)
            real(fd)

        monkeypatch.setattr(journal_mod.os, "fsync", fsync)


async def test_intents_begun_during_an_fsync_share_the_next_and_none_returns_before_its_own(tmp_path, monkeypatch):
    journal = Journal(tmp_path, "http://x")
    held = HeldFsync(monkeypatch, asyncio.get_running_loop())
    first = asyncio.ensure_future(journal.begin_async("update", **_fields(0)))
    await asyncio.wait_for(held.started.wait(), 10)
    after_first = journal.path.stat().st_size
    rest = [asyncio.ensure_future(journal.begin_async("update", **_fields(i))) for i in range(1, 4)]
    await asyncio.sleep(0.05)
    assert not any(t.done() for t in [first, *rest]), "no intent is given back before its fsync ended"
    held.go.set()
    entries = await asyncio.gather(first, *rest)
    assert all(e.written for e in entries)
    assert len(held.covered) == 2, "the three begun during the first fsync share one"
    assert held.covered[0] >= after_first and held.covered[1] == journal.path.stat().st_size
    assert [r.identity_id for r in journal.records()] == [f"id-{i}" for i in range(4)]
    assert {r.status for r in journal.records()} == {PENDING}


async def test_a_cancel_while_waiting_for_the_shared_fsync_records_that_write_not_sent_and_no_other(
        tmp_path, monkeypatch):
    journal = Journal(tmp_path, "http://x")
    held = HeldFsync(monkeypatch, asyncio.get_running_loop())
    tasks = [asyncio.ensure_future(journal.begin_async("update", **_fields(i))) for i in range(3)]
    await asyncio.wait_for(held.started.wait(), 10)
    tasks[1].cancel()
    await asyncio.sleep(0.01)
    assert not tasks[1].done(), "the cancel waits for the fsync to end"
    held.go.set()
    with pytest.raises(asyncio.CancelledError):
        await tasks[1]
    kept = [await tasks[0], await tasks[2]]
    for entry in kept:
        journal.finish(entry, LANDED, "saved", after={"n": 9})
    recs = {r.identity_id: r for r in journal.records()}
    assert recs["id-1"].status == NOT_LANDED and recs["id-1"].outcome.startswith("not sent")
    assert recs["id-0"].status == LANDED and recs["id-2"].status == LANDED
    assert not any(r.status == PENDING for r in recs.values())


async def test_a_full_disk_at_one_intents_append_says_so_for_that_write_alone(tmp_path, monkeypatch):
    journal = Journal(tmp_path, "http://x")
    disk = FullDisk(monkeypatch)
    disk.full(when=lambda data: b'"id-1"' in data)
    entries = await asyncio.gather(*(journal.begin_async("update", **_fields(i)) for i in range(3)))
    disk.room()
    assert [e.written for e in entries] == [True, False, True]
    assert entries[1].error == "No space left on device"
    # Its write goes as a single save's does: the whole record is written once the outcome is known.
    for entry in entries:
        journal.finish(entry, LANDED, "saved", after={"n": 9})
    recs = {r.identity_id: r for r in journal.records()}
    assert {k: r.status for k, r in recs.items()} == {"id-0": LANDED, "id-1": LANDED, "id-2": LANDED}
    assert journal.warnings == []


async def test_a_rotated_file_is_opened_again_and_the_fsync_covers_the_file_each_intent_is_in(tmp_path):
    journal = Journal(tmp_path, "http://x", max_bytes=600, keep=20)
    entries = []
    for i in range(6):
        entries.append(await journal.begin_async("update", **_fields(i)))
    assert all(e.written for e in entries)
    assert len(journal.files()) > 1, "rotated along the way"
    assert sorted(r.identity_id for r in journal.records()) == [f"id-{i}" for i in range(6)]
    other = Journal(tmp_path, "http://x", max_bytes=600, keep=20)  # another writer of the same file rotates it too
    other.begin("update", **_fields(7))
    await journal.begin_async("update", **_fields(8))
    assert {"id-7", "id-8"} <= {r.identity_id for r in journal.records()}


class RefusingOne(httpx.AsyncBaseTransport):
    """The sandbox, except that the PATCH of one identity is refused (a 422, nothing changed)."""

    def __init__(self, sandbox: Sandbox, refused: str) -> None:
        self.inner = sandbox.transport()
        self.refused = refused

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and request.url.path.rstrip("/").endswith(self.refused):
            await request.aread()
            return httpx.Response(422, json={"detail": "refused here"})
        return await self.inner.handle_async_request(request)


async def test_a_batch_whose_writes_share_fsyncs_keeps_each_record_true_when_one_is_refused(tmp_path, monkeypatch):
    sandbox = Sandbox(path=":memory:")
    setup = LettaClient("http://sandbox.invalid", transport=sandbox.transport(), options=ClientOptions(retries=0))
    made = [await setup.create({"identifier_key": f"g-{n}", "name": f"G{n}", "identity_type": "org",
                                "properties": [{"key": "seats", "type": "number", "value": n}]}) for n in range(8)]
    await setup.aclose()
    client = LettaClient("http://sandbox.invalid", transport=RefusingOne(sandbox, made[3].id),
                         options=ClientOptions(retries=0))
    client.journal = Journal(tmp_path / "journal", "group-batch")
    calls = []
    real = os.fsync

    def slow_fsync(fd: int) -> None:  # a slow disk: the intents begun meanwhile wait for the next fsync together
        calls.append(fd)
        time.sleep(0.02)
        real(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", slow_fsync)
    items = plan_ops.plan_set([(i.model_dump(mode="json"), i) for i in made],
                              plan_ops.set_property("seats", PropertyType.NUMBER, 100))
    try:
        await plan_ops.apply(client, items, lambda item: plan_ops.save_one(client, item))
    finally:
        await client.aclose()
        sandbox.close()
    assert [i.result for i in items] == [plan_ops.LANDED] * 3 + [plan_ops.FAILED] + [plan_ops.LANDED] * 4
    assert len(calls) < 8, "writes begun during an fsync shared the next one"
    recs = {r.identity_id: r for r in client.journal.records()}
    assert recs[made[3].id].status == NOT_LANDED and recs[made[3].id].outcome.startswith("refused")
    assert all(recs[i.id].status == LANDED and recs[i.id].after is not None for n, i in enumerate(made) if n != 3)
    assert len({r.batch for r in recs.values()}) == 1 and not any(r.status == PENDING for r in recs.values())
