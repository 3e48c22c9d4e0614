"""Agents, blocks and their identity links: just enough of those routers for identities to have something to link."""

from __future__ import annotations

from typing import Any

from identity_tui.sandbox import paging, wire
from identity_tui.sandbox.api import Call, Result, new_id

BLOCK_CHAR_LIMIT = 100000  # CORE_MEMORY_BLOCK_CHAR_LIMIT


def agent_shape(agent_id: str, name: str, description: str | None = None, tags: list[str] | None = None) -> dict:
    """A small subset of AgentState: the fields an identity screen shows."""
    return {
        "created_by_id": wire.USER_ID, "last_updated_by_id": wire.USER_ID, "id": agent_id, "name": name,
        "description": description, "agent_type": "letta_v1_agent", "tags": tags or [], "project_id": None,
        "metadata": None, "identity_ids": [],
    }


def _with_identities(call: Call, agent: dict) -> dict:
    """Agent reads that load relationships fill identity_ids; the per-identity agent list does not."""
    return {**agent, "identity_ids": call.store.linked_to("agent", agent["id"])}


def block_shape(block_id: str, label: str, value: str, **extra: Any) -> dict:
    """BlockResponse, field for field, in the server's order."""
    return {
        "value": value, "limit": extra.get("limit", BLOCK_CHAR_LIMIT), "project_id": extra.get("project_id"),
        "template_name": extra.get("template_name"), "is_template": extra.get("is_template", False),
        "template_id": None, "base_template_id": None, "deployment_id": None, "entity_id": None,
        "preserve_on_migration": extra.get("preserve_on_migration", False), "label": label,
        "read_only": extra.get("read_only", False), "description": extra.get("description"),
        "metadata": extra.get("metadata") or {}, "hidden": extra.get("hidden"), "id": block_id,
        "created_by_id": None, "last_updated_by_id": None, "tags": extra.get("tags") or [],
    }


def _read(call: Call, kind: str, model: str, object_id: str) -> dict:
    found = call.store.get_object(kind, object_id)
    if found is None:
        raise wire.not_found_by_id(model, object_id, call.actor)
    return found


def _link_targets(call: Call, kind: str, model: str) -> tuple[str, str]:
    """Check the pair in the server's order: identity id shape (400), identity (404), then the target (404)."""
    identity_id, target_id = call.path["identity_id"], call.path[f"{kind}_id"]
    if not wire.ID_REGEX["identity"].match(identity_id):
        raise wire.invalid_argument("identity", identity_id)
    if call.store.get(identity_id) is None:
        raise wire.not_found_by_id("Identity", identity_id, call.actor)
    _read(call, kind, model, target_id)
    return identity_id, target_id


def attach_agent(call: Call) -> Result:
    identity_id, agent_id = _link_targets(call, "agent", "Agent")
    call.store.link("agent", identity_id, [agent_id])
    return 200, None


def detach_agent(call: Call) -> Result:
    identity_id, agent_id = _link_targets(call, "agent", "Agent")
    call.store.unlink("agent", identity_id, [agent_id])
    return 200, None


def attach_block(call: Call) -> Result:
    identity_id, block_id = _link_targets(call, "block", "Block")
    call.store.link("block", identity_id, [block_id])
    return 200, _read(call, "block", "Block", block_id)


def detach_block(call: Call) -> Result:
    identity_id, block_id = _link_targets(call, "block", "Block")
    call.store.unlink("block", identity_id, [block_id])
    return 200, _read(call, "block", "Block", block_id)


# The searches each list takes: exact fields, and substring fields (case-insensitive, like ILIKE).
_EXACT = {"agent": {"name": "name"}, "block": {"label": "label"}}
_CONTAINS = {"agent": {"query_text": "name"},
             "block": {"label_search": "label", "value_search": "value", "description_search": "description"}}


def _list(call: Call, kind: str, model: str) -> Result:
    q = call.query
    exact = {field: q[name] for name, field in _EXACT[kind].items() if q.get(name)}
    contains = {field: q[name] for name, field in _CONTAINS[kind].items() if q.get(name)}

    def fetch(below: int | None, above: int | None, ascending: bool, limit: int | None) -> list:
        return call.store.list_objects(kind, identity_id=q["identity_id"] or None, below=below, above=above,
                                       ascending=ascending, limit=limit, exact=exact, contains=contains)

    rows = paging.list_async(fetch, lambda i: call.store.object_seq(kind, i), model, before=q["before"],
                             after=q["after"], ascending=q["order"] == "asc", limit=q["limit"])
    return 200, rows


def list_agents(call: Call) -> Result:
    status, agents = _list(call, "agent", "Agent")
    return status, [_with_identities(call, a) for a in agents]


def list_blocks(call: Call) -> Result:
    return _list(call, "block", "Block")


def create_agent(call: Call) -> Result:
    body = call.body
    name = body.get("name") if isinstance(body.get("name"), str) else None
    agent = agent_shape(new_id("agent"), name or "sandbox-agent", body.get("description"), body.get("tags"))
    call.store.insert_object("agent", agent)
    return 200, agent


def retrieve_agent(call: Call) -> Result:
    return 200, _with_identities(call, _read(call, "agent", "Agent", call.path["agent_id"]))


def delete_agent(call: Call) -> Result:
    agent_id = call.path["agent_id"]
    _read(call, "agent", "Agent", agent_id)
    call.store.delete_object("agent", agent_id)
    return 200, {"message": f"Agent id={agent_id} successfully deleted"}


def create_block(call: Call) -> Result:
    body = dict(call.body)
    block = block_shape(new_id("block"), body.pop("label"), body.pop("value"), **body)
    call.store.insert_object("block", block)
    return 200, block


def retrieve_block(call: Call) -> Result:
    return 200, _read(call, "block", "Block", call.path["block_id"])


def delete_block(call: Call) -> Result:
    block_id = call.path["block_id"]
    _read(call, "block", "Block", block_id)
    call.store.delete_object("block", block_id)
    return 200, None


def health(call: Call) -> Result:
    # This is the sandbox speaking; responses also carry the x-identity-tui-sandbox header.
    return 200, {"version": wire.VERSION, "status": "ok"}
