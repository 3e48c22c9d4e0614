"""The Identity object: shape, ids, what the server accepts as names, keys and property values, and 404s."""

from __future__ import annotations

import pytest

from .helpers import ID, IDENTITY_KEYS, ORG_ID, PATTERN, UNKNOWN_ID, Api, errors_of, unique


def test_create_answers_200_with_the_full_identity(api: Api) -> None:
    key = unique()
    props = [{"key": "email", "value": "alice@example.com", "type": "string"},
             {"key": "age", "value": 30, "type": "number"}]
    response = api.post("/v1/identities/", json={"identifier_key": key, "name": "Alice", "identity_type": "user",
                                                 "properties": props})
    assert response.status_code == 200  # not 201
    body = response.json()
    assert list(body) == IDENTITY_KEYS
    assert ID.match(body["id"]) and len(body["id"]) == 45
    assert body == {"id": body["id"], "identifier_key": key, "name": "Alice", "identity_type": "user",
                    "project_id": None, "agent_ids": [], "block_ids": [], "organization_id": ORG_ID,
                    "properties": props}


def test_retrieve_returns_the_same_object_without_timestamps(api: Api) -> None:
    made = api.create(project_id="ct-proj", properties=[{"key": "k", "value": "v", "type": "string"}])
    got = api.retrieve(made["id"])
    assert got == made
    assert list(got) == IDENTITY_KEYS
    assert "created_at" not in got and "updated_at" not in got


def test_property_key_order_is_normalised(api: Api) -> None:
    made = api.create(properties=[{"type": "boolean", "value": True, "key": "active"}])
    assert list(made["properties"][0]) == ["key", "value", "type"]


@pytest.mark.parametrize("kind", ["org", "user", "other"])
def test_each_identity_type_is_accepted(api: Api, kind: str) -> None:
    assert api.create(identity_type=kind)["identity_type"] == kind


def test_empty_name_and_key_are_accepted(api: Api) -> None:
    # "" is a valid key on the server; a unique project keeps it from clashing with anyone else's "".
    made = api.create(identifier_key="", name="", project_id=unique("proj"))
    assert (made["identifier_key"], made["name"]) == ("", "")


def test_unicode_and_floats_round_trip(api: Api) -> None:
    made = api.create(identifier_key=unique("ünï"), name="Zoë 🚀",
                      properties=[{"key": "score", "value": 1.5, "type": "number"}])
    assert made["name"] == "Zoë 🚀"
    assert api.retrieve(made["id"])["properties"] == [{"key": "score", "value": 1.5, "type": "number"}]


def test_values_are_never_checked_against_the_declared_type(api: Api) -> None:
    props = [{"key": "n", "value": "abc", "type": "number"}, {"key": "b", "value": "yes", "type": "boolean"},
             {"key": "s", "value": 12, "type": "string"}, {"key": "j", "value": True, "type": "json"}]
    assert api.create(properties=props)["properties"] == props


def test_json_property_holds_an_object(api: Api) -> None:
    props = [{"key": "meta", "value": {"tier": "gold", "seats": 5, "tags": ["a", "b"], "x": None}, "type": "json"}]
    assert api.create(properties=props)["properties"] == props


UNION_MEMBERS = [("str", "string_type", "Input should be a valid string"),
                 ("int", "int_type", "Input should be a valid integer"),
                 ("float", "float_type", "Input should be a valid number"),
                 ("bool", "bool_type", "Input should be a valid boolean"),
                 ("dict[any,any]", "dict_type", "Input should be a valid dictionary")]


@pytest.mark.parametrize("value", [None, ["a", "b"]], ids=["null", "array"])
def test_null_and_array_values_are_rejected(api: Api, value) -> None:
    response = api.post("/v1/identities/", json={"identifier_key": unique(), "name": "X", "identity_type": "user",
                                                 "properties": [{"key": "v", "value": value, "type": "json"}]})
    assert response.status_code == 422
    # One error per member of Union[str, int, float, bool, dict], in that order.
    expected = [{"type": kind, "loc": ("body", "properties", 0, "value", member), "msg": msg, "input": value}
                for member, kind, msg in UNION_MEMBERS]
    assert response.json() == {"trace_id": "", "detail": repr(expected)}


def test_duplicate_property_keys_are_stored_as_sent(api: Api) -> None:
    props = [{"key": "a", "value": "1", "type": "string"}, {"key": "a", "value": "2", "type": "string"}]
    made = api.create(properties=props)
    assert made["properties"] == props
    assert api.retrieve(made["id"])["properties"] == props


def test_properties_default_to_an_empty_list(api: Api) -> None:
    assert api.create()["properties"] == []
    assert api.create(properties=None)["properties"] == []


@pytest.mark.parametrize("bad", [
    "not-an-id",
    "identity-A456D6C1-B1F7-4101-B829-B63708512B46",  # upper case
    "agent-00000000-0000-4000-8000-000000000000",     # wrong prefix
    "identity-00000000-0000-1000-8000-000000000000",  # not version 4
    "identity-00000000-0000-4000-8000-0000000000000",  # too long
])
@pytest.mark.parametrize("method,suffix", [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("PUT", "/properties"),
                                           ("GET", "/agents"), ("GET", "/blocks")])
def test_malformed_path_id_is_422_with_examples(api: Api, bad: str, method: str, suffix: str) -> None:
    body = {"PATCH": {}, "PUT": []}.get(method)
    response = api.request(method, f"/v1/identities/{bad}{suffix}", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "trace_id": "",
        "detail": repr([{"type": "string_pattern_mismatch", "loc": ("path", "identity_id"),
                         "msg": "String should match pattern 'identity-{uuid4}'", "input": bad,
                         "ctx": {"pattern": PATTERN}}]),
        "examples": ["identity-123e4567-e89b-42d3-8456-426614174000"],
    }
    assert errors_of(response)[0]["loc"] == ("path", "identity_id")


@pytest.mark.parametrize("method,suffix,body", [
    ("GET", "", None), ("PATCH", "", {"name": "x"}), ("DELETE", "", None), ("PUT", "/properties", []),
    ("GET", "/agents", None), ("GET", "/blocks", None),
])
def test_unknown_id_is_404(api: Api, method: str, suffix: str, body) -> None:
    response = api.request(method, f"/v1/identities/{UNKNOWN_ID}{suffix}", json=body)
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail.startswith(
        f"Identity not found with id='['{UNKNOWN_ID}']', access level in ['read'] for actor='id='user-")
    assert f"organization_id='{ORG_ID}'" in detail


def test_unknown_fields_on_create_are_422(api: Api) -> None:
    response = api.post("/v1/identities/", json={"identifier_key": unique(), "name": "X", "identity_type": "user",
                                                 "nickname": "al"})
    assert response.status_code == 422
    assert errors_of(response) == [{"type": "extra_forbidden", "loc": ("body", "nickname"),
                                    "msg": "Extra inputs are not permitted", "input": "al"}]
