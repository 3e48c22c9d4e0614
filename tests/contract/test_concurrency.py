"""Two admins on one identity, on each backend: the save's re-read, merge and rebuilt plan keep the other's
changes; overlapping ones are conflicts; a lost create is found by its key; and the limits the client
enforces are the server's (NUL in text columns, JSON nesting depth)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.conflict import THEIRS, merge
from identity_tui.core.errors import NotFound
from identity_tui.core.kinds import PropertyType
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import WIRE_DEPTH_MAX, plan_save

from .helpers import Api, Backend, unique

EMAIL = {"key": "email", "value": "a@example.com", "type": "string"}
AGE = {"key": "age", "value": 30, "type": "number"}
PLAN = {"key": "plan", "value": "free", "type": "string"}


@pytest.fixture
async def ours(backend: Backend):
    """Our core client, as the app uses it, on the same server the other admin (``api``) writes to."""
    client = LettaClient(backend.base_url, token=backend.token, options=ClientOptions(retries=0))
    yield client
    await client.aclose()


async def save(client: LettaClient, base, mine: Draft, choices=None) -> tuple[object, object]:
    """What the edit screen does on ctrl+s: read again, merge, plan against the fresh copy, send, read back."""
    fresh = await client.get(base.id)
    result = merge(Draft.of(base), Draft.of(fresh), mine, choices)
    plan = plan_save(fresh, result.draft)
    assert plan.ok, plan.errors
    for request in plan.requests:
        if request.method == "PATCH":
            await client.update(base.id, request.body)
        else:
            await client.replace_properties(base.id, request.body)
    back = await client.get(base.id)
    assert held_otherwise(back, result.draft) == []
    return result, back


def P(raw: dict) -> DraftProperty:
    return DraftProperty(raw["key"], PropertyType(raw["type"]), raw["value"])


async def test_their_new_property_survives_my_put(api: Api, ours: LettaClient) -> None:
    made = api.create(name="Two Admins", properties=[EMAIL, AGE])
    base = await ours.get(made["id"])
    mine = replace(Draft.of(base), properties=(P(EMAIL),))  # I remove age: a PUT of the list
    api.patch(f"/v1/identities/{made['id']}", json={"name": "Renamed By Them", "properties": [PLAN]})
    result, back = await save(ours, base, mine)
    assert result.clean and set(result.theirs) == {"name", "properties.plan"}
    assert back.name == "Renamed By Them"
    assert [p.key for p in back.properties] == ["email", "plan"]


async def test_without_the_merge_the_put_would_have_erased_their_property(api: Api, ours: LettaClient) -> None:
    """The hazard the re-read exists for, shown on the server itself: last writer wins."""
    made = api.create(properties=[EMAIL, AGE])
    base = await ours.get(made["id"])
    api.patch(f"/v1/identities/{made['id']}", json={"properties": [PLAN]})
    stale = plan_save(base, replace(Draft.of(base), properties=(P(EMAIL),)))
    await ours.replace_properties(base.id, stale.requests[0].body)
    assert [p.key for p in (await ours.get(base.id)).properties] == ["email"]  # theirs is gone


async def test_the_same_property_changed_by_both_is_a_conflict_decided_per_row(api: Api, ours: LettaClient) -> None:
    made = api.create(name="Before", properties=[EMAIL, AGE])
    base = await ours.get(made["id"])
    mine = replace(Draft.of(base), name="Mine", properties=(P(EMAIL), P({**AGE, "value": 31})))
    api.patch(f"/v1/identities/{made['id']}", json={"name": "Theirs", "properties": [{**AGE, "value": 40}]})
    fresh = await ours.get(made["id"])
    assert [c.field for c in merge(Draft.of(base), Draft.of(fresh), mine).conflicts] == ["name", "properties.age"]
    _, back = await save(ours, base, mine, {"name": THEIRS})  # the age stays mine
    assert back.name == "Theirs"
    assert [(p.key, p.value) for p in back.properties] == [("email", EMAIL["value"]), ("age", 31)]


async def test_deleted_meanwhile_is_a_404_on_the_read_before_sending(api: Api, ours: LettaClient) -> None:
    made = api.create()
    base = await ours.get(made["id"])
    assert api.delete(f"/v1/identities/{made['id']}").status_code == 200
    with pytest.raises(NotFound):
        await ours.get(base.id)


async def test_a_create_is_found_by_its_key_in_its_own_project_only(api: Api, ours: LettaClient) -> None:
    key = unique("lost")
    made = api.create(identifier_key=key, project_id=None)
    other = api.create(identifier_key=key, project_id="proj-" + unique())  # the same key, another project
    found = await ours.find_by_key(key, None)
    assert found is not None and found.id == made["id"]
    in_project = await ours.find_by_key(key, other["project_id"])
    assert in_project is not None and in_project.id == other["id"]
    assert await ours.find_by_key(unique("never"), None) is None


async def test_an_object_as_deep_as_the_client_allows_round_trips(api: Api, ours: LettaClient) -> None:
    value: dict = {}
    for _ in range(WIRE_DEPTH_MAX - 1):
        value = {"a": value}
    made = api.create(properties=[EMAIL])
    base = await ours.get(made["id"])
    mine = replace(Draft.of(base), properties=(P(EMAIL), DraftProperty("deep", PropertyType.JSON, value)))
    _, back = await save(ours, base, mine)
    assert back.properties[1].value == value


def test_nul_in_a_name_is_refused_by_the_server(api: Api) -> None:
    response = api.post("/v1/identities/", json={"identifier_key": unique(), "name": "a\x00b", "identity_type": "user"})
    assert response.status_code == 500 and response.json() == {"detail": "A database error occurred."}


def test_nul_in_a_property_key_and_value_round_trips(api: Api) -> None:
    props = [{"key": "k\x00", "value": "v\x00", "type": "string"}, {"key": "j", "value": {"n\x00": "\x00"}, "type": "json"}]
    made = api.create(properties=props)
    assert api.retrieve(made["id"])["properties"] == props
