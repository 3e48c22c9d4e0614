"""A batch in the journal: every record of a batch carries its id, records written before batches still read,
and a whole batch is undone as one (each write through the same undo path), journaled as a batch of its own."""

from __future__ import annotations

import asyncio
import json

import pytest

from identity_tui.core import batch as batch_ops
from identity_tui.core import transaction as tx
from identity_tui.core import undo as undo_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.journal import Journal, in_batch
from identity_tui.core.kinds import PropertyType
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.sandbox import Sandbox
from tests.support.journal_files import folded


def test_a_record_begun_in_a_batch_carries_its_id_and_old_records_still_read(tmp_path):
    journal = Journal(tmp_path, "http://x")
    old = {"id": "20261130100000-aaaaaaaa", "time": "2026-11-30T10:00:00.000+00:00", "server": "http://x",
           "operation": "update", "identity_id": "i", "identifier_key": "k", "requests": [], "before": None,
           "after": None, "outcome": "saved", "status": "landed"}
    tmp_path.mkdir(exist_ok=True)
    journal.path.write_text(json.dumps(old) + "\n")
    plain, _ = journal.record("update", identity_id="i", identifier_key="k", requests=[], before=None, after=None,
                              outcome="saved")
    with in_batch("b-1"):
        entry = journal.begin("update", identity_id="j", identifier_key="l", requests=[], before=None)
        journal.finish(entry, "landed", "saved")
    after = journal.begin("update", identity_id="m", identifier_key="n", requests=[], before=None)
    records = {r.id: r for r in journal.records()}
    assert journal.warnings == []
    assert records[old["id"]].batch is None and records[plain.id].batch is None
    assert records[entry.record.id].batch == "b-1" and records[after.record.id].batch is None
    on_disk = {r["id"]: r for r in folded(tmp_path)}
    assert on_disk[entry.record.id]["batch"] == "b-1" and "batch" not in on_disk[old["id"]]


async def test_tasks_started_inside_a_batch_carry_it_and_others_do_not(tmp_path):
    journal = Journal(tmp_path, "http://x")

    async def write(n: int) -> str:
        await asyncio.sleep(0)
        rec, _ = journal.record("update", identity_id=f"i{n}", identifier_key="k", requests=[], before=None,
                                after=None, outcome="saved")
        return rec.id

    with in_batch("b-2"):
        inside = await asyncio.gather(*(write(n) for n in range(4)))
    outside = await write(9)
    records = {r.id: r for r in journal.records()}
    assert {records[i].batch for i in inside} == {"b-2"} and records[outside].batch is None


@pytest.fixture
async def world(tmp_path):
    sandbox = Sandbox(path=":memory:")
    options = ClientOptions(retries=0)
    client = LettaClient("http://sandbox.invalid", transport=sandbox.transport(), options=options)
    other = LettaClient("http://sandbox.invalid", transport=sandbox.transport(), options=options)
    client.journal = Journal(tmp_path / "journal", "batch")
    made = []
    for n in range(5):
        made.append(await other.create({"identifier_key": f"b-{n}", "name": f"B{n}", "identity_type": "org",
                                        "properties": [{"key": "seats", "type": "number", "value": n}]}))
    yield client, other, made
    await client.aclose()
    await other.aclose()
    sandbox.close()


def seats(identity) -> object:
    return next((p.value for p in identity.properties if p.key == "seats"), None)


async def _set_all(client, made, value) -> str:
    """Set seats on every identity, as a batch (each a save of its own)."""
    batch = batch_ops.new_batch_id()
    with in_batch(batch):
        for identity in made:
            draft = Draft.of(identity)
            draft = Draft(draft.name, draft.identifier_key, draft.identity_type,
                          (DraftProperty("seats", PropertyType.NUMBER, value),), draft.project_id)
            prepared = await tx.prepare(client, identity, draft)
            assert isinstance(await tx.send(client, prepared.job), tx.Saved)
    return batch


async def test_a_whole_batch_is_undone_as_one_and_a_second_undo_steps_back_further(world):
    client, other, made = world
    first = await _set_all(client, made, 100)
    made = [await other.get(i.id) for i in made]
    second = await _set_all(client, made, 200)
    rec, _ = await undo_ops.pick(client, client.journal)
    assert rec is not None and rec.batch == second
    plan = await batch_ops.plan_batch_undo(client, client.journal, rec.batch)
    assert len(plan.items) == 5 and {i.kind for i in plan.items} == {batch_ops.UNDO}
    undone_batch, results = await batch_ops.apply_batch_undo(client, plan)
    assert {r.status for r in results} == {batch_ops.UNDONE}
    assert [seats(await other.get(i.id)) for i in made] == [100] * 5
    undos = [r for r in client.journal.records() if r.undoes]
    assert len(undos) == 5 and {r.batch for r in undos} == {undone_batch} and undone_batch not in (first, second)
    # The next undo takes the batch before (the undo batch is never redone).
    rec, _ = await undo_ops.pick(client, client.journal)
    assert rec is not None and rec.batch == first
    plan = await batch_ops.plan_batch_undo(client, client.journal, rec.batch)
    await batch_ops.apply_batch_undo(client, plan)
    assert [seats(await other.get(i.id)) for i in made] == [0, 1, 2, 3, 4]


async def test_one_changed_since_is_named_and_kept_and_the_rest_are_undone(world):
    client, other, made = world
    batch = await _set_all(client, made, 100)
    await other.update(made[2].id, {"properties": [{"key": "seats", "type": "number", "value": 555}]})
    plan = await batch_ops.plan_batch_undo(client, client.journal, batch)
    kinds = {i.record.identity_id: i.kind for i in plan.items}
    assert kinds[made[2].id] == batch_ops.CONFLICT and list(kinds.values()).count(batch_ops.UNDO) == 4
    _, results = await batch_ops.apply_batch_undo(client, plan)
    assert [seats(await other.get(i.id)) for i in made] == [0, 1, 555, 3, 4]
    assert sum(r.status == batch_ops.UNDONE for r in results) == 4


async def test_a_change_between_the_plan_and_the_send_is_a_conflict_for_that_one_only(world):
    client, other, made = world
    batch = await _set_all(client, made, 100)
    plan = await batch_ops.plan_batch_undo(client, client.journal, batch)
    await other.update(made[0].id, {"properties": [{"key": "seats", "type": "number", "value": 7}]})
    _, results = await batch_ops.apply_batch_undo(client, plan)
    status = {r.item.record.identity_id: r.status for r in results}
    assert status[made[0].id] == batch_ops.CONFLICTED and list(status.values()).count(batch_ops.UNDONE) == 4
    assert [seats(await other.get(i.id)) for i in made] == [7, 1, 2, 3, 4]


async def test_a_batch_never_has_more_than_four_in_flight():
    running, most = 0, 0
    gate = asyncio.Event()

    async def work(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running == 4:
            gate.set()
        await gate.wait()
        await asyncio.sleep(0)
        running -= 1
        return n

    assert await batch_ops.limited(list(range(10)), work) == list(range(10))
    assert most == 4


async def test_an_unexpected_error_in_one_write_comes_out_as_itself_not_as_a_group():
    async def work(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    with pytest.raises(ValueError, match="two"):
        await batch_ops.limited(list(range(5)), work)
