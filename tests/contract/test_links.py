"""Agents and blocks linked to identities: attach, detach, the per-identity lists, and agent_ids staying []."""

from __future__ import annotations

import pytest

from .helpers import ORG_ID, UNKNOWN_AGENT, UNKNOWN_BLOCK, UNKNOWN_ID, Api

# Creating an agent on a real server needs only explicit llm/embedding configs, never a call to the model,
# so the agent routes are exercised on both backends.


def test_new_identity_has_no_agents_or_blocks(api: Api) -> None:
    made = api.create()
    assert api.get(f"/v1/identities/{made['id']}/agents").json() == []
    assert api.get(f"/v1/identities/{made['id']}/blocks").json() == []


def test_block_attach_and_detach(api: Api) -> None:
    made, block = api.create(), api.make_block()
    attach = api.patch(f"/v1/blocks/{block['id']}/identities/attach/{made['id']}")
    assert attach.status_code == 200
    assert attach.json() == block  # the block comes back
    assert api.patch(f"/v1/blocks/{block['id']}/identities/attach/{made['id']}").status_code == 200  # idempotent
    assert [b["id"] for b in api.get(f"/v1/identities/{made['id']}/blocks").json()] == [block["id"]]
    assert [b["id"] for b in api.get("/v1/blocks/", params={"identity_id": made["id"]}).json()] == [block["id"]]
    assert api.retrieve(made["id"])["block_ids"] == []  # links never show on the identity
    detach = api.patch(f"/v1/blocks/{block['id']}/identities/detach/{made['id']}")
    assert detach.status_code == 200 and detach.json() == block
    assert api.get(f"/v1/identities/{made['id']}/blocks").json() == []
    assert api.patch(f"/v1/blocks/{block['id']}/identities/detach/{made['id']}").status_code == 200


def test_block_shape(api: Api) -> None:
    block = api.make_block()
    assert block["id"].startswith("block-")
    assert {"id", "label", "value", "limit", "description", "metadata", "tags"} <= set(block)
    assert block["limit"] == 100000


def test_agent_attach_and_detach(api: Api) -> None:
    made, agent = api.create(), api.make_agent()
    attach = api.patch(f"/v1/agents/{agent['id']}/identities/attach/{made['id']}")
    assert attach.status_code == 200
    assert attach.content == b"null"
    listed = api.get(f"/v1/identities/{made['id']}/agents").json()
    assert [a["id"] for a in listed] == [agent["id"]]
    assert listed[0]["identity_ids"] == []  # this list does not load relationships
    by_filter = api.get("/v1/agents/", params={"identity_id": made["id"]}).json()
    assert [a["id"] for a in by_filter] == [agent["id"]]
    assert by_filter[0]["identity_ids"] == [made["id"]]
    assert api.get(f"/v1/agents/{agent['id']}").json()["identity_ids"] == [made["id"]]
    assert api.retrieve(made["id"])["agent_ids"] == []
    detach = api.patch(f"/v1/agents/{agent['id']}/identities/detach/{made['id']}")
    assert detach.status_code == 200 and detach.content == b"null"
    assert api.get(f"/v1/identities/{made['id']}/agents").json() == []


def test_agent_ids_on_create_and_patch_link_known_agents(api: Api) -> None:
    agent, other = api.make_agent(), api.make_agent()
    made = api.create(agent_ids=[agent["id"]])
    assert made["agent_ids"] == []
    assert [a["id"] for a in api.get(f"/v1/identities/{made['id']}/agents").json()] == [agent["id"]]
    # PATCH only adds.
    assert api.patch(f"/v1/identities/{made['id']}", json={"agent_ids": [other["id"]]}).status_code == 200
    linked = {a["id"] for a in api.get(f"/v1/identities/{made['id']}/agents").json()}
    assert linked == {agent["id"], other["id"]}


def test_repeating_an_agent_id_is_500(api: Api) -> None:
    agent = api.make_agent()
    made = api.create()
    response = api.patch(f"/v1/identities/{made['id']}", json={"agent_ids": [agent["id"], agent["id"]]})
    assert response.status_code == 500
    assert api.get(f"/v1/identities/{made['id']}/agents").json() == []


def test_upsert_agent_ids_replace_the_links(api: Api) -> None:
    agent = api.make_agent()
    made = api.create(agent_ids=[agent["id"]])
    response = api.put("/v1/identities/", json={"identifier_key": made["identifier_key"], "name": "N",
                                                "identity_type": "user", "agent_ids": []})
    assert response.status_code == 200
    assert api.get(f"/v1/identities/{made['id']}/agents").json() == []


def test_deleting_an_identity_removes_its_links(api: Api) -> None:
    made, block = api.create(), api.make_block()
    api.patch(f"/v1/blocks/{block['id']}/identities/attach/{made['id']}")
    api.delete(f"/v1/identities/{made['id']}")
    assert api.get("/v1/blocks/", params={"identity_id": made["id"]}).json() == []
    assert api.get(f"/v1/blocks/{block['id']}").status_code == 200


@pytest.mark.parametrize("kind,target", [("agents", UNKNOWN_AGENT), ("blocks", UNKNOWN_BLOCK)])
def test_link_errors(api: Api, kind: str, target: str) -> None:
    made = api.create()
    bad_id = api.patch(f"/v1/{kind}/{target}/identities/attach/foo")
    assert bad_id.status_code == 400
    assert bad_id.json() == {
        "detail": "INVALID_ARGUMENT: Invalid identity ID format: foo. Expected format: 'identity-<uuid4>'"}
    no_identity = api.patch(f"/v1/{kind}/{target}/identities/attach/{UNKNOWN_ID}")
    assert no_identity.status_code == 404
    assert no_identity.json()["detail"].startswith(f"Identity not found with id='['{UNKNOWN_ID}']'")
    no_target = api.patch(f"/v1/{kind}/{target}/identities/attach/{made['id']}")
    assert no_target.status_code == 404
    model = "Agent" if kind == "agents" else "Block"
    assert no_target.json()["detail"].startswith(f"{model} not found with id='['{target}']'")
    assert f"organization_id='{ORG_ID}'" in no_target.json()["detail"]
    bad_target = api.patch(f"/v1/{kind}/{kind[:-1]}-x/identities/attach/{made['id']}")
    assert bad_target.status_code == 422
    assert bad_target.json()["examples"] == [f"{kind[:-1]}-123e4567-e89b-42d3-8456-426614174000"]


def test_block_list_checks_the_identity_id_shape(api: Api) -> None:
    response = api.get("/v1/blocks/", params={"identity_id": "foo"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "[{'type': 'string_too_short', 'loc': ('query', 'identity_id'), 'msg': 'String should have at least 45 "
        "characters', 'input': 'foo', 'ctx': {'min_length': 45}}]")
    assert api.get("/v1/agents/", params={"identity_id": "foo"}).json() == []


def test_linked_lists_page_like_the_identity_list(api: Api) -> None:
    made = api.create()
    blocks = [api.make_block() for _ in range(3)]
    for block in blocks:
        api.patch(f"/v1/blocks/{block['id']}/identities/attach/{made['id']}")
    url = f"/v1/identities/{made['id']}/blocks"
    newest_first = [b["id"] for b in blocks[::-1]]
    assert [b["id"] for b in api.get(url).json()] == newest_first
    assert [b["id"] for b in api.get(url, params={"order": "asc"}).json()] == newest_first[::-1]
    assert [b["id"] for b in api.get(url, params={"limit": 1, "after": newest_first[0]}).json()] == [newest_first[1]]
    assert [b["id"] for b in api.get(url, params={"limit": 1, "before": newest_first[2]}).json()] == [newest_first[0]]
    # Unlike the identity list, limit 0 here really is zero rows.
    assert api.get(url, params={"limit": 0}).json() == []
    assert api.get(url, params={"after": "block-nope"}).json() == {"detail": "No Block found with id block-nope"}
    assert api.get(url, params={"limit": -1}).json() == {"detail": "A database error occurred."}
