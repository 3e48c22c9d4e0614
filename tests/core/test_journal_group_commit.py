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
from typing import Any

import pytest

from identity_tui.core import journal as journal_mod
from identity_tui.core.journal import LANDED, NOT_LANDED, PENDING, Journal
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
