"""The server's errors (422 repr strings included) become one exception family with sentences and fields."""

from __future__ import annotations

import pytest

from identity_tui.core.errors import (
    APIError,
    AlreadyExists,
    FieldError,
    LettaError,
    NotFound,
    PaymentRequired,
    ServerError,
    Unauthorized,
    ValidationFailed,
    detail_text,
    error_for_status,
    parse_field_errors,
)

# ``detail`` strings exactly as the real server sent them (see the transcript).
QUERY_ENUM = (
    "[{'type': 'enum', 'loc': ('query', 'identity_type'), 'msg': \"Input should be 'org', 'user' or "
    "'other'\", 'input': 'bogus', 'ctx': {'expected': \"'org', 'user' or 'other'\"}}]"
)
BODY_ENUM = (
    "[{'type': 'enum', 'loc': ('body', 'identity_type'), 'msg': \"Input should be 'org', 'user' or "
    "'other'\", 'input': 'robot', 'ctx': {'expected': \"'org', 'user' or 'other'\"}}]"
)
PROPERTY_TYPE = (
    "[{'type': 'enum', 'loc': ('body', 'properties', 0, 'type'), 'msg': \"Input should be 'string', "
    "'number', 'boolean' or 'json'\", 'input': 'date', 'ctx': {'expected': \"'string', 'number', "
    "'boolean' or 'json'\"}}]"
)
MISSING_NAME = (
    "[{'type': 'missing', 'loc': ('body', 'name'), 'msg': 'Field required', 'input': "
    "{'identifier_key': 'x1', 'identity_type': 'user'}}]"
)
PATH_ID = (
    "[{'type': 'string_pattern_mismatch', 'loc': ('path', 'identity_id'), 'msg': \"String should match "
    "pattern 'identity-{uuid4}'\", 'input': 'not-an-id', 'ctx': {'pattern': "
    "'^identity-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'}}]"
)
EXTRA_PROJECT = (
    "[{'type': 'extra_forbidden', 'loc': ('body', 'project_id'), 'msg': 'Extra inputs are not "
    "permitted', 'input': 'proj-9'}]"
)
NOT_A_LIST = (
    "[{'type': 'list_type', 'loc': ('body',), 'msg': 'Input should be a valid list', 'input': "
    "{'key': 'tier', 'value': 'gold', 'type': 'string'}}]"
)


def _union(value_repr: str) -> str:
    members = [
        ("string_type", "str", "Input should be a valid string"),
        ("int_type", "int", "Input should be a valid integer"),
        ("float_type", "float", "Input should be a valid number"),
        ("bool_type", "bool", "Input should be a valid boolean"),
        ("dict_type", "dict[any,any]", "Input should be a valid dictionary"),
    ]
    return "[" + ", ".join(
        f"{{'type': '{t}', 'loc': ('body', 'properties', 0, 'value', '{m}'), 'msg': '{msg}', "
        f"'input': {value_repr}}}"
        for t, m, msg in members
    ) + "]"


NULL_VALUE = _union("None")
ARRAY_VALUE = _union("['a', 'b']")
UNIQUE = (
    "A unique constraint was violated for Identity. Check your input for duplicates: "
    "(sqlalchemy.dialects.postgresql.asyncpg.IntegrityError) <class "
    "'asyncpg.exceptions.UniqueViolationError'>: duplicate key value violates unique constraint "
    '"unique_identifier_key_project_id_organization_id"\nDETAIL:  Key (identifier_key, project_id, '
    "organization_id)=(bob, null, org-00000000-0000-4000-8000-000000000000) already exists.\n[SQL: "
    "UPDATE identities SET identifier_key=$1::VARCHAR WHERE identities.id = $3::VARCHAR]"
)


@pytest.mark.parametrize(
    ("detail", "field", "loc"),
    [
        (QUERY_ENUM, "identity_type", ("query", "identity_type")),
        (BODY_ENUM, "identity_type", ("body", "identity_type")),
        (PROPERTY_TYPE, "properties.0.type", ("body", "properties", 0, "type")),
        (MISSING_NAME, "name", ("body", "name")),
        (PATH_ID, "identity_id", ("path", "identity_id")),
        (EXTRA_PROJECT, "project_id", ("body", "project_id")),
        (NOT_A_LIST, "request", ("body",)),
    ],
)
def test_repr_details_give_field_paths(detail, field, loc):
    errors = parse_field_errors(detail)
    assert len(errors) == 1
    assert errors[0].field == field
    assert errors[0].loc == loc


def test_field_error_keeps_the_server_message():
    (err,) = parse_field_errors(MISSING_NAME)
    assert err.msg == "Field required"
    assert str(err) == "name: Field required"


@pytest.mark.parametrize("detail", [NULL_VALUE, ARRAY_VALUE])
def test_union_failure_collapses_to_one_value_error(detail):
    errors = parse_field_errors(detail)
    assert len(errors) == 1
    assert errors[0].field == "properties.0.value"
    assert errors[0].loc == ("body", "properties", 0, "value")
    assert "JSON object" in errors[0].msg


def test_field_named_like_a_type_is_not_mistaken_for_a_union_member():
    detail = "[{'type': 'extra_forbidden', 'loc': ('body', 'str'), 'msg': 'Extra inputs are not permitted'}]"
    (err,) = parse_field_errors(detail)
    assert err.field == "str"
    assert err.msg == "Extra inputs are not permitted"


def test_json_list_detail_is_parsed_too():
    detail = [{"loc": ["body", "properties", 2, "key"], "msg": "Field required", "type": "missing"}]
    (err,) = parse_field_errors(detail)
    assert err.field == "properties.2.key"
    assert detail_text(detail) == "properties.2.key: Field required"


@pytest.mark.parametrize(
    "detail",
    [
        "[{'type': 'x', 'loc': ('body', 'name'), 'input': datetime.datetime(2026, 1, 1)}",  # unclosed
        "[{'type': 'x', 'loc': ('body', 'name'), 'input': <object at 0x1>}]",
        "Unauthorized",
        "",
        "[1, 2, 3]",
        "{'loc': ('body',)}",
        None,
        42,
    ],
)
def test_unparseable_details_give_no_field_errors(detail):
    assert parse_field_errors(detail) == []


def test_malformed_422_falls_back_to_the_raw_text():
    raw = "[{'type': 'x', 'loc': ('body', 'name'), 'input': <object at 0x1>}]"
    err = error_for_status(422, {"trace_id": "", "detail": raw})
    assert isinstance(err, ValidationFailed)
    assert err.field_errors == []
    assert err.detail == raw
    assert "<object at 0x1>" in str(err)
    assert "(422)" in str(err)


def test_422_names_the_field_and_keeps_detail_as_text():
    err = error_for_status(422, {"trace_id": "", "detail": PROPERTY_TYPE})
    assert isinstance(err, ValidationFailed) and isinstance(err, APIError) and isinstance(err, LettaError)
    assert err.status == 422
    assert [e.field for e in err.field_errors] == ["properties.0.type"]
    assert isinstance(err.detail, str) and err.detail == PROPERTY_TYPE
    assert "properties.0.type" in str(err)
    assert "Input should be 'string', 'number', 'boolean' or 'json'" in str(err)


def test_422_union_error_message_names_one_field():
    err = error_for_status(422, {"trace_id": "", "detail": NULL_VALUE})
    assert len(err.field_errors) == 1
    assert str(err).count("properties.0.value") == 1


@pytest.mark.parametrize(
    ("status", "body", "cls", "words"),
    [
        (401, {"detail": "Unauthorized"}, Unauthorized, ["401", "token"]),
        (402, {"detail": "Identity limit reached for plan"}, PaymentRequired, ["402", "limit"]),
        (404, {"detail": "Identity not found with id='x'"}, NotFound, ["404", "no longer exists"]),
        (409, {"detail": UNIQUE}, AlreadyExists, ["409", "identifier_key"]),
        (500, {"detail": "An unknown error occurred"}, ServerError, ["500", "An unknown error occurred"]),
        (503, {"detail": "down"}, ServerError, ["503", "down"]),
        (400, {"detail": "INVALID_ARGUMENT: Invalid user ID format: bogus."}, APIError, ["Invalid user ID format"]),
        (418, {"detail": "teapot"}, APIError, ["418", "teapot"]),
    ],
)
def test_error_for_status_classes_and_sentences(status, body, cls, words):
    err = error_for_status(status, body)
    assert type(err) is cls
    assert err.status == status
    assert isinstance(err.detail, str) and err.detail == body["detail"]
    for word in words:
        assert word in str(err)


def test_409_sentence_stays_short_but_detail_keeps_the_sql():
    err = error_for_status(409, {"detail": UNIQUE})
    assert "SQL" not in str(err)
    assert "UPDATE identities" in err.detail


def test_long_details_are_cut_to_one_line_in_the_sentence():
    err = error_for_status(500, {"detail": "line one\n" + "x" * 1000})
    assert "\n" not in str(err)
    assert len(str(err)) < 260
    assert str(err).endswith("…")
    assert len(err.detail) > 1000


def test_action_prefixes_the_sentence():
    err = error_for_status(404, {"detail": "gone"}, action="Saving alice")
    assert str(err).startswith("Saving alice: ")


def test_retry_after_is_kept():
    err = error_for_status(429, {"detail": "slow down"}, retry_after=3.0)
    assert err.retry_after == 3.0 and "429" in str(err)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
        ({"detail": ["a", "b"]}, "['a', 'b']"),
        ({"detail": {"reason": "x"}}, '{"reason": "x"}'),
        ({"error": "upstream down"}, '{"error": "upstream down"}'),
        (None, ""),
    ],
)
def test_detail_of_any_shape_is_kept_as_text(body, expected):
    err = error_for_status(502, body)
    assert isinstance(err.detail, str)
    assert err.detail == expected
    if expected:
        assert expected[:10] in str(err)
    else:
        assert "no detail" in str(err)


def test_field_error_without_prefix_and_empty_loc():
    assert FieldError(loc=("name",), msg="m").field == "name"
    assert FieldError(loc=(), msg="m").field == "request"
    assert FieldError(loc=("header", "user_id"), msg="m").field == "user_id"
