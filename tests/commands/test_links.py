"""link, unlink and links on the sandbox over HTTP and (marked letta) the real server."""

from __future__ import annotations

import json
import uuid

from tests.contract.helpers import AGENT_BODY


def _agent(server, name: str) -> dict:
    response = server.http.post("/v1/agents/", json={"name": name, **AGENT_BODY})
    assert response.status_code == 200, response.text
    return response.json()


def _block(server, label: str) -> dict:
    response = server.http.post("/v1/blocks/", json={"label": label, "value": "what is known", "description": "d"})
    assert response.status_code == 200, response.text
    return response.json()


def _linked(server, identity_id: str, kind: str) -> list[str]:
    return [x["id"] for x in server.http.get(f"/v1/identities/{identity_id}/{kind}s").json()]


def test_link_and_unlink_an_agent_by_id_and_by_name(server, cli):
    key = server.key("link")
    made = server.create(key)
    agent = _agent(server, f"support-{uuid.uuid4().hex[:8]}")
    ran = cli("link", "--key", key, "--agent", agent["id"], "--format", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["status"] == "linked"
    assert _linked(server, made["id"], "agent") == [agent["id"]]
    again = cli("link", made["id"], "--agent-name", agent["name"], "--format", "json")
    assert again.code == 0 and json.loads(again.out)["status"] == "already_linked"
    gone = cli("unlink", made["id"], "--agent-name", agent["name"], "--format", "json")
    assert gone.code == 0 and json.loads(gone.out)["status"] == "unlinked"
    assert _linked(server, made["id"], "agent") == []
    twice = cli("unlink", made["id"], "--agent", agent["id"], "--format", "json")
    assert twice.code == 0 and json.loads(twice.out)["status"] == "already_unlinked"


def test_link_a_block_by_label_and_list_the_links(server, cli):
    key = server.key("block")
    made = server.create(key)
    block = _block(server, f"prefs-{uuid.uuid4().hex[:8]}")
    agent = _agent(server, f"bot-{uuid.uuid4().hex[:8]}")
    assert cli("link", "--key", key, "--block-label", block["label"]).code == 0
    assert cli("link", "--key", key, "--agent", agent["id"]).code == 0
    listed = json.loads(cli("links", "--key", key, "--format", "json").out)
    assert [a["id"] for a in listed["agents"]] == [agent["id"]]
    assert [b["id"] for b in listed["blocks"]] == [block["id"]]
    table = cli("links", made["id"], "--format", "table").out
    assert "agents: 1" in table and block["label"] in table


def test_link_errors_have_their_exit_codes(server, cli):
    key = server.key("err")
    server.create(key)
    assert cli("link", "--key", key, "--agent-name", f"nobody-{uuid.uuid4().hex}").code == 3
    unknown = cli("link", "--key", key, "--agent", "agent-00000000-0000-4000-8000-000000000000")
    assert unknown.code == 3 and len(unknown.err.splitlines()) == 1
    assert cli("link", "--key", key).code == 2  # no target named
    ro = cli("link", "--key", key, "--agent-name", "x", "--readonly")
    assert ro.code == 2 and "Read-only" in ro.err
    assert cli("links", "--key", server.key("missing")).code == 3
