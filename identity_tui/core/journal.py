"""The write journal: a write-ahead record of every write this tool sends, with the identity before and after.

The server keeps no history, but every save reads the identity right before writing and reads it back
after: the journal keeps both, so a change is answerable and can be undone. One append-only file per
server under the state directory (``journal/<server>.jsonl``), mode 0600; never a token (a record holds
the requests' bodies and the server's address without credentials).

Write-ahead: ``begin`` puts the intent on disk (the requests, the identity as read before them, status
``pending``), flushed with fsync, before the first request leaves (``begin_async`` does it in a thread, so
other writes in flight go on meanwhile); ``finish`` appends the outcome under the same id, written at once
but not waited onto the disk (lost only if the machine goes down, and then the record reads pending) (``landed``, ``partly``, ``not_landed`` or ``unknown``, with the identity as read after). Reading
folds the two lines into one record. A process killed in between leaves the intent ``pending``: like
``unknown``, it is settled by reading the server (``core.journal_check``), never guessed.

Group commit: intents begun with ``begin_async`` while an fsync is under way are appended at once and
share the next fsync, which covers them all; each call still returns only once its own intent is on disk.
The file is kept open between appends (opened again when a stat under the lock shows it was rotated or
removed), so an append is a lock, a stat and a write.

Groups: ``begin_group`` puts the intents of several writes on disk with one append and one fsync (all of
them or none), each a record of its own, read back as ``begin`` would have written it. Bulk import writes
its creates' intents a group at a time, ahead of sending them; when a group's intents could not be
written, each of its rows tries its own and is sent as a single save is (see below).

Damage: a short write (a full disk) is cut back off the file, and a line torn anyway is closed before
the next record, so it never glues onto it; a damaged line is skipped with a warning, never the whole
journal. A failed write to the journal never stops the write it records: ``begin``/``finish`` return the
reason, for the caller to say in one sentence; when the intent could not be written, ``finish`` writes
the whole record at once.

Batches: a command that changes many identities at once (``set --where``, ``delete --where``, an undo of
such a batch) writes each identity's write as a record of its own, every one carrying the same ``batch``
id; records begun inside ``in_batch`` (in its task and the tasks it starts) get it. Records written
before there were batches have none, and read as records of no batch.

Limits: a file is rotated at ``MAX_BYTES`` (8 MiB) to ``.1`` (the older ``.1`` to ``.2``, and so on), and
``KEEP`` (4) rotated files are kept: about 40 MiB per server. Rotating and appending hold a lock on
``<file>.lock``, so processes writing one journal at once never lose each other's records.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import queue
import random
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from identity_tui.core.jsontext import json_text, loads

if TYPE_CHECKING:
    from identity_tui.core.models import Identity
    from identity_tui.core.planner import PlannedRequest

try:  # POSIX: a lock between processes; elsewhere appends are only safe within one process
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no such module on Windows: None says so to the lock below

MAX_BYTES = 8 * 1024 * 1024
KEEP = 4
OPERATIONS = ("create", "update", "delete", "link", "unlink")

# What became of a write. ``pending``: the intent is on disk and no outcome yet (in flight, or the process
# died); ``unknown``: the answer was lost and no read has shown it yet; both are settled by a read.
PENDING, LANDED, PARTLY, NOT_LANDED, UNKNOWN = "pending", "landed", "partly", "not_landed", "unknown"
STATUSES = (PENDING, LANDED, PARTLY, NOT_LANDED, UNKNOWN)
UNSETTLED = (PENDING, UNKNOWN)
# What an outcome line may change in its intent's record.
_OUTCOME_FIELDS = ("status", "outcome", "after", "identity_id", "done", "checked", "note")
# The batch the writes begun now belong to (None: a write on its own); set by ``in_batch``.
_BATCH: ContextVar[str | None] = ContextVar("identity_tui_journal_batch", default=None)


@contextmanager
def in_batch(batch_id: str) -> Iterator[str]:
    """Every record begun inside, in this task and in the tasks it starts, carries ``batch_id``."""
    token = _BATCH.set(batch_id)
    try:
        yield batch_id
    finally:
        _BATCH.reset(token)


@dataclass(frozen=True)
class Record:
    """One write as the journal keeps it (``before``/``after``: the identity as the server sent it)."""

    id: str
    time: str
    server: str
    operation: str
    identity_id: str | None
    identifier_key: str | None
    requests: list[dict[str, Any]]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    outcome: str
    profile: str | None = None
    user_id: str | None = None
    source: str = ""
    undoes: str | None = None  # the record this one undid
    note: str = ""
    links: dict[str, list[str]] | None = None  # a deleted identity's agents and blocks (to re-link on undo)
    target: dict[str, str] | None = None  # a link change: {"kind": "agent"|"block", "id": ...}
    status: str = ""  # one of STATUSES ("" in records written before there was one: read from ``outcome``)
    project_id: str | None = None  # a create's project (where its key is looked up)
    done: str | None = None  # when the outcome was known
    checked: str = ""  # how an unknown outcome was settled (or last looked for), by a read of the server
    batch: str | None = None  # the batch this write was one of (None: a write on its own, or written before batches)

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", _status_of(self.outcome))

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def but(self, **changes: Any) -> Record:
        """This record with ``changes`` to its fields, as ``dataclasses.replace`` makes it, without going
        through ``__init__`` again (every write changes its record once, for its outcome). ``status`` is given
        with any change of ``outcome``: ``__post_init__``, which derives one, is not run."""
        unknown = changes.keys() - self.__dataclass_fields__.keys()
        if unknown:
            raise TypeError(f"not fields of a record: {', '.join(sorted(unknown))}")
        copy = object.__new__(Record)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    @classmethod
    def from_json(cls, data: Any) -> Record:
        if not isinstance(data, dict):
            raise ValueError("not an object")
        kwargs: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data or k in _REQUIRED}
        for name in ("id", "time", "server", "operation", "outcome"):
            if not isinstance(kwargs.get(name), str):
                raise ValueError(f"{name} missing")
        if not isinstance(kwargs.get("requests"), list):
            raise ValueError("requests missing")
        for name in ("source", "note", "status", "checked"):
            kwargs[name] = kwargs.get(name) or ""
        if kwargs["status"] and kwargs["status"] not in STATUSES:
            raise ValueError(f"unknown status {kwargs['status']!r}")
        if kwargs.get("batch") is not None and not isinstance(kwargs["batch"], str):
            raise ValueError("batch is not text")
        return cls(**kwargs)

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.time)

    @property
    def landed(self) -> bool:
        """The write changed the server (all of it, or part of a save of two requests)."""
        return self.status in (LANDED, PARTLY)

    @property
    def settled(self) -> bool:
        return self.status not in UNSETTLED


_REQUIRED = ("id", "time", "server", "operation", "identity_id", "identifier_key", "requests", "before", "after",
             "outcome")


def _status_of(outcome: str) -> str:
    """The status of a record written before records had one, from its outcome's words."""
    if outcome in ("saved", "created", "deleted", "linked", "unlinked", "restored") or outcome.startswith("saved"):
        return LANDED
    if outcome.startswith("partly"):
        return PARTLY
    if outcome.startswith("refused"):
        return NOT_LANDED
    return UNKNOWN  # "failed: nothing landed" was a read right after, which a late landing can still prove wrong


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def file_name(server: str) -> str:
    """A file name for a server key: readable where it can be, and never two servers in one file."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", server)[:60].strip("_") or "server"
    return f"{readable}-{hashlib.sha256(server.encode()).hexdigest()[:10]}.jsonl"


@dataclass(frozen=True)
class Intent:
    """A write about to be sent, as ``begin_group`` takes it: the operation and ``begin``'s keyword fields."""

    operation: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """A write begun: its record (status ``pending``), and whether its intent reached the disk."""

    record: Record
    written: bool
    problem: str | None = None  # why the intent could not be written (a sentence)
    error: str | None = None  # the system's words for it ("No space left on device")


class _OpenFile:
    """A file (the journal's, or its lock file) as this journal keeps it open between appends; closed when
    replaced or when the journal is collected."""

    def __init__(self, fd: int, file_id: tuple[int, int], owner: object, path: Path) -> None:
        self.fd = fd
        self.file_id = file_id
        self.path = path
        self.end = -1  # where this journal's last append left the file (-1: not known)
        self.close = weakref.finalize(owner, os.close, fd)

    @classmethod
    def of(cls, owner: object, path: Path, flags: int = os.O_RDWR | os.O_APPEND | os.O_CREAT) -> _OpenFile:
        fd = os.open(path, flags, 0o600)
        try:
            st = os.fstat(fd)
        except OSError:
            os.close(fd)
            raise
        return cls(fd, (st.st_dev, st.st_ino), owner, path)


# A record id's random part: 32 bits, as uuid4's first eight hex digits were, from a generator of its own (seeded
# from the system's randomness once: a test that seeds ``random`` never makes two records one), without a system
# call per record.
_IDS = random.Random()


def _synced_entry(rec: Record, synced: asyncio.Future[None]) -> Entry:
    """The entry of an intent in the file once its fsync ended: written, or why it may not be on disk."""
    exc = synced.exception() if not synced.cancelled() else None
    if isinstance(exc, OSError):
        return Entry(rec, False, unwritable(exc), str(exc.strerror or exc))
    if exc is not None:
        raise exc
    return Entry(rec, True)


class _GroupCommit:
    """The fsyncs of one journal on one event loop, one at a time: each covers every write made before it
    started (the descriptors it was given, one per file), in the flusher's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.files: dict[tuple[int, int], int] = {}  # written since the running fsync started: file -> fd
        self.next: asyncio.Future[None] | None = None
        self.running = False

    def add(self, fd: int, file_id: tuple[int, int]) -> asyncio.Future[None]:
        if file_id in self.files:
            os.close(fd)  # that file's fsync is due already, through another descriptor
        else:
            self.files[file_id] = fd
        if self.next is None:
            self.next = self.loop.create_future()
        synced = self.next
        if not self.running:
            self._start()
        return synced

    def _start(self) -> None:
        fds, self.files = list(self.files.values()), {}
        synced, self.next = self.next, None
        assert synced is not None
        self.running = True
        _FLUSHER.submit(self.loop, fds, lambda error: self._ended(error, synced))

    def _ended(self, error: BaseException | None, synced: asyncio.Future[None]) -> None:
        self.running = False
        if not synced.done():
            if error is not None:
                synced.set_exception(error)
            else:
                synced.set_result(None)
        if self.files:
            self._start()


class _Flusher:
    """One thread of this process that fsyncs what the journals hand it, a job at a time, and tells each job's
    event loop once it ended. A thread of its own rather than the loop's executor: a job is a queue put and one
    wake-up of the loop, not an executor's futures on both sides. It ends after ``IDLE`` seconds without a job
    (so a process that is done writing keeps no thread) and starts again with the next one."""

    IDLE = 10.0

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, list[int], Callable[[BaseException | None], None]]]
        self._jobs = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False

    def submit(self, loop: asyncio.AbstractEventLoop, fds: list[int],
               done: Callable[[BaseException | None], None]) -> None:
        """fsync and close ``fds``; then ``done(error)`` runs on ``loop`` (``error`` None when all went well)."""
        with self._lock:
            self._jobs.put((loop, fds, done))
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="identity-tui journal flusher", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                loop, fds, done = self._jobs.get(timeout=self.IDLE)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._running = False
                        return
                continue
            error: BaseException | None = None
            try:
                _fsync_all(fds)
            except BaseException as exc:  # an OSError, said by the write that waits; anything else reaches it too
                error = exc
            try:
                loop.call_soon_threadsafe(done, error)
            except RuntimeError:
                pass  # the loop was closed meanwhile: nobody waits for this any more


_FLUSHER = _Flusher()


def _fsync_all(fds: list[int]) -> None:
    """fsync each descriptor, then close it; the first failure is raised once all are closed."""
    failed: OSError | None = None
    for fd in fds:
        try:
            os.fsync(fd)
        except OSError as exc:
            failed = failed or exc
        finally:
            os.close(fd)
    if failed is not None:
        raise failed


def unwritable(exc: OSError) -> str:
    return f"The journal could not be written ({exc.strerror or exc}); the write itself went through."


@dataclass
class Journal:
    """The journal of one server, as one connection writes it."""

    root: Path
    server: str
    profile: str | None = None
    user_id: str | None = None
    source: str = ""
    max_bytes: int = MAX_BYTES
    keep: int = KEEP
    warnings: list[str] = field(default_factory=list)
    # Writes of this process whose outcome is not known yet, by identity id: settled when it is next read.
    unsettled: dict[str, Record] = field(default_factory=dict)
    # Creates of this process whose answer was lost, by (project, key): a later lookup of the key settles them.
    unsettled_creates: dict[tuple[str | None, str | None], Record] = field(default_factory=dict)
    # Against this process's other threads: they share the lock file's one descriptor, which flock does not tell
    # apart (``_locked``).
    _mutex: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def path(self) -> Path:
        return self._paths()[0]

    @property
    def _lock_path(self) -> Path:
        return self._paths()[1]

    def _paths(self) -> tuple[Path, Path]:
        """The file and its lock file, computed once per root and server (a hash and a regex)."""
        key = (self.root, self.server)
        cached: tuple[tuple[Path, str], tuple[Path, Path]] | None = self.__dict__.get("_cached_paths")
        if cached is None or cached[0] != key:
            name = file_name(self.server)
            cached = (key, (self.root / name, self.root / (name + ".lock")))
            self.__dict__["_cached_paths"] = cached
        return cached[1]

    # -- writing ----------------------------------------------------------------------------------------

    def begin(self, operation: str, *, identity_id: str | None, identifier_key: str | None,
              requests: list[dict[str, Any]], before: dict[str, Any] | None, undoes: str | None = None,
              links: dict[str, list[str]] | None = None, target: dict[str, str] | None = None,
              project_id: str | None = None) -> Entry:
        """Put the intent of a write on disk (flushed) before it is sent; status ``pending``."""
        (entry,) = self.begin_group([Intent(operation, dict(
            identity_id=identity_id, identifier_key=identifier_key, requests=requests, before=before, undoes=undoes,
            links=links, target=target, project_id=project_id))])
        return entry

    def begin_group(self, intents: Sequence[Intent]) -> list[Entry]:
        """Put the intents of several writes on disk together: one append, one fsync, all or none of them
        (a short write is cut back off the file). Each intent is a record of its own, as ``begin`` writes it;
        when the append fails, every entry says so (``written`` False, the same ``problem``)."""
        return self._put([self._intent_record(i) for i in intents])

    def _intent_record(self, intent: Intent) -> Record:
        return self._new(intent.operation, outcome="pending: sent, no answer yet", status=PENDING, **intent.fields)

    def _put(self, recs: list[Record]) -> list[Entry]:
        """The intents ``recs`` appended and flushed as one group (``begin_group`` without making them)."""
        if not recs:
            return []
        # the C encoder; any depth still written
        data = "".join(json_text(rec.to_json(), indent=None) + "\n" for rec in recs)
        try:
            self._append(data)
        except OSError as exc:
            problem, error = unwritable(exc), str(exc.strerror or exc)
            return [Entry(rec, False, problem, error) for rec in recs]
        return [Entry(rec, True) for rec in recs]

    async def begin_async(self, operation: str, **fields: Any) -> Entry:
        """``begin`` from a coroutine: the intent appended at once, then its fsync in a thread, so the other
        writes in flight go on meanwhile. Group commit: intents appended while an fsync is under way wait for
        the next one, which covers them all (one fsync for several, each still on disk before it returns,
        each a record of its own). A cancel while it waits for the disk waits for the fsync to end, then
        records the intent as not sent, and the cancel goes on."""
        rec = self._intent_record(Intent(operation, fields))
        try:
            fd, file_id = self._write_open(json_text(rec.to_json(), indent=None).encode("utf-8") + b"\n")
        except OSError as exc:
            return Entry(rec, False, unwritable(exc), str(exc.strerror or exc))
        synced = self._sync_later(fd, file_id)
        try:
            await asyncio.shield(synced)
        except asyncio.CancelledError:
            while not synced.done():  # the disk is still being flushed: wait for it, then say not sent
                try:
                    await asyncio.shield(synced)
                except asyncio.CancelledError:
                    continue
            entry = _synced_entry(rec, synced)
            self.finish(entry, NOT_LANDED, "not sent: given up before the request left")
            raise
        return _synced_entry(rec, synced)

    def _sync_later(self, fd: int, file_id: tuple[int, int]) -> asyncio.Future[None]:
        """The fsync that will cover what was just written through ``fd`` (which it closes): the next one to
        start, shared by every write made before it starts."""
        loop = asyncio.get_running_loop()
        state = self.__dict__.get("_group")
        if state is None or state.loop is not loop or loop.is_closed():
            state = self.__dict__["_group"] = _GroupCommit(loop)
        return state.add(fd, file_id)

    async def begin_group_async(self, intents: Sequence[Intent]) -> list[Entry]:
        """``begin_group`` in a thread. A cancel while it writes waits for the write to end (an fsync's time),
        then records every intent of the group as not sent, and the cancel goes on."""
        task = asyncio.ensure_future(asyncio.to_thread(self.begin_group, list(intents)))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            while not task.done():  # the thread writes on: wait for it, then say not sent
                try:
                    await asyncio.shield(task)
                except asyncio.CancelledError:
                    continue
            if not task.cancelled() and task.exception() is None:
                for entry in task.result():
                    self.finish(entry, NOT_LANDED, "not sent: given up before the request left")
            raise

    def _new(self, operation: str, **fields: Any) -> Record:
        """A new record of this journal's server, profile, user and source."""
        time = now_text()  # 2026-12-08T02:51:26.123+00:00: the id starts with its second, 20261208025126
        stamp = f"{time[0:4]}{time[5:7]}{time[8:10]}{time[11:13]}{time[14:16]}{time[17:19]}"
        return Record(id=f"{stamp}-{_IDS.getrandbits(32):08x}", time=time, server=self.server, operation=operation,
                      after=None, profile=self.profile, user_id=self.user_id, source=self.source, batch=_BATCH.get(),
                      **fields)

    def finish(self, entry: Entry, status: str, outcome: str, *, after: dict[str, Any] | None = None,
               identity_id: str | None = None, note: str = "", checked: str = "") -> tuple[Record, str | None]:
        """Append the outcome of a write begun with ``begin``; returns the whole record and why it could
        not be written (None when it was)."""
        rec = self._finished(entry, status, outcome, after=after, identity_id=identity_id, note=note, checked=checked)
        # An outcome line is written at once but not waited onto the disk: its intent is there already, and
        # were it lost (the machine, not the process, going down) the record reads pending and a read settles
        # it. A record written whole (its intent could not be) is flushed like an intent.
        problem = self._write(_outcome_line(rec), sync=False) if entry.written else self._write(rec.to_json())
        self._track(rec)
        return rec, problem

    def _finished(self, entry: Entry, status: str, outcome: str, *, after: dict[str, Any] | None = None,
                  identity_id: str | None = None, note: str = "", checked: str = "") -> Record:
        assert status in STATUSES
        return entry.record.but(status=status, outcome=outcome, after=after,
                       identity_id=identity_id or entry.record.identity_id, done=now_text(),
                       note=note or entry.record.note, checked=checked)

    def settle(self, rec: Record, status: str, outcome: str, *, after: dict[str, Any] | None = None,
               identity_id: str | None = None, checked: str) -> tuple[Record, str | None]:
        """Append what a later read of the server found of an unsettled record."""
        settled = rec.but(status=status, outcome=outcome, after=after if after is not None else rec.after,
                          identity_id=identity_id or rec.identity_id, done=rec.done or now_text(), checked=checked)
        problem = self._write(_outcome_line(settled), sync=False)
        self._track(settled)
        return settled, problem

    def record(self, operation: str, *, identity_id: str | None, identifier_key: str | None,
               requests: list[dict[str, Any]], before: dict[str, Any] | None, after: dict[str, Any] | None,
               outcome: str, status: str = "", undoes: str | None = None, note: str = "",
               links: dict[str, list[str]] | None = None,
               target: dict[str, str] | None = None) -> tuple[Record, str | None]:
        """A write whose outcome is known at once, as one whole line (intent and outcome together)."""
        entry = Entry(self._new(operation, identity_id=identity_id, identifier_key=identifier_key, requests=requests,
                                before=before, outcome=outcome, undoes=undoes, note=note, links=links,
                                target=target), written=False)
        return self.finish(entry, status or _status_of(outcome), outcome, after=after, note=note)

    def given_up(self, entry: Entry, *, after: dict[str, Any] | None = None) -> None:
        """The caller stopped waiting (a cancel) while the request was in flight: it may still land."""
        self.finish(entry, UNKNOWN, "unknown: given up while waiting for the answer; a later read settles it",
                    after=after)

    def _track(self, rec: Record) -> None:
        if rec.operation == "create":
            if rec.settled:
                self.unsettled_creates.pop((rec.project_id, rec.identifier_key), None)
            else:
                self.unsettled_creates[(rec.project_id, rec.identifier_key)] = rec
        if rec.identity_id is None:
            return
        if rec.settled:
            self.unsettled.pop(rec.identity_id, None)
        else:
            self.unsettled[rec.identity_id] = rec

    def _write(self, data: dict[str, Any], *, sync: bool = True) -> str | None:
        try:
            self._append(json_text(data, indent=None) + "\n", sync=sync)
        except OSError as exc:
            return unwritable(exc)
        return None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the lock on ``<file>.lock``: flock against other processes, and a thread lock against this
        process's other threads (they share the one descriptor, which flock does not tell apart).

        The lock file stays open between appends, as the journal's file does, so a lock is two calls rather than
        an open, a lock and a close. ``_write_open`` checks it is still the file at its path whenever the
        journal's file is not the one it kept (removed, rotated by another process, or a first append)."""
        if fcntl is None:  # pragma: no cover - Windows
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            yield
            return
        with self._mutex:
            fd = self._lock_fd()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _lock_fd(self) -> int:
        """The lock file's descriptor, opened (and the directory made) when there is none for this path."""
        path = self._lock_path
        kept: _OpenFile | None = self.__dict__.get("_lock")
        if kept is not None and kept.path == path:
            return kept.fd
        if kept is not None:
            kept.close()
        try:
            kept = _OpenFile.of(self, path, os.O_RDWR | os.O_CREAT)
        except FileNotFoundError:  # the first write: the directory is made then (not once per append)
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            kept = _OpenFile.of(self, path, os.O_RDWR | os.O_CREAT)
        self.__dict__["_lock"] = kept
        return kept.fd

    def _lock_current(self) -> bool:
        """Whether the lock file this journal holds is still the one at its path (not removed, not replaced)."""
        kept: _OpenFile | None = self.__dict__.get("_lock")
        if kept is None:  # pragma: no cover - Windows: no lock file
            return True
        try:
            st = os.stat(kept.path)
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) == kept.file_id

    def _drop_lock(self) -> None:
        kept: _OpenFile | None = self.__dict__.pop("_lock", None)
        if kept is not None:
            kept.close()

    def _append(self, line: str, *, sync: bool = True) -> None:
        fd, _ = self._write_open(line.encode("utf-8"), dup=sync)
        if fd < 0:
            return
        try:
            # The fsync after the lock is let go: the lines are in the file already, and another writer (an
            # outcome line, on the event loop) need not wait for the disk. Rotated meanwhile, the descriptor
            # still names the file these lines are in.
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write_open(self, data: bytes, *, dup: bool = True) -> tuple[int, tuple[int, int]]:
        """``_append_locked`` under a lock known to be the one at the lock file's path: when the journal's file
        is not the one kept and the lock file was removed or replaced meanwhile (a state directory removed and
        made again), the lock is opened again and the append made under it."""
        for _ in range(3):
            written = self._append_locked(data, dup=dup)
            if written is not None:
                return written
            self._drop_lock()
        raise OSError(errno.EAGAIN, "the journal's lock file kept being removed")

    def _append_locked(self, data: bytes, *, dup: bool) -> tuple[int, tuple[int, int]] | None:
        """Append ``data`` whole under the lock (rotating first when it would pass ``max_bytes``); a
        descriptor of the file it went to, for its fsync (the caller closes it; -1 unless ``dup``), and which
        file that is.

        The file stays open between appends (one open per file, not per line): a stat under the lock tells
        when it was rotated or removed meanwhile (by this process or another), and then it is opened again.
        Only when the file ends elsewhere than this journal's last append left it is its last byte read, to
        close a line torn earlier."""
        with self._locked():
            try:
                st: os.stat_result | None = os.stat(self.path)
            except FileNotFoundError:
                st = None
            kept: _OpenFile | None = self.__dict__.get("_open")
            if (st is None or kept is None or (st.st_dev, st.st_ino) != kept.file_id) and not self._lock_current():
                return None  # held on a lock file no longer at its path: another process would not see it
            size = st.st_size if st is not None else 0
            if size and size + len(data) > self.max_bytes:
                self._rotate()
                size, st = 0, None
            if kept is not None and (st is None or (st.st_dev, st.st_ino) != kept.file_id):
                kept.close()
                kept = None
            if kept is None:
                kept = self.__dict__["_open"] = _OpenFile.of(self, self.path)
            if size and size != kept.end and os.pread(kept.fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a line torn earlier ends here, and stays a damaged line of its own
            kept.end = -1  # until the write is known whole
            _write_all(kept.fd, data, size)
            kept.end = size + len(data)
            return (os.dup(kept.fd) if dup else -1), kept.file_id

    def _rotate(self) -> None:
        base = self.path
        oldest = base.with_name(f"{base.name}.{self.keep}")
        oldest.unlink(missing_ok=True)
        for n in range(self.keep - 1, 0, -1):
            older = base.with_name(f"{base.name}.{n}")
            if older.exists():
                older.rename(base.with_name(f"{base.name}.{n + 1}"))
        base.rename(base.with_name(f"{base.name}.1"))

    # -- reading ----------------------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The journal's files, oldest first."""
        rotated = [self.path.with_name(f"{self.path.name}.{n}") for n in range(self.keep, 0, -1)]
        return [p for p in [*rotated, self.path] if p.exists()]

    def records(self) -> Iterator[Record]:
        """Every readable record, oldest first, with its latest outcome; a damaged line adds a warning."""
        found: dict[str, Record] = {}
        for path, number, data in self._lines():
            if isinstance(data, dict) and "outcome_of" in data:
                rec = found.get(str(data["outcome_of"]))
                if rec is None:
                    continue  # its intent was rotated away
                changes = {k: data[k] for k in _OUTCOME_FIELDS if k in data}
                try:
                    found[rec.id] = Record.from_json({**rec.to_json(), **changes})
                except (ValueError, TypeError) as exc:
                    self.warnings.append(f"{path.name} line {number} is damaged and was skipped ({exc}).")
                continue
            try:
                rec = Record.from_json(data)
            except (ValueError, TypeError) as exc:
                self.warnings.append(f"{path.name} line {number} is damaged and was skipped ({exc}).")
                continue
            found[rec.id] = rec
        yield from found.values()

    def _lines(self) -> Iterator[tuple[Path, int, Any]]:
        for path in self.files():
            try:
                stream = open(path, "rb")
            except FileNotFoundError:  # rotated away while this was reading
                continue
            with stream:
                for number, raw in enumerate(stream, 1):
                    if not raw.strip():
                        continue
                    try:
                        yield path, number, loads(raw.decode("utf-8"))
                    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                        self.warnings.append(f"{path.name} line {number} is damaged and was skipped ({exc}).")

    def find(self, record_id: str) -> Record | None:
        found = None
        for rec in self.records():
            if rec.id == record_id or rec.id.endswith(record_id) and len(record_id) >= 6:
                found = rec
        return found


def _outcome_line(rec: Record) -> dict[str, Any]:
    """The line that tells what became of a record whose intent is on disk already."""
    return {"id": rec.id, "outcome_of": rec.id, **{k: getattr(rec, k) for k in _OUTCOME_FIELDS}}


def _write_all(fd: int, data: bytes, size: int) -> None:
    """Write ``data`` whole, or cut what was written back off the file and raise."""
    done = 0
    try:
        while done < len(data):
            done += os.write(fd, data[done:])
    except OSError:
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass  # the torn line stays; the next record starts on a line of its own
        raise


def wire_requests(requests: Iterable[PlannedRequest]) -> list[dict[str, Any]]:
    """Planned requests as a record keeps them."""
    return [{"method": r.method, "path": r.path, "body": r.body} for r in requests]


def image(identity: Identity | dict[str, Any] | None) -> dict[str, Any] | None:
    """An identity (model or the server's JSON) as a record keeps it."""
    if identity is None:
        return None
    if isinstance(identity, dict):
        return identity
    return identity.wire()
