"""Searching agents and blocks to link, measured on Letta 0.16.8: substring searches fold case, name/label are exact."""

from __future__ import annotations

import uuid

from .helpers import AGENT_BODY, Api


def _agent(api: Api, name: str) -> dict:
    response = api.post("/v1/agents/", json={"name": name, **AGENT_BODY})
    assert response.status_code == 200, response.text
    return response.json()


def _block(api: Api, label: str, value: str, description: str) -> dict:
    response = api.post("/v1/blocks/", json={"label": label, "value": value, "description": description})
    assert response.status_code == 200, response.text
    return response.json()


def test_agents_query_text_is_a_case_insensitive_substring_and_name_is_exact(api: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    support = _agent(api, f"Support-{tag}-Desk")
    _agent(api, f"sales-{tag}")
    found = api.get("/v1/agents/", params={"query_text": f"support-{tag}".upper()}).json()
    assert [a["id"] for a in found] == [support["id"]]
    both = api.get("/v1/agents/", params={"query_text": tag, "limit": 100}).json()
    assert len([a for a in both if tag in a["name"]]) == 2
    assert api.get("/v1/agents/", params={"name": f"support-{tag}-desk"}).json() == []
    assert [a["id"] for a in api.get("/v1/agents/", params={"name": f"Support-{tag}-Desk"}).json()] == [support["id"]]


def test_blocks_label_is_exact_and_the_searches_are_substrings(api: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    prefs = _block(api, f"prefs-{tag}", f"Likes TEA {tag}", f"What {tag} prefers")
    _block(api, f"notes-{tag}", "other", "misc")

    def ids(**params: str) -> list[str]:
        return [b["id"] for b in api.get("/v1/blocks/", params={**params, "limit": 100}).json()]

    assert ids(label=f"prefs-{tag}") == [prefs["id"]]
    assert ids(label=f"PREFS-{tag}") == []
    assert ids(label_search=f"EFS-{tag}") == [prefs["id"]]
    assert ids(value_search=f"tea {tag}") == [prefs["id"]]
    assert ids(description_search=f"{tag} PREFERS") == [prefs["id"]]


def test_a_second_detach_answers_null_and_an_unknown_agent_404(api: Api) -> None:
    made, agent = api.create(), _agent(api, f"detach-{uuid.uuid4().hex[:8]}")
    path = f"/v1/agents/{agent['id']}/identities"
    assert api.patch(f"{path}/attach/{made['id']}").status_code == 200
    assert api.patch(f"{path}/detach/{made['id']}").status_code == 200
    again = api.patch(f"{path}/detach/{made['id']}")
    assert again.status_code == 200 and again.content == b"null"
    unknown = api.patch(f"/v1/agents/agent-00000000-0000-4000-8000-000000000000/identities/attach/{made['id']}")
    assert unknown.status_code == 404
