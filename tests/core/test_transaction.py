"""The core save transaction on the sandbox: re-read, merge, conflicts as data, send, recover from lost answers."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest

from identity_tui.core import deletion
from identity_tui.core import transaction as tx
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.conflict import MINE, THEIRS
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.sandbox import Sandbox
from tests.support.faults import FaultyTransport, method

URL = "http://sandbox.invalid"


@pytest.fixture
async def env():
    sandbox = Sandbox(path=":memory:")
    faulty = FaultyTransport(sandbox.transport())
    client = LettaClient(URL, transport=faulty, options=ClientOptions(retries=0))
    other = LettaClient(URL, transport=sandbox.transport())  # someone else, on the same server
    yield client, other, faulty, sandbox
    await client.aclose()
    await other.aclose()
    sandbox.close()


def writes(client: LettaClient) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in client.sent if s.method != "GET"]


async def make(client: LettaClient, key: str = "acme", **props) -> object:
    body = {"identifier_key": key, "name": "Acme", "identity_type": "org",
            "properties": [{"key": k, "type": t, "value": v} for k, (t, v) in props.items()]}
    return await client.create(body)


def with_prop(draft: Draft, key: str, ptype: str, value) -> Draft:
    props = [p for p in draft.properties if p.key != key]
    index = next((i for i, p in enumerate(draft.properties) if p.key == key), len(props))
    props.insert(index, DraftProperty(key, PropertyType(ptype), value))
    return replace(draft, properties=tuple(props))


async def test_nothing_edited_reads_nothing_and_sends_nothing(env):
    client, other, *_ = env
    loaded = await make(other)
    client.sent.clear()
    prepared = await tx.prepare(client, loaded, Draft.of(loaded))
    assert prepared.unchanged and prepared.holds == loaded
    assert list(client.sent) == []


async def test_a_plain_save_is_one_read_and_one_patch_holding_only_the_change(env):
    client, other, *_ = env
    loaded = await make(other, seats=("number", 5), tier=("string", "gold"))
    mine = with_prop(Draft.of(loaded), "seats", "number", 10)
    client.sent.clear()
    prepared = await tx.prepare(client, loaded, mine)
    assert prepared.job is not None and not prepared.conflicts
    outcome = await tx.send(client, prepared.job)
    assert isinstance(outcome, tx.Saved) and outcome.dropped == []
    assert [s.method for s in client.sent] == ["GET", "PATCH"]
    assert client.sent[1].body == {"properties": [{"key": "seats", "value": 10, "type": "number"}]}
    assert (await other.get(loaded.id)).properties[0].value == 10


async def test_changes_made_meanwhile_elsewhere_are_kept(env):
    client, other, *_ = env
    loaded = await make(other, seats=("number", 5), tier=("string", "gold"))
    await other.update(loaded.id, {"name": "Acme Inc"})
    prepared = await tx.prepare(client, loaded, with_prop(Draft.of(loaded), "seats", "number", 10))
    assert prepared.job is not None and prepared.kept == ("name",)
    outcome = await tx.send(client, prepared.job)
    assert isinstance(outcome, tx.Saved)
    now = await other.get(loaded.id)
    assert now.name == "Acme Inc" and now.properties[0].value == 10


async def test_an_overlap_comes_back_as_data_and_the_choice_decides(env):
    client, other, *_ = env
    loaded = await make(other, seats=("number", 5))
    await other.update(loaded.id, {"properties": [{"key": "seats", "type": "number", "value": 7}]})
    mine = with_prop(Draft.of(loaded), "seats", "number", 10)
    client.sent.clear()
    prepared = await tx.prepare(client, loaded, mine)
    assert prepared.job is None and len(prepared.conflicts) == 1
    assert writes(client) == []
    field = prepared.conflicts[0].field
    theirs = tx.resolve(prepared, {field: THEIRS})
    assert theirs.job is None and theirs.holds is not None  # their value is what the server holds: nothing to send
    chosen = tx.resolve(prepared, {field: MINE})
    assert chosen.job is not None
    assert isinstance(await tx.send(client, chosen.job), tx.Saved)
    assert (await other.get(loaded.id)).properties[0].value == 10


async def test_deleted_meanwhile_is_gone(env):
    client, other, *_ = env
    loaded = await make(other)
    await other.delete(loaded.id)
    prepared = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="New"))
    assert prepared.gone and prepared.job is None


async def test_a_check_right_before_sending_sees_a_change_made_after_the_plan(env):
    client, other, *_ = env
    loaded = await make(other, seats=("number", 5))
    prepared = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="Mine"))
    await other.update(loaded.id, {"name": "Theirs"})  # while a preview stood open
    client.sent.clear()
    outcome = await tx.send(client, replace(prepared.job, check_first=True))
    assert isinstance(outcome, tx.Changed) and outcome.prepared.conflicts
    assert writes(client) == []


async def test_a_lost_answer_to_a_patch_that_landed_is_saved_after_a_read(env):
    client, other, faulty, _ = env
    loaded = await make(other)
    prepared = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="Renamed"))
    faulty.arm("dropped", method("PATCH"), times=1)
    outcome = await tx.send(client, prepared.job)
    assert isinstance(outcome, tx.Saved) and outcome.note == tx.LANDED_AFTER_ALL


async def test_a_timed_out_patch_that_never_landed_says_nothing_landed(env):
    client, other, faulty, _ = env
    loaded = await make(other)
    prepared = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="Renamed"))
    faulty.arm("timeout", method("PATCH"), times=1)
    outcome = await tx.send(client, prepared.job)
    assert isinstance(outcome, tx.Failed) and outcome.lost
    assert outcome.landed == tx.NOTHING_LANDED and outcome.partly is None


async def test_a_lost_create_is_looked_up_not_posted_twice(env):
    client, other, faulty, sandbox = env
    draft = Draft("Acme", "acme", IdentityType.ORG, (DraftProperty("seats", PropertyType.NUMBER, 3),))
    faulty.arm("dropped", method("POST"), times=1)
    outcome = await tx.send(client, tx.prepare_create(draft).job)
    assert isinstance(outcome, tx.Failed) and outcome.created and outcome.lost
    client.sent.clear()
    again = await tx.send(client, tx.prepare_create(draft, lookup=draft).job)
    assert isinstance(again, tx.Saved) and again.note == tx.CREATED_AFTER_ALL
    assert writes(client) == []
    assert len(await other.list_identities()) == 1


async def test_a_lost_create_that_differs_is_found_not_overwritten(env):
    client, other, *_ = env
    draft = Draft("Acme", "acme", IdentityType.ORG)
    await other.create({"identifier_key": "acme", "name": "Someone else's", "identity_type": "org"})
    outcome = await tx.send(client, tx.prepare_create(draft, lookup=draft).job)
    assert isinstance(outcome, tx.Found) and outcome.identity.name == "Someone else's"
    assert writes(client) == []


async def test_a_cancelled_send_keeps_what_was_in_flight(env):
    client, other, _, sandbox = env
    loaded = await make(other)
    prepared = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="Renamed"))
    entered = asyncio.Event()

    class Stalled(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            entered.set()
            await asyncio.Event().wait()  # a server that stopped answering

    stalled = LettaClient(URL, transport=Stalled(), options=ClientOptions(retries=0))
    progress = tx.SendProgress()
    task = asyncio.create_task(tx.send(stalled, prepared.job, progress))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert progress.in_flight is not None and progress.in_flight.method == "PATCH"
    assert progress.applied == []
    await stalled.aclose()
    # The next save reads first: what the server holds decides what is sent.
    again = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="Renamed"))
    assert again.job is not None and again.job.plan.requests[0].body == {"name": "Renamed"}


async def test_delete_and_a_second_delete(env):
    client, other, *_ = env
    loaded = await make(other)
    assert await deletion.delete(client, loaded.id) == deletion.Deleted(loaded.id)
    assert await deletion.delete(client, loaded.id) == deletion.Deleted(loaded.id, already=True)


async def test_an_invalid_draft_is_refused_before_any_request(env):
    client, other, *_ = env
    loaded = await make(other)
    client.sent.clear()
    prepared = await tx.prepare(client, loaded, replace(Draft.of(loaded), name="  "))
    assert prepared.errors and prepared.job is None
    assert writes(client) == []
    assert tx.prepare_create(Draft("", "k", IdentityType.USER)).errors
