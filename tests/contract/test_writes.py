"""PATCH, PUT properties, upsert and DELETE: what is saved, what is silently not, and the errors."""

from __future__ import annotations

import pytest

from .helpers import UNKNOWN_AGENT, UNKNOWN_BLOCK, Api, errors_of, unique

EMAIL = {"key": "email", "value": "alice@example.com", "type": "string"}
AGE = {"key": "age", "value": 30, "type": "number"}
ACTIVE = {"key": "active", "value": True, "type": "boolean"}


def prop(key: str, value, kind: str = "string") -> dict:
    return {"key": key, "value": value, "type": kind}


def patched(api: Api, identity_id: str, body) -> dict:
    response = api.patch(f"/v1/identities/{identity_id}", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == api.retrieve(identity_id)  # what came back is what was saved
    return response.json()


def test_patch_changes_only_the_fields_sent(api: Api) -> None:
    made = api.create(name="Alice", properties=[EMAIL, AGE])
    after = patched(api, made["id"], {"name": "Alice A."})
    assert after == {**made, "name": "Alice A."}
    after = patched(api, made["id"], {"identity_type": "other"})
    assert after == {**made, "name": "Alice A.", "identity_type": "other"}
    key = unique()
    assert patched(api, made["id"], {"identifier_key": key})["identifier_key"] == key


@pytest.mark.parametrize("body", [{}, {"name": None}, {"name": None, "identifier_key": None, "identity_type": None,
                                                        "properties": None, "agent_ids": None, "block_ids": None},
                                  {"properties": []}, {"agent_ids": []}, {"block_ids": []}])
def test_patch_with_nothing_to_change_is_a_200_no_op(api: Api, body: dict) -> None:
    made = api.create(properties=[EMAIL, AGE])
    assert patched(api, made["id"], body) == made


def test_patch_merges_properties_by_key(api: Api) -> None:
    made = api.create(properties=[EMAIL, AGE, ACTIVE])
    new_email = prop("email", "alice@new.example")
    after = patched(api, made["id"], {"properties": [prop("plan", "pro"), new_email]})
    # A sent key replaces its entry in place; a new key is appended; the rest stay.
    assert after["properties"] == [new_email, AGE, ACTIVE, prop("plan", "pro")]


def test_patch_replaces_a_property_whole_including_its_type(api: Api) -> None:
    made = api.create(properties=[prop("score", 1.5, "number"), EMAIL])
    after = patched(api, made["id"], {"properties": [prop("score", "high")]})
    assert after["properties"] == [prop("score", "high"), EMAIL]


def test_patch_cannot_remove_a_property(api: Api) -> None:
    made = api.create(properties=[EMAIL, AGE])
    assert patched(api, made["id"], {"properties": [AGE]})["properties"] == [EMAIL, AGE]
    assert patched(api, made["id"], {"properties": []})["properties"] == [EMAIL, AGE]


def test_duplicate_keys_in_one_patch_collapse_last_wins(api: Api) -> None:
    made = api.create(properties=[prop("score", 1.5, "number")])
    after = patched(api, made["id"], {"properties": [prop("x", "1"), prop("x", "2")]})
    assert after["properties"] == [prop("score", 1.5, "number"), prop("x", "2")]


def test_any_patch_of_properties_collapses_stored_duplicates(api: Api) -> None:
    made = api.create(properties=[prop("a", "1"), prop("b", "b"), prop("a", "2")])
    after = patched(api, made["id"], {"properties": [prop("c", "c")]})
    assert after["properties"] == [prop("a", "2"), prop("b", "b"), prop("c", "c")]


@pytest.mark.parametrize("old,new", [
    (prop("flag", True, "boolean"), prop("flag", 1, "boolean")),
    (prop("n", 1, "number"), prop("n", 1.0, "number")),
    (prop("n", 0, "number"), prop("n", False, "number")),
    (prop("j", {"a": True}, "json"), prop("j", {"a": 1}, "json")),
])
def test_a_change_python_thinks_equal_is_not_saved(api: Api, old: dict, new: dict) -> None:
    made = api.create(properties=[old, EMAIL])
    assert patched(api, made["id"], {"properties": [new]})["properties"] == [old, EMAIL]
    response = api.put(f"/v1/identities/{made['id']}/properties", json=[new, EMAIL])
    assert response.json()["properties"] == [old, EMAIL]


def test_an_equal_value_is_saved_when_something_else_in_the_list_changes(api: Api) -> None:
    made = api.create(properties=[prop("flag", True, "boolean"), EMAIL])
    after = patched(api, made["id"], {"properties": [prop("flag", 1, "boolean"), prop("email", "new@example.com")]})
    assert after["properties"] == [prop("flag", 1, "boolean"), prop("email", "new@example.com")]


def test_patch_rejects_fields_it_does_not_know(api: Api) -> None:
    made = api.create()
    for field, value in (("nickname", "al"), ("project_id", "proj-9"), ("id", made["id"])):
        response = api.patch(f"/v1/identities/{made['id']}", json={field: value})
        assert response.status_code == 422
        assert errors_of(response) == [{"type": "extra_forbidden", "loc": ("body", field),
                                        "msg": "Extra inputs are not permitted", "input": value}]
    assert api.retrieve(made["id"]) == made


def test_patch_invalid_identity_type_is_422(api: Api) -> None:
    made = api.create()
    response = api.patch(f"/v1/identities/{made['id']}", json={"identity_type": "robot"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "[{'type': 'enum', 'loc': ('body', 'identity_type'), 'msg': \"Input should be 'org', 'user' or 'other'\", "
        "'input': 'robot', 'ctx': {'expected': \"'org', 'user' or 'other'\"}}]")


@pytest.mark.parametrize("field,unknown", [("agent_ids", UNKNOWN_AGENT), ("block_ids", UNKNOWN_BLOCK)])
def test_unknown_linked_ids_are_500_and_nothing_is_saved(api: Api, field: str, unknown: str) -> None:
    made = api.create()
    response = api.patch(f"/v1/identities/{made['id']}", json={"name": "Changed", field: [unknown]})
    assert response.status_code == 500
    assert response.json() == {"detail": "An unknown error occurred"}
    assert api.retrieve(made["id"]) == made
    key = unique()
    response = api.post("/v1/identities/", json={"identifier_key": key, "name": "X", "identity_type": "user",
                                                 field: [unknown]})
    assert response.status_code == 500
    assert response.json() == {"detail": "An unknown error occurred"}
    assert api.listing(identifier_key=key) == []


def test_merge_after_creating_with_null_properties_is_500(api: Api) -> None:
    made = api.create(properties=None)  # stored as JSON null, shown as []
    response = api.patch(f"/v1/identities/{made['id']}", json={"properties": [EMAIL]})
    assert response.status_code == 500
    response = api.put(f"/v1/identities/{made['id']}/properties", json=[EMAIL])
    assert response.json()["properties"] == [EMAIL]


# PUT /{id}/properties

def test_put_properties_replaces_the_whole_list(api: Api) -> None:
    made = api.create(properties=[EMAIL, AGE])
    response = api.put(f"/v1/identities/{made['id']}/properties", json=[prop("tier", "gold")])
    assert response.status_code == 200
    assert response.json() == {**made, "properties": [prop("tier", "gold")]}
    assert api.retrieve(made["id"])["properties"] == [prop("tier", "gold")]


def test_put_properties_reorders_keeps_duplicates_and_clears(api: Api) -> None:
    made = api.create(properties=[EMAIL, AGE])
    url = f"/v1/identities/{made['id']}/properties"
    assert api.put(url, json=[AGE, EMAIL]).json()["properties"] == [AGE, EMAIL]
    dupes = [prop("a", "1"), prop("a", "2")]
    assert api.put(url, json=dupes).json()["properties"] == dupes
    assert api.put(url, json=[]).json()["properties"] == []
    assert api.retrieve(made["id"]) == {**made, "properties": []}


def test_put_properties_needs_a_bare_array(api: Api) -> None:
    made = api.create(properties=[EMAIL])
    url = f"/v1/identities/{made['id']}/properties"
    response = api.put(url, json={"key": "tier", "value": "gold", "type": "string"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "[{'type': 'list_type', 'loc': ('body',), 'msg': 'Input should be a valid list', "
        "'input': {'key': 'tier', 'value': 'gold', 'type': 'string'}}]")
    response = api.put(url, json={"properties": [AGE]})
    assert response.status_code == 422
    assert errors_of(response)[0]["type"] == "list_type"
    assert api.retrieve(made["id"]) == made


# Upsert: PUT /v1/identities/

def test_upsert_of_an_existing_key_replaces_it(api: Api) -> None:
    made = api.create(name="Bob", identity_type="user", properties=[EMAIL, AGE])
    response = api.put("/v1/identities/", json={"identifier_key": made["identifier_key"], "name": "Robert",
                                                "identity_type": "org", "properties": [prop("k", "v")]})
    assert response.status_code == 200
    assert response.json() == {**made, "name": "Robert", "identity_type": "org", "properties": [prop("k", "v")]}


def test_upsert_without_properties_keeps_them(api: Api) -> None:
    made = api.create(properties=[EMAIL])
    response = api.put("/v1/identities/", json={"identifier_key": made["identifier_key"], "name": "N",
                                                "identity_type": "user"})
    assert response.json()["properties"] == [EMAIL]


def test_upsert_of_a_new_key_is_404_and_creates_nothing(api: Api) -> None:
    key = unique()
    response = api.put("/v1/identities/", json={"identifier_key": key, "name": "Dave", "identity_type": "user"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith(
        f"Identity not found with identifier_key='{key}', project_id='None', organization_id='org-")
    assert api.listing(identifier_key=key) == []


def test_upsert_matches_key_and_project_together(api: Api) -> None:
    made = api.create(project_id="ct-proj-a")
    response = api.put("/v1/identities/", json={"identifier_key": made["identifier_key"], "name": "N",
                                                "identity_type": "user", "project_id": "ct-proj-b"})
    assert response.status_code == 404
    assert "project_id='ct-proj-b'" in response.json()["detail"]


# Uniqueness

def test_identifier_key_is_unique_per_project_with_null_as_a_value(api: Api) -> None:
    made = api.create()
    key = made["identifier_key"]
    response = api.post("/v1/identities/", json={"identifier_key": key, "name": "Again", "identity_type": "org"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "A unique constraint was violated" in detail and "unique constraint" in detail
    assert f"({key}, null, org-" in detail
    in_project = api.create(identifier_key=key, project_id="ct-proj-1")
    assert in_project["project_id"] == "ct-proj-1"
    response = api.post("/v1/identities/", json={"identifier_key": key, "name": "3", "identity_type": "user",
                                                 "project_id": "ct-proj-1"})
    assert response.status_code == 409
    assert f"({key}, ct-proj-1, org-" in response.json()["detail"]


def test_patch_onto_a_taken_key_is_409_and_changes_nothing(api: Api) -> None:
    taken = api.create()
    made = api.create(properties=[EMAIL])
    response = api.patch(f"/v1/identities/{made['id']}", json={"identifier_key": taken["identifier_key"],
                                                                "name": "Renamed"})
    assert response.status_code == 409
    assert "A unique constraint was violated" in response.json()["detail"]
    assert "UPDATE identities SET" in response.json()["detail"]
    assert api.retrieve(made["id"]) == made
    # The same key in another project is not a clash.
    other = api.create(project_id="ct-proj-2")
    moved = patched(api, other["id"], {"identifier_key": taken["identifier_key"]})
    assert moved["identifier_key"] == taken["identifier_key"]


def test_patch_to_its_own_key_is_fine(api: Api) -> None:
    made = api.create()
    assert patched(api, made["id"], {"identifier_key": made["identifier_key"]}) == made


# Delete

def test_delete_returns_null_then_404(api: Api) -> None:
    made = api.create()
    response = api.delete(f"/v1/identities/{made['id']}")
    assert response.status_code == 200
    assert response.content == b"null"
    assert api.get(f"/v1/identities/{made['id']}").status_code == 404
    again = api.delete(f"/v1/identities/{made['id']}")
    assert again.status_code == 404
    assert again.json()["detail"].startswith(f"Identity not found with id='['{made['id']}']'")


def test_there_is_no_optimistic_concurrency(api: Api) -> None:
    made = api.create(properties=[EMAIL])
    stale = {"If-Match": '"some-old-version"', "If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}
    first = api.put(f"/v1/identities/{made['id']}/properties", json=[AGE], headers=stale)
    second = api.put(f"/v1/identities/{made['id']}/properties", json=[ACTIVE], headers=stale)
    assert (first.status_code, second.status_code) == (200, 200)
    assert "etag" not in {k.lower() for k in second.headers}
    assert api.retrieve(made["id"])["properties"] == [ACTIVE]  # the last writer wins
