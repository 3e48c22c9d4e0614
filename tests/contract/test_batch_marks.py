"""A batch on marked identities, on each backend (the sandbox; the real server when LETTA_CONTRACT_URL is set):
one property set on several through the core batch API the app's marks use, each read back; one undo of the
batch restores them all, except one someone else changed since, which is kept as they left it."""

from __future__ import annotations

import pytest

from identity_tui.core import batch as batch_ops
from identity_tui.core import batch_plan as plan_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.journal import Journal
from identity_tui.core.kinds import PropertyType
from identity_tui.core.models import Identity

from .helpers import Api, Backend

SEATS = {"key": "seats", "value": 5, "type": "number"}


@pytest.fixture
async def ours(backend: Backend, tmp_path):
    """Our core client with a journal, as the app uses it."""
    client = LettaClient(backend.base_url, token=backend.token, options=ClientOptions(retries=0))
    client.journal = Journal(tmp_path / "journal", "contract-batch")
    yield client
    await client.aclose()


def props(wire: dict) -> dict:
    return {p["key"]: p["value"] for p in wire["properties"]}


async def test_set_on_marked_then_one_undo_restores_all_but_a_change_made_since(api: Api, ours: LettaClient) -> None:
    marked = [api.create(properties=[SEATS]) for _ in range(4)]
    found = [(wire, Identity.model_validate(wire)) for wire in marked]
    items = plan_ops.plan_set(found, plan_ops.set_property("tier", PropertyType.STRING, "gold"))
    assert [i.plan for i in items] == [plan_ops.CHANGE] * 4

    batch = await plan_ops.apply(ours, items, lambda item: plan_ops.save_one(ours, item))

    assert [i.result for i in items] == [plan_ops.LANDED] * 4, [i.message for i in items]
    for wire in marked:
        back = props(api.retrieve(wire["id"]))
        assert back == {"seats": 5, "tier": "gold"}
    records = [r for r in ours.journal.records() if r.batch == batch]
    assert sorted(r.identity_id for r in records) == sorted(w["id"] for w in marked)

    # Someone else changes the tier of one of them after the batch.
    theirs = marked[1]["id"]
    response = api.patch(f"/v1/identities/{theirs}",
                         json={"properties": [SEATS, {"key": "tier", "value": "platinum", "type": "string"}]})
    assert response.status_code == 200, response.text

    plan = await batch_ops.plan_batch_undo(ours, ours.journal, batch)
    assert plan.count(batch_ops.UNDO) == 3 and plan.count(batch_ops.CONFLICT) == 1
    _undo_batch, results = await batch_ops.apply_batch_undo(ours, plan)
    assert [r.status for r in results] == [batch_ops.UNDONE] * 3, [r.message for r in results]

    for wire in marked:
        back = props(api.retrieve(wire["id"]))
        if wire["id"] == theirs:
            assert back == {"seats": 5, "tier": "platinum"}  # kept, never overwritten
        else:
            assert back == {"seats": 5}
