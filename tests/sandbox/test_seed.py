"""Seed data: deterministic, varied like a real organisation, and linked to a few agents and blocks."""

from __future__ import annotations

import httpx

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed


def everything(sb: Sandbox) -> list[dict]:
    return httpx.Client(transport=sb.transport(), base_url="http://s").get("/v1/identities/?limit=0").json()


def test_same_seed_same_data_and_different_seed_different_data() -> None:
    a, b, c = Sandbox(), Sandbox(), Sandbox()
    seed(a, 40)
    seed(b, 40)
    seed(c, 40, rng_seed=8)
    assert everything(a) == everything(b)
    assert everything(a) != everything(c)


def test_seed_looks_like_a_real_organisation() -> None:
    sb = Sandbox()
    seed(sb, 400)
    rows = everything(sb)
    assert len(rows) == sb.count() == 400
    kinds = [r["identity_type"] for r in rows]
    assert kinds.count("user") > kinds.count("org") > kinds.count("other") > 0
    assert {r["project_id"] for r in rows} == {None, "proj-support", "proj-sales", "proj-internal"}
    sizes = [len(r["properties"]) for r in rows]
    assert min(sizes) == 0 and max(sizes) == 6
    types = {p["type"] for r in rows for p in r["properties"]}
    assert types == {"string", "number", "boolean", "json"}
    for r in rows:
        keys = [p["key"] for p in r["properties"]]
        assert len(keys) == len(set(keys))  # seed data is what our client would write: unique keys
        for p in r["properties"]:
            expected = {"string": str, "number": (int, float), "boolean": bool, "json": dict}[p["type"]]
            assert isinstance(p["value"], expected) and (p["type"] == "boolean") == isinstance(p["value"], bool)
    assert any("@" in r["identifier_key"] for r in rows if r["identity_type"] == "user")


def test_seed_adds_agents_and_blocks_and_links_some() -> None:
    sb = Sandbox()
    seed(sb, 30)
    http = httpx.Client(transport=sb.transport(), base_url="http://s")
    agents = http.get("/v1/agents/").json()
    blocks = http.get("/v1/blocks/").json()
    assert len(agents) >= 3 and len(blocks) >= 3
    assert all(a["id"].startswith("agent-") and a["name"] for a in agents)
    assert all(b["id"].startswith("block-") and b["label"] and b["value"] for b in blocks)
    linked = [r for r in everything(sb) if http.get(f"/v1/identities/{r['id']}/agents").json()
              or http.get(f"/v1/identities/{r['id']}/blocks").json()]
    assert linked


def test_seeding_twice_adds_more_without_clashes() -> None:
    sb = Sandbox()
    seed(sb, 50)
    seed(sb, 50)
    assert sb.count() == 100
    assert len({r["id"] for r in everything(sb)}) == 100
