"""Wire models: real server bodies parse with their Python types intact; the value-vs-type rules."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import (
    ID_PATTERN,
    Identity,
    IdentityCreate,
    IdentityProperty,
    IdentityUpdate,
    same_property,
    same_value,
    value_error,
    value_matches,
)

from .samples import ACME, ALICE, CAROL, ZOE, body


def test_identity_parses_the_real_server_body_with_organization_id():
    identity = Identity.model_validate(body(ALICE))
    assert identity.id == ALICE["id"]
    assert identity.identifier_key == "alice"
    assert identity.identity_type is IdentityType.USER
    assert identity.organization_id == "org-00000000-0000-4000-8000-000000000000"
    assert identity.project_id is None
    assert identity.agent_ids == [] and identity.block_ids == []
    assert [(p.key, p.type) for p in identity.properties] == [
        ("email", PropertyType.STRING),
        ("age", PropertyType.NUMBER),
    ]


def test_identity_ignores_unknown_fields():
    data = body(CAROL)
    data["created_at"] = "2026-11-28T13:04:02Z"
    data["some_future_field"] = {"x": 1}
    data["properties"] = [{"key": "k", "value": "v", "type": "string", "description": "new"}]
    identity = Identity.model_validate(data)
    assert identity.project_id == "proj-1"
    assert identity.identity_type is IdentityType.OTHER
    assert not hasattr(identity, "some_future_field")
    assert identity.properties[0].wire() == {"key": "k", "value": "v", "type": "string"}


def test_values_keep_their_python_types():
    alice = Identity.model_validate(body(ALICE))
    acme = Identity.model_validate(body(ACME))
    zoe = Identity.model_validate(body(ZOE))
    age = alice.properties[1].value
    assert age == 30 and type(age) is int
    score = zoe.properties[0].value
    assert score == 1.5 and type(score) is float
    active = acme.properties[1].value
    assert active is True
    meta = acme.properties[0].value
    assert meta == {"tier": "gold", "seats": 5} and type(meta) is dict
    assert type(meta["seats"]) is int


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("1", int), ("1.0", float), ("true", bool), ("false", bool), ('"1"', str), ("0", int), ("2.5e3", float)],
)
def test_json_text_values_keep_their_types(raw, kind):
    prop = IdentityProperty.model_validate_json(f'{{"key": "k", "type": "number", "value": {raw}}}')
    assert type(prop.value) is kind


def test_integral_float_is_not_turned_into_an_int():
    prop = IdentityProperty.model_validate({"key": "k", "value": 1.0, "type": "number"})
    assert type(prop.value) is float


@pytest.mark.parametrize("value", [None, ["a", "b"]])
def test_property_rejects_null_and_arrays_like_the_server(value):
    with pytest.raises(ValidationError):
        IdentityProperty.model_validate({"key": "k", "value": value, "type": "json"})


def test_unicode_survives():
    zoe = Identity.model_validate(body(ZOE))
    assert zoe.name == "Zoë 🚀" and zoe.identifier_key == "ünï"


def test_short_id_and_id_pattern():
    alice = Identity.model_validate(body(ALICE))
    assert alice.short_id == "a456d6c1"
    assert ID_PATTERN.match(alice.id)
    assert not ID_PATTERN.match(alice.id.upper().replace("IDENTITY-", "identity-"))
    assert not ID_PATTERN.match("agent-00000000-0000-4000-8000-000000000000")


VALUE_TABLE = [
    # number: ints and finite floats only
    ("number", 0, True),
    ("number", -7, True),
    ("number", 2**70, True),
    ("number", 1.5, True),
    ("number", 1.0, True),
    ("number", True, False),
    ("number", False, False),
    ("number", math.nan, False),
    ("number", math.inf, False),
    ("number", -math.inf, False),
    ("number", "3", False),
    ("number", None, False),
    ("number", {"a": 1}, False),
    # boolean: bools only
    ("boolean", True, True),
    ("boolean", False, True),
    ("boolean", 1, False),
    ("boolean", 0, False),
    ("boolean", "true", False),
    ("boolean", None, False),
    # json: objects only
    ("json", {}, True),
    ("json", {"tier": "gold", "seats": 5, "tags": ["a", 1, None, True, 2.5, {"x": {}}]}, True),
    ("json", ["a", "b"], False),
    ("json", None, False),
    ("json", "{}", False),
    ("json", 1, False),
    ("json", {"a": math.nan}, False),
    ("json", {"a": [1, {"b": math.inf}]}, False),
    ("json", {1: "x"}, False),
    ("json", {"a": {1, 2}}, False),
    # string: text only
    ("string", "", True),
    ("string", "alice@example.com", True),
    ("string", 1, False),
    ("string", True, False),
    ("string", None, False),
    ("string", {"a": 1}, False),
]


@pytest.mark.parametrize(("type_", "value", "ok"), VALUE_TABLE)
def test_value_error_table(type_, value, ok):
    problem = value_error(type_, value)
    assert (problem is None) is ok
    if not ok:
        assert isinstance(problem, str) and problem
    assert value_matches(type_, value) is ok
    assert value_matches(PropertyType(type_), value) is ok


def test_value_error_rejects_unknown_type():
    with pytest.raises(ValueError):
        value_error("date", "2024-01-01")


def test_number_messages_tell_kind_from_finiteness():
    assert value_error("number", math.nan) != value_error("number", "x")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (1, 1, True),
        (True, True, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (1, 1.0, False),
        (1.0, 1.0, True),
        ("1", 1, False),
        (math.nan, math.nan, True),
        ({"a": 1}, {"a": 1}, True),
        ({"a": 1}, {"a": 1.0}, False),
        ({"a": True}, {"a": 1}, False),
        ({"a": [1, 2]}, {"a": [1, 2.0]}, False),
        ({"a": [1, 2]}, {"a": [1, 2]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ([1], [1, 1], False),
    ],
)
def test_same_value(a, b, same):
    assert same_value(a, b) is same
    assert same_value(b, a) is same


def test_same_property_checks_key_type_and_exact_value():
    a = IdentityProperty(key="n", value=1, type="number")
    assert same_property(a, IdentityProperty(key="n", value=1, type="number"))
    assert not same_property(a, IdentityProperty(key="n", value=1.0, type="number"))
    assert not same_property(a, IdentityProperty(key="m", value=1, type="number"))
    assert not same_property(a, IdentityProperty(key="n", value="1", type="string"))


def test_update_wire_holds_only_the_fields_that_are_set():
    assert IdentityUpdate().wire() == {}
    assert IdentityUpdate(name="Alice A.").wire() == {"name": "Alice A."}
    assert IdentityUpdate(identity_type="org").wire() == {"identity_type": "org"}
    assert IdentityUpdate(identifier_key="al").wire() == {"identifier_key": "al"}
    # An empty list is set (a no-op on the server) and must not be dropped as "unset".
    assert IdentityUpdate(properties=[]).wire() == {"properties": []}
    wire = IdentityUpdate(
        name="",
        properties=[IdentityProperty(key="age", value=31, type="number")],
    ).wire()
    assert wire == {"name": "", "properties": [{"key": "age", "value": 31, "type": "number"}]}
    assert "agent_ids" not in wire and "block_ids" not in wire and "project_id" not in wire


def test_update_refuses_fields_the_server_refuses():
    with pytest.raises(ValidationError):
        IdentityUpdate(project_id="proj-1")
    with pytest.raises(ValidationError):
        IdentityUpdate(agent_ids=["agent-1"])


def test_create_wire():
    create = IdentityCreate(
        identifier_key="alice",
        name="Alice",
        identity_type=IdentityType.USER,
        properties=[
            IdentityProperty(key="email", value="alice@example.com", type="string"),
            IdentityProperty(key="age", value=30, type="number"),
        ],
    )
    assert create.wire() == {
        "identifier_key": "alice",
        "name": "Alice",
        "identity_type": "user",
        "properties": [
            {"key": "email", "value": "alice@example.com", "type": "string"},
            {"key": "age", "value": 30, "type": "number"},
        ],
    }
    with_project = IdentityCreate(
        identifier_key="carol", name="Carol", identity_type="other", project_id="proj-1"
    ).wire()
    assert with_project["project_id"] == "proj-1"
    assert with_project["properties"] == []
    assert with_project["identity_type"] == "other"


def test_wire_keeps_exact_value_types():
    wire = IdentityProperty(key="f", value=1.0, type="number").wire()
    assert type(wire["value"]) is float
    wire = IdentityProperty(key="b", value=True, type="boolean").wire()
    assert wire["value"] is True
