"""The journal's disk work and the writes in flight: an intent is flushed before its request leaves, in a thread,
so the other writes of a batch go on meanwhile; an outcome line is written at once, not waited onto the disk; a
cancel while an intent is being written still leaves a whole record (not sent)."""

from __future__ import annotations

import asyncio
import threading

from identity_tui.core import journal as journal_mod
from identity_tui.core.journal import NOT_LANDED, PENDING, Journal
from tests.support.journal_files import folded

FIELDS = {"identity_id": "identity-1", "identifier_key": "k", "requests": [], "before": None}


def test_an_intent_is_flushed_and_an_outcome_line_is_not(tmp_path, monkeypatch):
    synced: list[int] = []
    real = journal_mod.os.fsync
    monkeypatch.setattr(journal_mod.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    journal = Journal(tmp_path, "http://x")
    entry = journal.begin("update", **FIELDS)
    assert len(synced) == 1
    journal.finish(entry, "landed", "saved")
    assert len(synced) == 1  # the outcome's intent is on disk: a lost outcome line reads pending, settled by a read
    journal.record("update", **FIELDS, after=None, outcome="saved")
    assert len(synced) == 2  # a record written whole (no intent before it) is flushed
    assert [r["status"] for r in folded(tmp_path)] == ["landed", "landed"]


async def test_other_writes_go_on_while_an_intent_is_flushed(tmp_path, monkeypatch):
    """The fsync runs in a thread: a coroutine of the same loop runs while it waits (a blocking fsync on the
    loop would hold every write in flight, and here would never end)."""
    release = threading.Event()
    real = journal_mod.os.fsync

    def slow_fsync(fd: int) -> None:
        assert release.wait(30), "the loop never ran while the intent was flushed"
        real(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", slow_fsync)
    journal = Journal(tmp_path, "http://x")
    began = asyncio.ensure_future(journal.begin_async("update", **FIELDS))
    await asyncio.sleep(0)
    release.set()  # this coroutine ran while the intent was being flushed
    entry = await began
    assert entry.written and [r["status"] for r in folded(tmp_path)] == [PENDING]


async def test_a_cancel_while_the_intent_is_written_leaves_it_not_sent(tmp_path, monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = journal_mod.os.fsync

    def held_fsync(fd: int) -> None:
        started.set()
        assert release.wait(30)
        real(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", held_fsync)
    journal = Journal(tmp_path, "http://x")
    began = asyncio.ensure_future(journal.begin_async("update", **FIELDS))
    await asyncio.to_thread(started.wait, 30)
    began.cancel()
    await asyncio.sleep(0)
    assert not began.done()  # the cancel waits for the intent on disk, to write its outcome after it
    monkeypatch.setattr(journal_mod.os, "fsync", real)
    release.set()
    await asyncio.gather(began, return_exceptions=True)
    assert began.cancelled()
    assert [(r["status"], r["outcome"]) for r in folded(tmp_path)] == [
        (NOT_LANDED, "not sent: given up before the request left")]


def test_records_begun_under_one_seed_of_random_stay_apart(tmp_path):
    """A record's id is its second and a random part: a caller (a test, a script) that seeds ``random`` the same way
    before each write never makes two records of one second share an id, and so one line."""
    import random

    journal = Journal(tmp_path, "http://x")
    ids = set()
    for _ in range(20):
        random.seed(7)
        ids.add(journal.begin("update", **FIELDS).record.id)
    assert len(ids) == 20
    assert len(folded(tmp_path)) == 20


def _flusher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "identity-tui journal flusher"]


async def test_the_flusher_thread_ends_when_idle_and_comes_back_for_the_next_write(tmp_path, monkeypatch):
    """A process done writing keeps no thread: the fsyncs' thread ends after a while without work, and the next
    intent starts it again (and is still on disk before it returns)."""
    monkeypatch.setattr(journal_mod._Flusher, "IDLE", 0.05)
    synced: list[int] = []
    real = journal_mod.os.fsync
    monkeypatch.setattr(journal_mod.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    journal = Journal(tmp_path, "http://x")
    for n in (1, 2):
        entry = await journal.begin_async("update", **FIELDS)
        assert entry.written and len(synced) == n
        for _ in range(3000):  # a guard against a hang, not a measure: the thread ends within IDLE
            if not _flusher_threads():
                break
            await asyncio.sleep(0.01)
        assert _flusher_threads() == []
    assert [r["status"] for r in folded(tmp_path)] == [PENDING, PENDING]


def test_a_records_id_starts_with_the_second_of_its_time(tmp_path):
    from datetime import datetime

    record = Journal(tmp_path, "http://x").begin("update", **FIELDS).record
    when = datetime.fromisoformat(record.time)
    assert record.id.split("-")[0] == when.strftime("%Y%m%d%H%M%S")
    assert len(record.id.split("-")[1]) == 8


def _lock_held_while_writing(monkeypatch, lock_path) -> list[bool]:
    """Each append, as it writes, asks whether another process (a descriptor of its own on the lock file at its
    path) could take the lock then: it must not."""
    import fcntl
    import os

    held: list[bool] = []
    real = journal_mod._write_all

    def probing(fd: int, data: bytes, size: int) -> None:
        probe = os.open(lock_path(), os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(True)
        else:
            held.append(False)
            fcntl.flock(probe, fcntl.LOCK_UN)
        finally:
            os.close(probe)
        real(fd, data, size)

    monkeypatch.setattr(journal_mod, "_write_all", probing)
    return held


def test_every_append_holds_the_lock_file_at_its_path(tmp_path, monkeypatch):
    """The lock file stays open between appends; removed with the state directory (and made again by another
    process), the next append locks the one at the path, so the other process still waits for it."""
    import shutil

    root = tmp_path / "state"
    journal = Journal(root, "http://x")
    lock_path = lambda: next(root.glob("*.lock"))  # noqa: E731
    held = _lock_held_while_writing(monkeypatch, lock_path)
    journal.begin("update", **FIELDS)
    journal.begin("update", **FIELDS)
    shutil.rmtree(root)
    other = Journal(root, "http://x")  # another process's journal of the same server
    other.begin("update", **FIELDS)
    journal.begin("update", **FIELDS)
    assert held == [True, True, True, True]
    assert [r["status"] for r in folded(root)] == [PENDING, PENDING]


def test_threads_of_one_process_take_turns_at_the_lock(tmp_path):
    """Threads share the lock file's descriptor, which flock does not tell apart: appends and rotations from
    two threads at once still lose no record and tear no line."""
    journal = Journal(tmp_path, "http://x", max_bytes=4096, keep=200)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(150):
                journal.record("update", **{**FIELDS, "identity_id": f"identity-{n}-{i}"}, after=None,
                               outcome="saved")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    records = list(journal.records())
    assert len(records) == 450 and not journal.warnings
    assert len({r.identity_id for r in records}) == 450


def test_a_records_outcome_copy_is_what_dataclasses_replace_makes(tmp_path):
    import dataclasses

    import pytest

    record = Journal(tmp_path, "http://x").begin("update", **FIELDS).record
    changes = dict(status="landed", outcome="saved", after={"id": "identity-1"}, done="2026-12-08T00:00:00.000+00:00")
    copy = record.but(**changes)
    assert copy == dataclasses.replace(record, **changes) and copy is not record
    assert record.status == PENDING  # the record itself is left as it was
    with pytest.raises(TypeError):
        record.but(colour="red")
