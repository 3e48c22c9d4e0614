"""Every writer x every fault: what the server holds, what the journal says, and what undo then does.

The writers: a save by PATCH and by PUT, a create, a delete, a link, an import row, and an undo. The faults
hit the write itself: refused (409), a 5xx, a timeout before it reached the server, the answer lost after
it landed, a write that lands after the caller gave up, the server stopped from the write on (then back),
a full disk under the journal, and another writer changing the same or another field after it.

The journal is judged by its promise: a landed write is journaled with its true after-state; a write that
did not land is never undone; an undo never overwrites what another writer changed. The lost-answer and
late-landing rows run on a real Letta server too, when ``LETTA_CONTRACT_URL`` is set.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from identity_tui.core import bulk, deletion, journal_check
from identity_tui.core import journal as journal_mod
from identity_tui.core import links as link_ops
from identity_tui.core import transaction as tx
from identity_tui.core import undo as undo_ops
from identity_tui.core.bulk_files import Row
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.journal import LANDED, NOT_LANDED, Journal, Record
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.sandbox import Sandbox
from tests.contract.helpers import AGENT_BODY
from tests.support.faults import FaultyTransport, Match
from tests.support.full_disk import FullDisk

LETTA_URL = os.environ.get("LETTA_CONTRACT_URL", "").strip()
LETTA_TOKEN = os.environ.get("LETTA_CONTRACT_TOKEN", "").strip() or None
SANDBOX_URL = "http://sandbox.invalid"

WRITERS = ("save-patch", "save-put", "create", "delete", "link", "import-row", "undo")
FAULTS = ("refused", "5xx", "timeout", "lost-after-landing", "landed-late", "server-stopped", "disk-full",
          "concurrent-same", "concurrent-other")
ON_THE_REAL_SERVER = ("lost-after-landing", "landed-late")
LANDS = {"lost-after-landing", "landed-late", "disk-full", "concurrent-same", "concurrent-other"}


@dataclass
class World:
    client: LettaClient  # the writer's, through the faults, keeping the journal
    mine: LettaClient  # the same journal, no faults: for setting up and for the undo afterwards
    other: LettaClient  # someone else: no journal
    faulty: FaultyTransport
    journal: Journal
    identity: Identity
    agent_id: str = ""
    made: list[str] = field(default_factory=list)  # keys to clean up on a real server

    async def now(self) -> Identity:
        return await self.other.get(self.identity.id)

    def prop(self, identity: Identity, key: str) -> Any:
        return next((p.value for p in identity.properties if p.key == key), None)


def _params() -> list[Any]:
    out = [pytest.param("sandbox", w, f, id=f"sandbox-{w}-{f}") for w in WRITERS for f in FAULTS]
    if LETTA_URL:
        out += [pytest.param("letta", w, f, id=f"letta-{w}-{f}", marks=pytest.mark.letta)
                for w in WRITERS for f in ON_THE_REAL_SERVER]
    return out


async def _world(backend: str, tmp_path) -> tuple[World, Callable[[], Awaitable[None]]]:
    journal = Journal(tmp_path / "journal", "matrix")
    sandbox = None
    if backend == "sandbox":
        sandbox = Sandbox(path=":memory:")
        url, token = SANDBOX_URL, None

        def inner() -> httpx.AsyncBaseTransport:
            return sandbox.transport()
    else:
        url, token = LETTA_URL, LETTA_TOKEN

        def inner() -> httpx.AsyncBaseTransport:
            return httpx.AsyncHTTPTransport()
    options = ClientOptions(retries=0, connect_timeout=5.0, read_timeout=30.0)
    faulty = FaultyTransport(inner())
    client = LettaClient(url, token=token, transport=faulty, options=options)
    mine = LettaClient(url, token=token, transport=inner(), options=options)
    other = LettaClient(url, token=token, transport=inner(), options=options)
    client.journal = mine.journal = journal
    key = f"fm-{uuid.uuid4().hex[:12]}"
    identity = await other.create({"identifier_key": key, "name": "Matrix", "identity_type": "org", "properties": [
        {"key": "a", "type": "number", "value": 1}, {"key": "b", "type": "string", "value": "x"}]})
    world = World(client, mine, other, faulty, journal, identity, made=[key])
    if backend == "sandbox":
        agent = await other.request("POST", "/v1/agents/", body={"name": f"fm-{key}"})
    else:
        agent = await other.request("POST", "/v1/agents/", body={"name": f"fm-{key}", **AGENT_BODY})
    world.agent_id = agent["id"]

    async def close() -> None:
        if backend == "letta":
            for made in world.made:
                for found in await other.list_identities(identifier_key=made, limit=50):
                    try:
                        await other.delete(found.id)
                    except LettaError:
                        pass
            try:
                await other.request("DELETE", f"/v1/agents/{world.agent_id}")
            except LettaError:
                pass
        for c in (client, mine, other):
            await c.aclose()
        if sandbox is not None:
            sandbox.close()

    return world, close


# -- the writers: what each sends, how to tell it landed, and the change another writer makes after it --------


def _with(draft: Draft, key: str, ptype: str, value: Any) -> Draft:
    row = DraftProperty(key, PropertyType(ptype), value)
    rows = [row if p.key == key else p for p in draft.properties]
    if row not in rows:
        rows.append(row)
    return replace(draft, properties=tuple(rows))


def _without(draft: Draft, key: str) -> Draft:
    return replace(draft, properties=tuple(p for p in draft.properties if p.key != key))


async def _save(w: World, draft: Draft) -> Any:
    prepared = await tx.prepare(w.client, w.identity, draft)
    assert prepared.job is not None, prepared
    return await tx.send(w.client, prepared.job)


def _new_key(w: World) -> str:
    key = f"fm-new-{uuid.uuid4().hex[:10]}"
    w.made.append(key)
    return key


@dataclass(frozen=True)
class Writer:
    act: Callable[[World], Awaitable[Any]]
    landed: Callable[[World], Awaitable[bool]]
    match: Match
    # another writer, after ours: on the same field (the undo must refuse) and on another one (the undo keeps it)
    same: Callable[[World], Awaitable[None]]
    other_field: Callable[[World], Awaitable[None]]
    theirs_kept: Callable[[World, str], Awaitable[bool]]  # (world, "same"|"other"): their change is still there
    setup: Callable[[World], Awaitable[None]] | None = None  # before the fault is armed


def _is(method: str, part: str = "") -> Match:
    return lambda r: r.method == method and part in r.url.path


async def _patch_a(w: World, value: Any) -> None:
    await w.other.update(w.identity.id, {"properties": [{"key": "a", "type": "number", "value": value}]})


async def _rename(w: World) -> None:
    await w.other.update(w.identity.id, {"name": "Theirs"})


async def _their_value(w: World, which: str, same_key: str = "a", same_value: Any = 99) -> bool:
    now = await w.now()
    return w.prop(now, same_key) == same_value if which == "same" else now.name == "Theirs"


async def _created(w: World) -> Identity | None:
    return await w.other.find_by_key(w.made[-1], None)


async def _create_act(w: World) -> Any:
    draft = Draft("Created", _new_key(w), IdentityType.USER, (DraftProperty("c", PropertyType.NUMBER, 1),))
    return await tx.send(w.client, tx.prepare_create(draft).job)


async def _created_changed(w: World, which: str) -> None:
    found = await _created(w)
    assert found is not None
    body = {"name": "Theirs"} if which == "same" else {"properties": [{"key": "d", "type": "string", "value": "t"}]}
    await w.other.update(found.id, body)


async def _created_kept(w: World, which: str) -> bool:
    found = await _created(w)
    return found is not None and (found.name == "Theirs" if which == "same" else
                                  any(p.key == "d" for p in found.properties))


async def _gone(w: World) -> bool:
    try:
        await w.other.get(w.identity.id)
    except NotFound:
        return True
    return False


async def _recreate_same_key(w: World) -> None:
    await w.other.create({"identifier_key": w.identity.identifier_key, "name": "Theirs", "identity_type": "org"})


async def _create_another(w: World) -> None:
    await w.other.create({"identifier_key": _new_key(w), "name": "Theirs", "identity_type": "org"})


async def _deleted_theirs_kept(w: World, which: str) -> bool:
    key = w.identity.identifier_key if which == "same" else w.made[-1]
    found = await w.other.find_by_key(key, None)
    return found is not None and found.name == "Theirs"


async def _linked(w: World) -> bool:
    return w.agent_id in {a.get("id") for a in await link_ops.linked(w.other, w.identity.id, "agent")}


async def _unlink_theirs(w: World) -> None:
    await w.other.detach_agent(w.agent_id, w.identity.id)


async def _link_theirs_kept(w: World, which: str) -> bool:
    if which == "same":
        return not await _linked(w)  # they unlinked it: the undo must not link it again
    return (await w.now()).name == "Theirs"


async def _import_act(w: World) -> Any:
    data = {"identifier_key": w.identity.identifier_key, "name": "Matrix", "identity_type": "org",
            "properties": [{"key": "a", "type": "number", "value": 3}]}
    plan = await bulk.plan_import(w.client, [Row(1, data)])
    (row,) = plan.rows
    assert row.kind == bulk.UPDATE, row
    return await bulk.apply_row(w.client, row)


async def _undo_setup(w: World) -> None:
    # First a save that landed (a: 1 -> 2), through the journal; the writer under test is its undo.
    prepared = await tx.prepare(w.mine, w.identity, _with(Draft.of(w.identity), "a", "number", 2))
    assert isinstance(await tx.send(w.mine, prepared.job), tx.Saved)


async def _undo_act(w: World) -> Any:
    rec = list(w.journal.records())[-1]
    plan = await undo_ops.plan_undo(w.client, rec, w.journal)
    assert plan.prepared is not None and plan.prepared.job is not None, plan
    return await undo_ops.apply_undo(w.client, plan)


async def _a_is(w: World, value: Any) -> bool:
    return w.prop(await w.now(), "a") == value


WRITER = {
    "save-patch": Writer(lambda w: _save(w, _with(Draft.of(w.identity), "a", "number", 2)),
                         lambda w: _a_is(w, 2), _is("PATCH", "/identities/"),
                         lambda w: _patch_a(w, 99), _rename, _their_value),
    "save-put": Writer(lambda w: _save(w, _without(Draft.of(w.identity), "b")),
                       lambda w: _no_b(w), _is("PUT"),
                       lambda w: w.other.update(w.identity.id, {"properties": [
                           {"key": "b", "type": "string", "value": "theirs"}]}),
                       _rename, lambda w, which: _their_value(w, which, "b", "theirs")),
    "create": Writer(_create_act, lambda w: _present(w), _is("POST", "/identities"),
                     lambda w: _created_changed(w, "same"), lambda w: _created_changed(w, "other"), _created_kept),
    "delete": Writer(lambda w: deletion.delete(w.client, w.identity.id), _gone, _is("DELETE"),
                     _recreate_same_key, _create_another, _deleted_theirs_kept),
    "link": Writer(lambda w: link_ops.change(w.client, w.identity.id, "agent", w.agent_id, attach=True),
                   _linked, _is("PATCH", "/attach/"), _unlink_theirs, _rename, _link_theirs_kept),
    "import-row": Writer(_import_act, lambda w: _a_is(w, 3), _is("PATCH", "/identities/"),
                         lambda w: _patch_a(w, 99), _rename, _their_value),
    "undo": Writer(_undo_act, lambda w: _a_is(w, 1), _is("PATCH", "/identities/"),
                   lambda w: _patch_a(w, 99), _rename, _their_value, _undo_setup),
}


async def _no_b(w: World) -> bool:
    return all(p.key != "b" for p in (await w.now()).properties)


async def _present(w: World) -> bool:
    return await _created(w) is not None


def _stopped_from_the_write_on(match: Match) -> Match:
    """Every request fails from the write on, reads too: a server that stopped."""
    state = {"down": False}

    def down(request: httpx.Request) -> bool:
        state["down"] = state["down"] or match(request)
        return state["down"]

    return down


def _later() -> datetime:
    return datetime.now(timezone.utc) + timedelta(seconds=journal_check.SETTLE_AFTER + 1)


# -- the matrix ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("backend", "writer", "fault"), _params())
async def test_every_writer_under_every_fault(backend, writer, fault, tmp_path, monkeypatch):
    w, close = await _world(backend, tmp_path)
    spec = WRITER[writer]
    try:
        if spec.setup is not None:
            await spec.setup(w)
        before_ids = {r.id for r in w.journal.records()}
        if fault == "refused":
            w.faulty.arm("409", spec.match, times=1)
        elif fault == "5xx":
            w.faulty.arm("500", spec.match, times=1)
        elif fault == "timeout":
            w.faulty.arm("timeout", spec.match, times=1)
        elif fault == "lost-after-landing":
            w.faulty.arm("dropped", spec.match, times=1)
        elif fault == "landed-late":
            w.faulty.arm("late", spec.match, times=1)
        elif fault == "server-stopped":
            w.faulty.arm("refused", _stopped_from_the_write_on(spec.match))
        disk = FullDisk(monkeypatch)
        if fault == "disk-full":
            disk.full()
        try:
            result: Any = await spec.act(w)
        except LettaError as exc:
            result = exc
        disk.room()
        w.faulty.arm(None)  # the server is back, and answers
        if fault == "landed-late":
            assert not await spec.landed(w), "landed before it was let through"
            w.faulty.release.set()
            await asyncio.wait_for(asyncio.gather(*w.faulty.landing), 30)

        # What the server holds.
        assert await spec.landed(w) == (fault in LANDS), f"{writer} under {fault}: {result!r}"

        # What the journal says.
        new = [r for r in w.journal.records() if r.id not in before_ids]
        assert w.journal.warnings == []
        if fault == "disk-full":
            assert new == [], "nothing could be written, so nothing is on disk"
            problem = getattr(result, "journal_problem", None)
            if writer in ("save-patch", "save-put", "create", "delete", "link"):
                assert problem and "No space left on device" in problem
            # The journal is not damaged: the next record reads back whole.
            rec, problem = w.journal.record("update", identity_id="x", identifier_key="k", requests=[], before=None,
                                            after=None, outcome="saved")
            assert problem is None and list(w.journal.records())[-1] == rec and w.journal.warnings == []
            return
        (rec,) = new[-1:]
        if fault in ("5xx", "timeout"):
            # Not seen yet is not proof: it stays unknown until read well after it was sent.
            assert rec.status == journal_mod.UNKNOWN, rec
            assert (await journal_check.check(w.mine, w.journal, rec)).status == journal_mod.UNKNOWN
        elif fault == "server-stopped":
            # The connection was refused: nothing reached the server, and the journal knows it at once.
            assert rec.status == NOT_LANDED, rec
        settled = await journal_check.check(w.mine, w.journal, rec,
                                            now=_later if fault in ("5xx", "timeout", "server-stopped") else
                                            journal_check._now)
        assert settled.status == (LANDED if fault in LANDS else NOT_LANDED), (settled.status, settled.outcome)
        assert list(w.journal.records())[-1].status == settled.status  # the settling is on disk too
        if settled.status == LANDED and writer in ("save-patch", "save-put", "import-row", "undo", "create"):
            after = Identity.model_validate(settled.after)
            held = await (w.other.find_by_key(w.made[-1], None) if writer == "create" else w.now())
            assert after == held, "the after-state is what the server holds"

        # Another writer changes something after ours.
        if fault == "concurrent-same":
            await spec.same(w)
        elif fault == "concurrent-other":
            await spec.other_field(w)

        # What undo then does.
        w.mine.sent.clear()
        plan = await undo_ops.plan_undo(w.mine, settled, w.journal)
        if settled.status != LANDED:
            assert "did not land" in plan.problem
            assert [s for s in w.mine.sent if s.method != "GET"] == []
            assert await spec.landed(w) is False
            return
        try:
            if plan.problem or plan.nothing or (plan.prepared is not None and plan.prepared.conflicts):
                outcome: Any = plan
            else:
                outcome = await undo_ops.apply_undo(w.mine, plan)
        except LettaError as exc:
            outcome = exc
        if fault == "concurrent-same":
            assert await spec.theirs_kept(w, "same"), f"the undo overwrote their change: {outcome!r}"
        elif fault == "concurrent-other":
            assert await spec.theirs_kept(w, "other"), f"the undo overwrote their change: {outcome!r}"
            if writer not in ("create",):  # a created identity changed since is never deleted by an undo
                assert isinstance(outcome, undo_ops.UndoDone), outcome
                if writer == "delete":
                    assert await w.other.find_by_key(w.identity.identifier_key, None) is not None
                else:
                    assert not await spec.landed(w), "undo put it back"
        else:
            assert isinstance(outcome, undo_ops.UndoDone), outcome
            if writer == "delete":
                assert await w.other.find_by_key(w.identity.identifier_key, None) is not None
            else:
                assert not await spec.landed(w), "undo put it back"
            undo = list(w.journal.records())[-1]
            assert undo.undoes == settled.id and undo.landed
    finally:
        await close()


# -- the same faults as single cases, named as they were found -----------------------------------------------


@pytest.fixture
async def world(tmp_path):
    w, close = await _world("sandbox", tmp_path)
    yield w
    await close()


async def test_a_refused_write_is_never_undone_and_a_colleagues_change_survives(world):
    w = world
    other_key = f"fm-u2-{uuid.uuid4().hex[:8]}"
    await w.other.create({"identifier_key": other_key, "name": "U2", "identity_type": "org"})
    prepared = await tx.prepare(w.client, w.identity, replace(Draft.of(w.identity), identifier_key=other_key))
    outcome = await tx.send(w.client, prepared.job)
    assert isinstance(outcome, tx.Failed) and not outcome.lost  # the server's 409
    rec = list(w.journal.records())[-1]
    assert rec.status == NOT_LANDED and rec.after is None
    await w.other.update(w.identity.id, {"name": "Colleague", "properties": [
        {"key": "a", "type": "number", "value": 7}, {"key": "seats", "type": "number", "value": 99}]})
    plan = await undo_ops.plan_undo(w.mine, rec, w.journal)
    assert "did not land" in plan.problem
    picked, why = await undo_ops.pick(w.mine, w.journal, key=w.identity.identifier_key)
    assert picked is None and "did not land" in why
    now = await w.now()
    assert now.name == "Colleague" and w.prop(now, "a") == 7 and w.prop(now, "seats") == 99


async def test_a_patch_that_landed_and_lost_its_answer_is_journaled_as_landed(world):
    w = world
    w.client.options = ClientOptions(retries=2, backoff=0.0, backoff_cap=0.0)  # the command line's retries
    w.faulty.arm("dropped", _is("PATCH"), times=None)
    outcome = await _save(w, _with(Draft.of(w.identity), "a", "number", 5))
    w.faulty.arm(None)
    assert isinstance(outcome, tx.Saved)
    (rec,) = list(w.journal.records())
    assert rec.status == LANDED and Identity.model_validate(rec.after).properties[0].value == 5


async def test_a_read_back_judges_only_what_this_write_sent(world):
    """Two writers setting different properties at once: neither counts the other's change as its failure."""
    w = world
    prepared = await tx.prepare(w.client, w.identity, _with(Draft.of(w.identity), "a", "number", 2))
    await w.other.update(w.identity.id, {"properties": [{"key": "b", "type": "string", "value": "theirs"}]})
    outcome = await tx.send(w.client, prepared.job)
    assert isinstance(outcome, tx.Saved) and outcome.dropped == []
    now = await w.now()
    assert w.prop(now, "a") == 2 and w.prop(now, "b") == "theirs"


async def test_a_cancelled_save_that_lands_later_is_in_the_journal_and_can_be_undone(world):
    w = world
    w.faulty.arm("hang_after", _is("PATCH"), times=1)  # the server acts; the answer never comes
    prepared = await tx.prepare(w.client, w.identity, _with(Draft.of(w.identity), "a", "number", 4))
    task = asyncio.ensure_future(tx.send(w.client, prepared.job))
    await asyncio.wait_for(w.faulty.hanging.wait(), 30)
    task.cancel()  # esc: the app gives up waiting
    with pytest.raises(asyncio.CancelledError):
        await task
    (rec,) = list(w.journal.records())
    assert rec.status == journal_mod.UNKNOWN and rec.before is not None
    settled = (await journal_check.settle_all(w.mine, w.journal, [rec]))[0]
    assert settled.status == LANDED
    done = await undo_ops.apply_undo(w.mine, await undo_ops.plan_undo(w.mine, settled, w.journal))
    assert done.status == "restored" and await _a_is(w, 1)


async def test_undo_reads_the_server_right_before_sending(world):
    """A change made while the undo's preview stood open is met by the merge, never overwritten."""
    w = world
    prepared = await tx.prepare(w.mine, w.identity, _with(Draft.of(w.identity), "a", "number", 2))
    await tx.send(w.mine, prepared.job)
    rec = list(w.journal.records())[-1]
    plan = await undo_ops.plan_undo(w.mine, rec, w.journal)
    assert plan.prepared is not None and plan.prepared.job is not None
    await _patch_a(w, 42)  # while the preview is open
    w.mine.sent.clear()
    with pytest.raises(undo_ops.UndoConflict):
        await undo_ops.apply_undo(w.mine, plan)
    assert [s.method for s in w.mine.sent] == ["GET"]
    assert await _a_is(w, 42)


async def test_undo_steps_back_and_never_redoes(world):
    w = world
    first = await tx.prepare(w.mine, w.identity, _with(Draft.of(w.identity), "a", "number", 2))
    saved = await tx.send(w.mine, first.job)
    second = await tx.prepare(w.mine, saved.identity, replace(Draft.of(saved.identity), name="Second"))
    await tx.send(w.mine, second.job)
    for expected_name, expected_a in (("Matrix", 2), ("Matrix", 1)):
        rec, _ = await undo_ops.pick(w.mine, w.journal, key=w.identity.identifier_key)
        assert rec is not None and rec.undoes is None
        await undo_ops.apply_undo(w.mine, await undo_ops.plan_undo(w.mine, rec, w.journal))
        now = await w.now()
        assert (now.name, w.prop(now, "a")) == (expected_name, expected_a)
    rec, why = await undo_ops.pick(w.mine, w.journal, key=w.identity.identifier_key)
    assert rec is None and "Nothing recorded" in why


async def test_undo_of_a_create_never_deletes_an_identity_edited_after_it(world):
    w = world
    await _create_act(w)
    found = await _created(w)
    await w.other.update(found.id, {"name": "Edited"})
    rec = list(w.journal.records())[-1]
    plan = await undo_ops.plan_undo(w.mine, rec, w.journal)
    assert plan.delete_id is None and "changed since" in plan.problem
    assert (await _created(w)).name == "Edited"


def test_an_intent_is_on_disk_and_flushed_before_the_request_leaves(tmp_path, monkeypatch):
    """The write-ahead promise: when the request reaches the server, its intent has been fsync'd."""
    flushed: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(journal_mod.os, "fsync", lambda fd: (flushed.append(fd), real_fsync(fd))[1])
    sandbox = Sandbox(path=":memory:")
    journal = Journal(tmp_path, "wal")
    seen: list[tuple[int, list[Record]]] = []

    class Watching(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = sandbox.transport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method != "GET":
                seen.append((len(flushed), list(journal.records())))
            return await self.inner.handle_async_request(request)

    async def run() -> None:
        client = LettaClient(SANDBOX_URL, transport=Watching(), options=ClientOptions(retries=0))
        client.journal = journal
        draft = Draft("W", "wal-key", IdentityType.USER, (DraftProperty("a", PropertyType.NUMBER, 1),))
        created = await tx.send(client, tx.prepare_create(draft).job)
        prepared = await tx.prepare(client, created.identity, _with(Draft.of(created.identity), "a", "number", 2))
        await tx.send(client, prepared.job)
        await deletion.delete(client, created.identity.id)
        await client.aclose()

    asyncio.run(run())
    sandbox.close()
    assert len(seen) == 3
    for flushes, on_disk in seen:
        assert flushes >= 1 and on_disk[-1].status == journal_mod.PENDING
    assert [n for n, _ in seen] == sorted(n for n, _ in seen) and seen[0][0] < seen[1][0] < seen[2][0]


async def test_the_next_save_of_the_identity_settles_a_write_given_up_earlier(world):
    """The read before the next save is enough: no extra request, and the journal learns it landed."""
    w = world
    w.faulty.arm("hang_after", _is("PATCH"), times=1)
    prepared = await tx.prepare(w.client, w.identity, _with(Draft.of(w.identity), "a", "number", 4))
    task = asyncio.ensure_future(tx.send(w.client, prepared.job))
    await asyncio.wait_for(w.faulty.hanging.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    w.faulty.arm(None)
    assert list(w.journal.records())[-1].status == journal_mod.UNKNOWN
    w.client.sent.clear()
    again = await tx.prepare(w.client, w.identity, replace(_with(Draft.of(w.identity), "a", "number", 4), name="N"))
    assert [s.method for s in w.client.sent] == ["GET"]
    (rec,) = list(w.journal.records())
    assert rec.status == LANDED and Identity.model_validate(rec.after).properties[0].value == 4
    assert again.job is not None
