"""Request bodies the server refuses: 422 details are Python reprs of pydantic's error list, matched exactly."""

from __future__ import annotations

import pytest

from .helpers import Api, errors_of, unique


def post_raw(api: Api, content: bytes, content_type: str | None = "application/json"):
    headers = {"content-type": content_type} if content_type else {}
    return api.request("POST", "/v1/identities/", content=content, headers=headers)


@pytest.mark.parametrize("body,expected", [
    ({"identifier_key": "x1", "identity_type": "user"},
     "[{'type': 'missing', 'loc': ('body', 'name'), 'msg': 'Field required', "
     "'input': {'identifier_key': 'x1', 'identity_type': 'user'}}]"),
    ({"identifier_key": "x2", "name": "X", "identity_type": "robot"},
     "[{'type': 'enum', 'loc': ('body', 'identity_type'), 'msg': \"Input should be 'org', 'user' or 'other'\", "
     "'input': 'robot', 'ctx': {'expected': \"'org', 'user' or 'other'\"}}]"),
    ({"identifier_key": "x3", "name": "X", "identity_type": "user",
      "properties": [{"key": "a", "value": "b", "type": "date"}]},
     "[{'type': 'enum', 'loc': ('body', 'properties', 0, 'type'), 'msg': \"Input should be 'string', 'number', "
     "'boolean' or 'json'\", 'input': 'date', 'ctx': {'expected': \"'string', 'number', 'boolean' or 'json'\"}}]"),
    ({"identifier_key": "x4", "name": "X", "identity_type": "user", "properties": [{"key": "a", "type": "string"}]},
     "[{'type': 'missing', 'loc': ('body', 'properties', 0, 'value'), 'msg': 'Field required', "
     "'input': {'key': 'a', 'type': 'string'}}]"),
    ({"identifier_key": "x5", "name": 123, "identity_type": "user"},
     "[{'type': 'string_type', 'loc': ('body', 'name'), 'msg': 'Input should be a valid string', 'input': 123}]"),
    ([1], "[{'type': 'model_attributes_type', 'loc': ('body',), 'msg': 'Input should be a valid dictionary or "
          "object to extract fields from', 'input': [1]}]"),
    ({"identifier_key": "x6", "name": "X", "identity_type": "user", "properties": {"a": 1}},
     "[{'type': 'list_type', 'loc': ('body', 'properties'), 'msg': 'Input should be a valid list', "
     "'input': {'a': 1}}]"),
])
def test_create_validation_errors(api: Api, body, expected: str) -> None:
    response = api.post("/v1/identities/", json=body)
    assert response.status_code == 422
    assert response.json() == {"trace_id": "", "detail": expected}


def test_every_error_is_reported_in_field_order_then_extras(api: Api) -> None:
    response = api.post("/v1/identities/", json={"zz": 1, "identity_type": 5, "project_id": 3,
                                                 "agent_ids": ["x"], "properties": ["p"]})
    assert [(e["type"], e["loc"]) for e in errors_of(response)] == [
        ("missing", ("body", "identifier_key")),
        ("missing", ("body", "name")),
        ("enum", ("body", "identity_type")),
        ("string_type", ("body", "project_id")),
        ("string_too_short", ("body", "agent_ids", 0)),
        ("model_attributes_type", ("body", "properties", 0)),
        ("extra_forbidden", ("body", "zz")),
    ]


def test_linked_ids_must_look_like_ids(api: Api) -> None:
    response = api.post("/v1/identities/", json={"identifier_key": unique(), "name": "X", "identity_type": "user",
                                                 "block_ids": ["block-A0000000-0000-4000-8000-000000000000"]})
    assert errors_of(response) == [{
        "type": "string_pattern_mismatch", "loc": ("body", "block_ids", 0),
        "msg": "String should match pattern "
               "'^block-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'",
        "input": "block-A0000000-0000-4000-8000-000000000000",
        "ctx": {"pattern": "^block-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"}}]


def test_body_that_is_not_json_is_422_json_invalid(api: Api) -> None:
    response = post_raw(api, b"this is not json")
    assert response.status_code == 422
    assert response.json() == {"trace_id": "", "detail": (
        "[{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', 'input': {}, "
        "'ctx': {'error': 'Expecting value'}}]")}
    response = post_raw(api, b'{"identifier_key": ')
    assert errors_of(response) == [{"type": "json_invalid", "loc": ("body", 19), "msg": "JSON decode error",
                                    "input": {}, "ctx": {"error": "Expecting value"}}]


@pytest.mark.parametrize("content", [b"", b"null"])
def test_empty_or_null_body_is_422_missing(api: Api, content: bytes) -> None:
    response = post_raw(api, content)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "[{'type': 'missing', 'loc': ('body',), 'msg': 'Field required', 'input': None}]")


def test_non_json_content_type_leaves_the_body_as_bytes(api: Api) -> None:
    response = post_raw(api, b'{"a":1}', "text/plain")
    assert response.status_code == 422
    assert errors_of(response) == [{"type": "model_attributes_type", "loc": ("body",),
                                    "msg": "Input should be a valid dictionary or object to extract fields from",
                                    "input": b'{"a":1}'}]


def test_json_suffix_content_types_are_json(api: Api) -> None:
    key = unique()
    content = ('{"identifier_key": "%s", "name": "X", "identity_type": "user"}' % key).encode()
    response = post_raw(api, content, "application/vnd.example+json; charset=utf-8")
    assert response.status_code == 200
    api.identities.append(response.json()["id"])


def test_missing_content_type_is_read_as_json(api: Api) -> None:
    key = unique()
    response = post_raw(api, ('{"identifier_key": "%s", "name": "X", "identity_type": "user"}' % key).encode(), None)
    assert response.status_code == 200
    api.identities.append(response.json()["id"])


def test_body_that_is_not_utf8_is_400(api: Api) -> None:
    response = post_raw(api, b"\xff\xfe{")
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}


def test_body_nested_too_deeply_to_parse_is_400(api: Api) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    body = '{"identifier_key": "deep", "name": "X", "identity_type": "user", "properties": [' \
        '{"key": "a", "type": "json", "value": {"v": %s}}]}' % deep
    response = post_raw(api, body.encode())
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}


def test_path_query_and_body_errors_are_reported_together(api: Api) -> None:
    response = api.patch("/v1/identities/nope", json={"name": 1, "zz": 2})
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in errors_of(response)] == [
        ("string_pattern_mismatch", ("path", "identity_id")),
        ("string_type", ("body", "name")),
        ("extra_forbidden", ("body", "zz")),
    ]
    assert response.json()["examples"] == ["identity-123e4567-e89b-42d3-8456-426614174000"]


def test_bad_json_wins_over_a_bad_user_id(api: Api) -> None:
    response = api.request("POST", "/v1/identities/", content=b"{bad",
                           headers={"content-type": "application/json", "user_id": "bogus"})
    assert response.status_code == 422
    response = api.request("POST", "/v1/identities/", content=b"{}",
                           headers={"content-type": "application/json", "user_id": "bogus"})
    assert response.status_code == 400
