"""Store semantics through the wire: merges, replacement, uniqueness, links and the exact error texts."""

from __future__ import annotations

import httpx
from hypothesis import given, settings, strategies as st

from identity_tui.sandbox import Sandbox

ORG = "org-00000000-0000-4000-8000-000000000000"


def prop(key: str, value, kind: str = "string") -> dict:
    return {"key": key, "value": value, "type": kind}


def test_created_identity_has_the_servers_shape(create) -> None:
    made = create(identifier_key="alice", name="Alice", properties=[prop("age", 30, "number")])
    assert list(made) == ["id", "identifier_key", "name", "identity_type", "project_id", "agent_ids", "block_ids",
                          "organization_id", "properties"]
    assert made["organization_id"] == ORG and made["agent_ids"] == [] and made["block_ids"] == []


def test_patch_merge_keeps_positions_and_appends(http: httpx.Client, create) -> None:
    made = create(properties=[prop("email", "a@x"), prop("age", 30, "number")])
    after = http.patch(f"/v1/identities/{made['id']}", json={"properties": [
        prop("plan", "pro"), prop("email", "b@x"), prop("plan", "team")]}).json()
    assert after["properties"] == [prop("email", "b@x"), prop("age", 30, "number"), prop("plan", "team")]


def test_put_properties_replaces_and_stores_duplicates(http: httpx.Client, create) -> None:
    made = create(properties=[prop("email", "a@x")])
    dupes = [prop("a", "1"), prop("a", "2")]
    assert http.put(f"/v1/identities/{made['id']}/properties", json=dupes).json()["properties"] == dupes
    assert http.put(f"/v1/identities/{made['id']}/properties", json=[]).json()["properties"] == []


def test_equal_by_python_is_not_written(http: httpx.Client, create) -> None:
    made = create(properties=[prop("on", True, "boolean")])
    after = http.patch(f"/v1/identities/{made['id']}", json={"properties": [prop("on", 1, "boolean")]}).json()
    assert after["properties"] == [prop("on", True, "boolean")]


def test_clash_messages_follow_the_server(http: httpx.Client, create) -> None:
    create(identifier_key="bob")
    response = http.post("/v1/identities/", json={"identifier_key": "bob", "name": "Bob 2", "identity_type": "user"})
    detail = response.json()["detail"]
    assert response.status_code == 409
    assert detail.startswith(
        "A unique constraint was violated for Identity. Check your input for duplicates: "
        "(sqlalchemy.dialects.postgresql.asyncpg.IntegrityError) <class 'asyncpg.exceptions.UniqueViolationError'>: "
        'duplicate key value violates unique constraint "unique_identifier_key_project_id_organization_id"\n'
        f"DETAIL:  Key (identifier_key, project_id, organization_id)=(bob, null, {ORG}) already exists.\n"
        "[SQL: INSERT INTO identities (id, identifier_key, name, identity_type, properties, ")
    assert "'bob', 'Bob 2', <IdentityType.user: 'user'>, '[]', " in detail
    assert detail.endswith("(Background on this error at: https://sqlalche.me/e/20/gkpj)")
    other = create(identifier_key="alice")
    response = http.patch(f"/v1/identities/{other['id']}", json={"identifier_key": "bob"})
    assert "[SQL: UPDATE identities SET identifier_key=$1::VARCHAR, updated_at=$2::TIMESTAMP WITH TIME ZONE " \
           "WHERE identities.id = $3::VARCHAR]\n[parameters: ('bob', datetime.datetime(" in response.json()["detail"]


def test_null_project_clashes_but_empty_string_project_does_not(create, http: httpx.Client) -> None:
    create(identifier_key="k")
    create(identifier_key="k", project_id="")  # '' is a value of its own, not NULL
    assert http.post("/v1/identities/", json={"identifier_key": "k", "name": "x", "identity_type": "user",
                                              "project_id": ""}).status_code == 409


def test_not_found_message_quotes_the_default_user(sb: Sandbox, http: httpx.Client) -> None:
    unknown = "identity-00000000-0000-4000-8000-000000000000"
    stamp = repr(sb.actor.created_at)
    assert http.get(f"/v1/identities/{unknown}").json() == {"detail": (
        f"Identity not found with id='['{unknown}']', access level in ['read'] for actor='"
        f"id='user-00000000-0000-4000-8000-000000000000' organization_id='{ORG}' name='default_user' "
        f"created_at={stamp} updated_at={stamp} is_deleted=False'")}


def test_name_search_follows_renames_type_changes_and_deletes(http: httpx.Client, create) -> None:
    made = create(name="Marguerite Dubois", identity_type="user")
    assert [i["id"] for i in http.get("/v1/identities/", params={"name": "guerit"}).json()] == [made["id"]]
    http.patch(f"/v1/identities/{made['id']}", json={"name": "Zelda Okafor", "identity_type": "org"})
    assert http.get("/v1/identities/", params={"name": "guerit"}).json() == []
    assert [i["id"] for i in http.get("/v1/identities/", params={"name": "ELDA OK"}).json()] == [made["id"]]
    assert [i["id"] for i in http.get("/v1/identities/", params={"name": "ld", "identity_type": "org"}).json()] \
        == [made["id"]]
    assert http.get("/v1/identities/", params={"name": "zelda", "identity_type": "user"}).json() == []
    http.delete(f"/v1/identities/{made['id']}")
    assert http.get("/v1/identities/", params={"name": "zelda"}).json() == []


def test_name_search_uses_like_wildcards_and_folds_only_ascii(http: httpx.Client, create) -> None:
    abc = create(name="abc")
    under = create(name="a_c")
    percent = create(name="50% off")
    umlaut = create(name="Ünïcode Zoë")

    def found(needle: str) -> set[str]:
        return {i["id"] for i in http.get("/v1/identities/", params={"name": needle}).json()}

    assert found("a_c") == {abc["id"], under["id"]}  # _ matches any one character
    assert found("a\\_c") == {under["id"]}  # backslash escapes it, as in Postgres
    assert found("0%o") == {percent["id"]}
    assert found("zoë") == {umlaut["id"]}
    assert found("ünï") == set()  # Ü is not folded, as in Postgres with the C locale
    assert found("Ünï") == {umlaut["id"]}


def test_order_is_stable_for_identical_timestamps(sb: Sandbox, http: httpx.Client) -> None:
    from identity_tui.sandbox.seed import make_identity
    import random

    rng = random.Random(1)
    rows = [make_identity(rng, i) for i in range(30)]
    sb.store.insert_many(rows)  # one created_at for all thirty
    assert [r["id"] for r in http.get("/v1/identities/?order=asc&limit=0").json()] == [r["id"] for r in rows]
    assert [r["id"] for r in http.get("/v1/identities/?limit=0").json()] == [r["id"] for r in rows[::-1]]


def test_links_never_show_on_the_identity(sb: Sandbox, http: httpx.Client, create) -> None:
    block = http.post("/v1/blocks/", json={"label": "human", "value": "likes tea"}).json()
    agent = http.post("/v1/agents/", json={"name": "helper"}).json()
    made = create(agent_ids=[agent["id"]], block_ids=[block["id"]])
    assert (made["agent_ids"], made["block_ids"]) == ([], [])
    assert [a["id"] for a in http.get(f"/v1/identities/{made['id']}/agents").json()] == [agent["id"]]
    assert [b["id"] for b in http.get(f"/v1/identities/{made['id']}/blocks").json()] == [block["id"]]
    http.patch(f"/v1/agents/{agent['id']}/identities/detach/{made['id']}")
    assert http.get(f"/v1/identities/{made['id']}/agents").json() == []
    assert http.get(f"/v1/agents/{agent['id']}").json()["identity_ids"] == []


def test_failed_writes_leave_no_trace(http: httpx.Client, create) -> None:
    agent = http.post("/v1/agents/", json={"name": "a"}).json()
    taken = create(identifier_key="taken")
    # Links are processed before the clash is found; the transaction takes them back.
    response = http.post("/v1/identities/", json={"identifier_key": "taken", "name": "x", "identity_type": "user",
                                                  "agent_ids": [agent["id"]]})
    assert response.status_code == 409
    assert http.get("/v1/agents/", params={"identity_id": taken["id"]}).json() == []
    assert http.get(f"/v1/agents/{agent['id']}").json()["identity_ids"] == []


keys = st.sampled_from(["a", "b", "c", "d"])
values = st.one_of(st.text(max_size=3), st.integers(-2, 2), st.booleans(), st.floats(-2, 2, allow_nan=False),
                   st.dictionaries(st.sampled_from(["x", "y"]), st.integers(0, 1), max_size=2))
props = st.lists(st.builds(lambda k, v, t: {"key": k, "value": v, "type": t}, keys, values,
                           st.sampled_from(["string", "number", "boolean", "json"])), max_size=5)


@settings(max_examples=150, deadline=None)
@given(old=props, sent=props)
def test_patch_merge_laws(old: list[dict], sent: list[dict]) -> None:
    sb = Sandbox()
    http = httpx.Client(transport=sb.transport(), base_url="http://s")
    made = http.post("/v1/identities/", json={"identifier_key": "k", "name": "n", "identity_type": "user",
                                              "properties": old}).json()
    after = http.patch(f"/v1/identities/{made['id']}", json={"properties": sent}).json()["properties"]
    assert after == http.get(f"/v1/identities/{made['id']}").json()["properties"]
    old_keys = list(dict.fromkeys(p["key"] for p in old))
    sent_last = {p["key"]: p for p in sent}
    if after == old:
        # Left as it was only when Python's == sees the merged list as equal to the stored one.
        assert list(({p["key"]: p for p in old} | sent_last).values()) == old
    else:
        # No key is removed; old keys keep their first position; new keys follow in first-sent order.
        assert [p["key"] for p in after] == old_keys + [k for k in sent_last if k not in old_keys]
        result = {p["key"]: p for p in after}
        for key, p in sent_last.items():
            assert result[key] == p
        for key in old_keys:
            if key not in sent_last:
                assert result[key] == [p for p in old if p["key"] == key][-1]
    sb.close()
