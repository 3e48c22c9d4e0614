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
