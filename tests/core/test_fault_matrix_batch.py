"""Every batch writer x every fault: what the server holds, what each item says, what the journal says, and
what one undo of the whole batch then does.

The writers are what the app's ``p`` (set a property on the marked identities), a removal of one, ``d``
(delete the marked) and the history's undo of a batch send: ``batch_plan.apply`` with ``save_one`` or
``delete_one`` over three identities, and ``plan_batch_undo`` + ``apply_batch_undo`` of a landed batch-set
of three. The fault hits the write to the middle one only (its method and its id in the path); the faults
are those of ``test_fault_matrix`` (whose helpers this reuses), and the promise is the same one: a landed
write is journaled under the batch with its true after-state, a write that did not land is never undone,
and an undo never overwrites what another writer changed since. The sandbox only.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from identity_tui.core import batch as batch_ops
from identity_tui.core import batch_plan as plan_ops
from identity_tui.core import journal_check
from identity_tui.core.client import LettaClient
from identity_tui.core.errors import NotFound
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.journal import LANDED, NOT_LANDED, UNKNOWN, Journal, Record
from identity_tui.core.kinds import PropertyType
from identity_tui.core.models import Identity
from identity_tui.sandbox import Sandbox
from tests.core.test_fault_matrix import FAULTS, LANDS, SANDBOX_URL, _later, _stopped_from_the_write_on
from tests.support.faults import FaultyTransport, Match
from tests.support.full_disk import NO_SPACE, FullDisk

WRITERS = ("batch-set", "batch-remove", "batch-delete", "batch-undo")
UNSURE = ("5xx", "timeout")  # unknown in the journal until read well after
# A stopped server refuses the connection: nothing reached it, which the journal and the report know at once.
NEVER_SENT = ("server-stopped",)
# What a lost answer says: not "failed" and done, but that it is not known, or may still land.
LOST_WORDS = re.compile(r"not known|may still land|may or may not")


@dataclass
class BatchWorld:
    client: LettaClient  # the app's: through the faults, keeping the journal
    mine: LettaClient  # the same journal, no faults: setup, settling, and the undo afterwards
    other: LettaClient  # someone else: no journal
    faulty: FaultyTransport
    journal: Journal
    three: list[Identity]
    before: str | None = None  # batch-undo: the landed batch-set it undoes

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.three]

    async def now(self, n: int) -> Identity | None:
        try:
            return await self.other.get(self.three[n].id)
        except NotFound:
            return None

    async def by_key(self, n: int) -> Identity | None:
        return await self.other.find_by_key(self.three[n].identifier_key, None)


def prop(identity: Identity | None, key: str) -> Any:
    return None if identity is None else next((p.value for p in identity.properties if p.key == key), None)


async def _world(tmp_path) -> tuple[BatchWorld, Callable[[], Awaitable[None]]]:
    sandbox = Sandbox(path=":memory:")
    options = ClientOptions(retries=0, connect_timeout=5.0, read_timeout=30.0)
    faulty = FaultyTransport(sandbox.transport())
    client = LettaClient(SANDBOX_URL, transport=faulty, options=options)
    mine = LettaClient(SANDBOX_URL, transport=sandbox.transport(), options=options)
    other = LettaClient(SANDBOX_URL, transport=sandbox.transport(), options=options)
    journal = Journal(tmp_path / "journal", "batch-matrix")
    client.journal = mine.journal = journal
    tag = uuid.uuid4().hex[:8]
    three = [await other.create({"identifier_key": f"bf-{tag}-{n}", "name": f"B{n}", "identity_type": "org",
                                 "properties": [{"key": "a", "type": "number", "value": 1},
                                                {"key": "b", "type": "string", "value": "x"}]})
             for n in range(3)]

    async def close() -> None:
        for c in (client, mine, other):
            await c.aclose()
        sandbox.close()

    return BatchWorld(client, mine, other, faulty, journal, three), close


# -- what each item said, the same for a batch's items and a batch undo's results --------------------------


@dataclass(frozen=True)
class Said:
    landed: bool  # the item says it landed (LANDED, or UNDONE for an undo)
    result: str
    message: str
    journal_problem: str  # why the journal could not record it ("" when it could)


def _items_said(items: list[plan_ops.Item]) -> dict[str, Said]:
    return {i.id: Said(i.result == plan_ops.LANDED, str(i.result), i.message, i.journal_problem) for i in items}


def _found(w: BatchWorld) -> list[tuple[dict[str, Any], Identity | None]]:
    return [(i.model_dump(mode="json"), i) for i in w.three]


async def _apply(client: LettaClient, items: list[plan_ops.Item], work: Any) -> str:
    """As the app's batch screen sends it: ``apply`` with the batch id it made, the default four in flight."""
    batch = batch_ops.new_batch_id()
    await plan_ops.apply(client, items, lambda item: work(client, item), batch=batch)
    return batch


async def _set_act(w: BatchWorld, client: LettaClient | None = None) -> tuple[str, dict[str, Said]]:
    items = plan_ops.plan_set(_found(w), plan_ops.set_property("a", PropertyType.NUMBER, 2))
    assert [i.plan for i in items] == [plan_ops.CHANGE] * 3
    batch = await _apply(client or w.client, items, plan_ops.save_one)
    return batch, _items_said(items)


async def _remove_act(w: BatchWorld) -> tuple[str, dict[str, Said]]:
    items = plan_ops.plan_set(_found(w), plan_ops.remove_property("b"))
    assert [i.plan for i in items] == [plan_ops.CHANGE] * 3
    return await _apply(w.client, items, plan_ops.save_one), _items_said(items)


async def _delete_act(w: BatchWorld) -> tuple[str, dict[str, Said]]:
    items = plan_ops.plan_delete(_found(w))
    return await _apply(w.client, items, plan_ops.delete_one), _items_said(items)


async def _undo_setup(w: BatchWorld) -> None:
    """A batch-set of a: 1 -> 2 on the three that landed, through the journal: the writer is its undo."""
    w.before, said = await _set_act(w, w.mine)
    assert all(s.landed for s in said.values()), said


async def _undo_act(w: BatchWorld) -> tuple[str, dict[str, Said]]:
    assert w.before is not None
    plan = await batch_ops.plan_batch_undo(w.client, w.journal, w.before)
    assert [i.kind for i in plan.items] == [batch_ops.UNDO] * 3
    batch, results = await batch_ops.apply_batch_undo(w.client, plan)
    return batch, {r.item.record.identity_id or "": Said(r.status == batch_ops.UNDONE, r.status, r.message,
                                                             r.journal_problem)
                   for r in results}


# -- the writers: how to tell each landed, and the change another writer makes after it ----------------------


@dataclass(frozen=True)
class BatchWriter:
    method: str  # of the write the fault hits
    act: Callable[[BatchWorld], Awaitable[tuple[str, dict[str, Said]]]]
    landed: Callable[[BatchWorld, int], Awaitable[bool]]  # its write to identity n is on the server
    reverted: Callable[[BatchWorld, int], Awaitable[bool]]  # an undo put identity n back
    same: Callable[[BatchWorld, int], Awaitable[None]]  # someone else changes what the write changed
    other_field: Callable[[BatchWorld, int], Awaitable[None]]  # someone else changes something else
    theirs_kept: Callable[[BatchWorld, int, str], Awaitable[bool]]  # (world, n, "same"|"other")
    setup: Callable[[BatchWorld], Awaitable[None]] | None = None


async def _a_is(w: BatchWorld, n: int, value: Any) -> bool:
    return prop(await w.now(n), "a") == value


async def _no_b(w: BatchWorld, n: int) -> bool:
    now = await w.now(n)
    return now is not None and all(p.key != "b" for p in now.properties)


async def _b_is(w: BatchWorld, n: int, value: Any) -> bool:
    return prop(await w.now(n), "b") == value


async def _gone(w: BatchWorld, n: int) -> bool:
    return await w.now(n) is None


async def _back(w: BatchWorld, n: int) -> bool:
    """Re-created by the undo: its key is there again, as it was (a new id)."""
    found = await w.by_key(n)
    return found is not None and found.name == f"B{n}" and (prop(found, "a"), prop(found, "b")) == (1, "x")


async def _set_prop(w: BatchWorld, n: int, key: str, ptype: str, value: Any) -> None:
    await w.other.update(w.ids[n], {"properties": [{"key": key, "type": ptype, "value": value}]})


async def _rename(w: BatchWorld, n: int) -> None:
    await w.other.update(w.ids[n], {"name": "Theirs"})


def _their(key: str, value: Any) -> Callable[[BatchWorld, int, str], Awaitable[bool]]:
    async def kept(w: BatchWorld, n: int, which: str) -> bool:
        now = await w.now(n)
        return prop(now, key) == value if which == "same" else now is not None and now.name == "Theirs"

    return kept


async def _recreate_same_key(w: BatchWorld, n: int) -> None:
    await w.other.create({"identifier_key": w.three[n].identifier_key, "name": "Theirs", "identity_type": "org"})


async def _create_another(w: BatchWorld, n: int) -> None:
    await w.other.create({"identifier_key": f"{w.three[n].identifier_key}-theirs", "name": "Theirs",
                          "identity_type": "org"})


async def _deleted_theirs_kept(w: BatchWorld, n: int, which: str) -> bool:
    key = w.three[n].identifier_key + ("" if which == "same" else "-theirs")
    found = await w.other.find_by_key(key, None)
    return found is not None and found.name == "Theirs"


WRITER = {
    "batch-set": BatchWriter("PATCH", _set_act, lambda w, n: _a_is(w, n, 2), lambda w, n: _a_is(w, n, 1),
                             lambda w, n: _set_prop(w, n, "a", "number", 99), _rename, _their("a", 99)),
    "batch-remove": BatchWriter("PUT", _remove_act, _no_b, lambda w, n: _b_is(w, n, "x"),
                                lambda w, n: _set_prop(w, n, "b", "string", "theirs"), _rename,
                                _their("b", "theirs")),
    "batch-delete": BatchWriter("DELETE", _delete_act, _gone, _back, _recreate_same_key, _create_another,
                                _deleted_theirs_kept),
    "batch-undo": BatchWriter("PATCH", _undo_act, lambda w, n: _a_is(w, n, 1), lambda w, n: _a_is(w, n, 2),
                              lambda w, n: _set_prop(w, n, "a", "number", 99), _rename, _their("a", 99),
                              _undo_setup),
}


def _write_to(method: str, identity_id: str) -> Match:
    """The write to one identity: its method, and its id in the path."""
    return lambda r: r.method == method and identity_id in r.url.path


def _one_sentence(text: str) -> bool:
    return bool(text) and "\n" not in text and text.endswith(".") and len(re.findall(r"[.!?](?:\s|$)", text)) == 1


def _wrote_to(client: LettaClient, identity_id: str) -> list[str]:
    return [f"{s.method} {s.path}" for s in client.sent if s.method != "GET" and identity_id in s.path]


# -- the matrix ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("writer", "fault"), [pytest.param(w, f, id=f"{w}-{f}") for w in WRITERS for f in FAULTS])
async def test_every_batch_writer_under_every_fault(writer, fault, tmp_path, monkeypatch):
    w, close = await _world(tmp_path)
    spec = WRITER[writer]
    try:
        if spec.setup is not None:
            await spec.setup(w)
        before_ids = {r.id for r in w.journal.records()}
        mid = w.ids[1]
        match = _write_to(spec.method, mid)
        armed = {"refused": "409", "5xx": "500", "timeout": "timeout", "lost-after-landing": "dropped",
                 "landed-late": "late"}
        if fault in armed:
            w.faulty.arm(armed[fault], match, times=1)
        elif fault == "server-stopped":
            w.faulty.arm("refused", _stopped_from_the_write_on(match))
        disk = FullDisk(monkeypatch)
        if fault == "disk-full":
            disk.full(when=lambda data: mid.encode() in data)  # every journal line naming the middle one
        batch, said = await spec.act(w)
        disk.room()
        w.faulty.arm(None)  # the server is back, and answers
        if fault in armed or fault == "server-stopped":
            assert [r for r in w.faulty.broken if match(r)], "the fault hit the middle one's write"
        if fault == "landed-late":
            assert not await spec.landed(w, 1), "landed before it was let through"
            w.faulty.release.set()
            await asyncio.wait_for(asyncio.gather(*w.faulty.landing), 30)

        # 1. What the server holds.
        held = [await spec.landed(w, n) for n in range(3)]
        assert held[1] == (fault in LANDS), f"{writer} under {fault}: {said}"
        if fault != "server-stopped":
            assert held[0] and held[2], "the others landed"

        # 2. What each item says.
        assert set(said) == set(w.ids)
        mine_said = said[mid]
        if fault in ("disk-full", "concurrent-same", "concurrent-other") or (
                fault == "lost-after-landing" and writer != "batch-delete"):  # a read after showed it landed
            assert mine_said.landed and mine_said.message == "", mine_said
        else:
            assert not mine_said.landed, f"reported landed when it did not land (then): {mine_said}"
            assert _one_sentence(mine_said.message), mine_said
            if fault == "refused":
                assert mine_said.result in (plan_ops.FAILED, plan_ops.CONFLICTED, batch_ops.CONFLICTED)
                assert "(409)" in mine_said.message and not LOST_WORDS.search(mine_said.message)
            elif fault in NEVER_SENT:
                assert "Connection refused" in mine_said.message and not LOST_WORDS.search(mine_said.message)
            else:
                assert LOST_WORDS.search(mine_said.message), f"a lost answer said as done: {mine_said}"
        for n in (0, 2):
            theirs = said[w.ids[n]]
            assert theirs.landed == held[n], f"identity {n} said {theirs} but the server holds landed={held[n]}"
            if fault != "server-stopped":
                assert theirs.message == ""
            elif not theirs.landed:
                assert _one_sentence(theirs.message), theirs
        for n, s in enumerate(said[i] for i in w.ids):
            if fault == "disk-full" and n == 1:
                assert NO_SPACE in s.journal_problem, s
            else:
                assert s.journal_problem == "", s

        # 3. What the journal says: every write a record under the one batch id.
        new = [r for r in w.journal.records() if r.id not in before_ids]
        assert w.journal.warnings == []
        assert new and {r.batch for r in new} == {batch}
        if writer == "batch-undo":
            undone = {r.id: r.identity_id for r in w.journal.records() if r.batch == w.before}
            assert all(undone.get(r.undoes) == r.identity_id for r in new), "each undo names the write it undoes"
        recs = {r.identity_id: r for r in new}
        assert len(recs) == len(new), "one record per identity"
        if fault == "disk-full":
            assert set(recs) == {w.ids[0], w.ids[2]}, "no line naming the middle one could be written"
            # The journal is not damaged: the next record reads back whole.
            rec, problem = w.journal.record("update", identity_id="x", identifier_key="k", requests=[], before=None,
                                            after=None, outcome="saved")
            assert problem is None and list(w.journal.records())[-1] == rec and w.journal.warnings == []
        elif fault == "server-stopped":
            assert mid in recs and set(recs) <= set(w.ids)
        else:
            assert set(recs) == set(w.ids)
        settled: dict[str, Record] = {}
        for identity_id, rec in recs.items():
            is_mid = identity_id == mid
            if is_mid and fault in ("refused", *NEVER_SENT):
                assert rec.status == NOT_LANDED, rec
            elif is_mid and fault in (*UNSURE, "landed-late"):
                # Not seen yet is not proof: it stays unknown until read well after it was sent.
                assert rec.status == UNKNOWN, rec
            elif is_mid and fault == "lost-after-landing" and writer == "batch-delete":
                assert rec.status == UNKNOWN, rec  # the delete's answer was lost; a read settles it
            elif fault != "server-stopped":
                assert rec.status == LANDED, rec
            if fault in UNSURE and rec.status == UNKNOWN:
                assert (await journal_check.check(w.mine, w.journal, rec)).status == UNKNOWN
            settled[identity_id] = await journal_check.check(
                w.mine, w.journal, rec, now=_later if fault in UNSURE else journal_check._now)
            n = w.ids.index(identity_id)
            assert settled[identity_id].status == (LANDED if held[n] else NOT_LANDED), settled[identity_id]
            assert [r for r in w.journal.records() if r.id == rec.id][0].status == settled[identity_id].status
            if held[n] and writer != "batch-delete":
                assert Identity.model_validate(settled[identity_id].after) == await w.now(n), \
                    "the after-state is what the server holds"

        # Another writer changes the middle one after the batch.
        if fault == "concurrent-same":
            await spec.same(w, 1)
        elif fault == "concurrent-other":
            await spec.other_field(w, 1)

        # 4. What one undo of the whole batch then does (no faults now).
        w.mine.sent.clear()
        plan = await batch_ops.plan_batch_undo(w.mine, w.journal, batch)
        kinds = {i.record.identity_id: i.kind for i in plan.items}
        landed_recs = {i for i, rec in settled.items() if rec.status == LANDED}
        assert set(kinds) == landed_recs and {r.identity_id for r in plan.left} == set(settled) - landed_recs
        expected = {i: batch_ops.UNDO for i in landed_recs}
        if fault == "concurrent-same":
            expected[mid] = batch_ops.CONFLICT
        assert kinds == expected, plan
        undo_batch, results = await batch_ops.apply_batch_undo(w.mine, plan)
        assert {r.item.record.identity_id: r.status for r in results} == {
            i: batch_ops.UNDONE for i, kind in expected.items() if kind == batch_ops.UNDO}, results
        for n in range(3):
            if w.ids[n] in expected and expected[w.ids[n]] == batch_ops.UNDO:
                assert await spec.reverted(w, n), f"identity {n}: its landed write was not put back"
        if mid not in landed_recs or fault == "concurrent-same":
            assert _wrote_to(w.mine, mid) == [], "a write that did not land (or changed since) is never undone"
        if mid not in landed_recs:
            assert await spec.landed(w, 1) == held[1], "the middle one is as the batch left it"
            if writer == "batch-delete" and not held[1]:
                assert (await w.by_key(1)).id == mid, "never re-created beside itself"
        if fault == "concurrent-same":
            assert await spec.theirs_kept(w, 1, "same"), "the undo overwrote their change"
        elif fault == "concurrent-other":
            assert await spec.theirs_kept(w, 1, "other"), "the undo overwrote their change"
        undos = [r for r in w.journal.records() if r.batch == undo_batch]
        assert undo_batch != batch and {r.undoes for r in undos} == {
            settled[i].id for i, kind in expected.items() if kind == batch_ops.UNDO}
        assert all(r.landed for r in undos) and w.journal.warnings == []
    finally:
        await close()


# -- named cases -------------------------------------------------------------------------------------------


@pytest.fixture
async def bw(tmp_path):
    w, close = await _world(tmp_path)
    yield w
    await close()


async def test_a_batch_on_a_full_disk_lands_says_so_on_every_item_and_leaves_nothing_to_undo(bw, monkeypatch):
    w = bw
    disk = FullDisk(monkeypatch)
    disk.full()
    batch, said = await _set_act(w)
    disk.room()
    assert [await _a_is(w, n, 2) for n in range(3)] == [True] * 3
    assert all(s.landed and NO_SPACE in (s.journal_problem or "") for s in said.values()), said
    assert list(w.journal.records()) == [] and w.journal.warnings == []
    rec, problem = w.journal.record("update", identity_id="x", identifier_key="k", requests=[], before=None,
                                    after=None, outcome="saved")
    assert problem is None and list(w.journal.records()) == [rec]
    w.mine.sent.clear()
    plan = await batch_ops.plan_batch_undo(w.mine, w.journal, batch)
    assert plan.items == [] and plan.left == []
    assert [s for s in w.mine.sent if s.method != "GET"] == []


async def test_a_batch_undo_whose_read_fails_before_sending_is_not_said_to_maybe_have_landed(bw):
    w = bw
    await _undo_setup(w)
    assert w.before is not None
    plan = await batch_ops.plan_batch_undo(w.client, w.journal, w.before)
    before_ids = {r.id for r in w.journal.records()}
    w.faulty.arm("refused", lambda r: r.method == "GET" and w.ids[1] in r.url.path, times=1)  # the read right before
    _, results = await batch_ops.apply_batch_undo(w.client, plan)
    w.faulty.arm(None)
    status = {r.item.record.identity_id: r for r in results}
    middle = status[w.ids[1]]
    assert middle.status == batch_ops.FAILED and _one_sentence(middle.message), middle
    assert not LOST_WORDS.search(middle.message), "nothing was sent: its outcome is known"
    assert [await _a_is(w, n, 1) for n in range(3)] == [True, False, True]
    assert {r.identity_id for r in w.journal.records() if r.id not in before_ids} == {w.ids[0], w.ids[2]}


async def test_undoing_the_batch_again_after_a_faulted_batch_undo_takes_only_the_write_left(bw):
    w = bw
    await _undo_setup(w)
    assert w.before is not None
    w.faulty.arm("500", _write_to("PATCH", w.ids[1]), times=1)
    _, said = await _undo_act(w)
    w.faulty.arm(None)
    assert [s.landed for s in (said[i] for i in w.ids)] == [True, False, True]
    for rec in list(w.journal.records()):
        await journal_check.check(w.mine, w.journal, rec, now=_later)  # the lost one: not landed, read well after
    plan = await batch_ops.plan_batch_undo(w.mine, w.journal, w.before)
    assert [(i.record.identity_id, i.kind) for i in plan.items] == [(w.ids[1], batch_ops.UNDO)]
    _, results = await batch_ops.apply_batch_undo(w.mine, plan)
    assert [r.status for r in results] == [batch_ops.UNDONE]
    assert [await _a_is(w, n, 1) for n in range(3)] == [True] * 3
