"""The save planner: every rule by example, then random originals and edits checked against the server's rules."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import (
    Identity,
    IdentityProperty,
    same_property,
    same_value,
)
from identity_tui.core.draft import Draft, DraftError, DraftProperty
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import (
    Plan,
    PlannedRequest,
    apply_to,
    plan_create,
    plan_save,
    put_reason,
    validate_draft,
)

ID = "identity-a456d6c1-b1f7-4101-b829-b63708512b46"
PATCH_PATH = f"/v1/identities/{ID}"
PUT_PATH = f"/v1/identities/{ID}/properties"
FORBIDDEN = {"agent_ids", "block_ids", "project_id", "id", "organization_id"}


def P(key: str, type_: str, value) -> DraftProperty:
    return DraftProperty(key, PropertyType(type_), value)


def make(*props: tuple[str, str, object], name="Alice", key="alice", type_="user", project_id=None) -> Identity:
    return Identity(
        id=ID,
        identifier_key=key,
        name=name,
        identity_type=type_,
        project_id=project_id,
        organization_id="org-00000000-0000-4000-8000-000000000000",
        properties=[IdentityProperty(key=k, type=t, value=v) for k, t, v in props],
    )


def edit(identity: Identity, *props: DraftProperty | tuple, **scalars) -> Draft:
    """The identity's draft with ``scalars`` changed and, when given, these properties."""
    draft = Draft.of(identity)
    if props:
        rows = tuple(p if isinstance(p, DraftProperty) else P(*p) for p in props)
        draft = replace(draft, properties=rows)
    return replace(draft, **scalars)


def run(identity: Identity, plan: Plan) -> Identity:
    for request in plan.requests:
        identity = apply_to(identity, request)
    return identity


def assert_lands(original: Identity, draft: Draft) -> Plan:
    """Plan the save, check it is well-formed, and that the server would end up holding the draft."""
    plan = plan_save(original, draft)
    assert plan.ok, plan.errors
    for request in plan.requests:
        assert request.method in ("PATCH", "PUT")
        if request.method == "PATCH":
            assert request.path == PATCH_PATH
            assert isinstance(request.body, dict)
            assert not FORBIDDEN & set(request.body)
        else:
            assert request.path == PUT_PATH
            assert isinstance(request.body, list)
    assert held_otherwise(run(original, plan), draft) == []
    return plan


ALICE = make(("email", "string", "alice@example.com"), ("age", "number", 30), ("vip", "boolean", False))


# -- example tests of each rule ---------------------------------------------------------------------


def test_nothing_changed_is_an_empty_plan():
    plan = plan_save(ALICE, Draft.of(ALICE))
    assert plan.ok and plan.empty and plan.requests == []
    assert plan.put_reason is None


def test_unchanged_values_of_every_type_are_an_empty_plan():
    original = make(("s", "string", ""), ("n", "number", 1.5), ("i", "number", 0), ("b", "boolean", True),
                    ("j", "json", {"a": [1, {"b": None}], "c": 1.0}))
    assert plan_save(original, Draft.of(original)).empty


@pytest.mark.parametrize(
    ("field", "value", "wire"),
    [
        ("name", "Alice A.", "Alice A."),
        ("identifier_key", "alice2", "alice2"),
        ("identity_type", IdentityType.ORG, "org"),
    ],
)
def test_one_scalar_changed_is_one_patch_of_it(field, value, wire):
    plan = assert_lands(ALICE, edit(ALICE, **{field: value}))
    (request,) = plan.requests
    assert request.method == "PATCH"
    assert request.body == {field: wire}
    assert request.kind == "patch"
    assert field in request.why


def test_identity_type_given_as_text_compares_with_the_enum():
    assert plan_save(ALICE, edit(ALICE, identity_type="user")).empty


def test_all_scalars_in_one_patch():
    plan = assert_lands(ALICE, edit(ALICE, name="B", identifier_key="b", identity_type=IdentityType.OTHER))
    (request,) = plan.requests
    assert request.body == {"name": "B", "identifier_key": "b", "identity_type": "other"}


def test_one_value_changed_patches_that_property_only():
    draft = edit(ALICE, ("email", "string", "alice@new.example"), ("age", "number", 30), ("vip", "boolean", False))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.method == "PATCH"
    assert request.body == {"properties": [{"key": "email", "value": "alice@new.example", "type": "string"}]}
    assert plan.put_reason is None


def test_property_added_at_the_end_is_patched_alone():
    draft = edit(ALICE, *Draft.of(ALICE).properties, ("plan", "string", "pro"))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.body == {"properties": [{"key": "plan", "value": "pro", "type": "string"}]}


def test_type_change_on_the_same_key_is_a_patch():
    draft = edit(ALICE, ("email", "string", "alice@example.com"), ("age", "string", "thirty"), ("vip", "boolean", False))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.method == "PATCH"
    assert request.body == {"properties": [{"key": "age", "value": "thirty", "type": "string"}]}


def test_int_to_float_of_a_different_value_is_a_patch():
    draft = edit(ALICE, ("email", "string", "alice@example.com"), ("age", "number", 30.5), ("vip", "boolean", False))
    (request,) = assert_lands(ALICE, draft).requests
    assert request.body["properties"] == [{"key": "age", "value": 30.5, "type": "number"}]


def test_removed_property_is_one_put_of_the_rest():
    draft = edit(ALICE, ("email", "string", "alice@example.com"), ("vip", "boolean", False))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.method == "PUT"
    assert request.kind == "put"
    assert request.body == [
        {"key": "email", "value": "alice@example.com", "type": "string"},
        {"key": "vip", "value": False, "type": "boolean"},
    ]
    assert plan.put_reason and "'age'" in plan.put_reason and "removed" in plan.put_reason


def test_removing_the_last_property_puts_an_empty_list():
    original = make(("only", "string", "x"))
    plan = assert_lands(original, replace(Draft.of(original), properties=()))
    (request,) = plan.requests
    assert (request.method, request.body) == ("PUT", [])


def test_renamed_key_is_a_put():
    draft = edit(ALICE, ("mail", "string", "alice@example.com"), ("age", "number", 30), ("vip", "boolean", False))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.method == "PUT"
    assert [p["key"] for p in request.body] == ["mail", "age", "vip"]
    assert "renamed" in plan.put_reason


def test_reordered_is_a_put():
    draft = edit(ALICE, ("age", "number", 30), ("email", "string", "alice@example.com"), ("vip", "boolean", False))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.method == "PUT"
    assert [p["key"] for p in request.body] == ["age", "email", "vip"]
    assert "reordered" in plan.put_reason


def test_new_property_in_the_middle_is_a_put():
    draft = edit(ALICE, ("email", "string", "alice@example.com"), ("plan", "string", "pro"), ("age", "number", 30),
                 ("vip", "boolean", False))
    plan = assert_lands(ALICE, draft)
    (request,) = plan.requests
    assert request.method == "PUT"
    assert [p["key"] for p in request.body] == ["email", "plan", "age", "vip"]


def test_rename_scalar_and_delete_property_is_patch_then_put():
    draft = edit(ALICE, ("email", "string", "alice@example.com"), ("age", "number", 30), name="Alice A.")
    plan = assert_lands(ALICE, draft)
    patch, put = plan.requests
    assert patch.method == "PATCH" and patch.body == {"name": "Alice A."}
    assert "properties" not in patch.body
    assert put.method == "PUT" and [p["key"] for p in put.body] == ["email", "age"]


def test_put_carries_changed_values_along():
    draft = edit(ALICE, ("vip", "boolean", True), ("email", "string", "new@example.com"))
    (put,) = assert_lands(ALICE, draft).requests
    assert put.body == [
        {"key": "vip", "value": True, "type": "boolean"},
        {"key": "email", "value": "new@example.com", "type": "string"},
    ]


DUPES = make(("a", "string", "1"), ("a", "string", "2"), ("b", "number", 3))


def test_stored_duplicate_keys_force_a_put_when_properties_change():
    draft = edit(DUPES, ("a", "string", "2"), ("b", "number", 4))
    plan = assert_lands(DUPES, draft)
    (request,) = plan.requests
    assert request.method == "PUT"
    assert request.body == [
        {"key": "a", "value": "2", "type": "string"},
        {"key": "b", "value": 4, "type": "number"},
    ]
    assert "duplicate" in plan.put_reason


def test_fixing_stored_duplicates_while_renaming_is_patch_then_put():
    draft = edit(DUPES, ("a", "string", "1"), ("b", "number", 3), name="D")
    plan = assert_lands(DUPES, draft)
    assert [r.method for r in plan.requests] == ["PATCH", "PUT"]
    assert plan.requests[0].body == {"name": "D"}


def test_draft_of_an_identity_with_duplicate_keys_must_be_fixed_first():
    plan = plan_save(DUPES, Draft.of(DUPES))
    assert not plan.ok and plan.requests == []
    assert {e.field for e in plan.errors} == {"properties.0.key", "properties.1.key"}


def test_project_id_is_never_sent():
    original = make(("a", "string", "x"), project_id="proj-1")
    draft = replace(edit(original, ("b", "string", "y"), name="N"), project_id="proj-2")
    for request in plan_save(original, draft).requests:
        body = request.body if isinstance(request.body, dict) else {}
        assert not FORBIDDEN & set(body)


# -- invalid drafts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "fields"),
    [
        (edit(ALICE, name=""), {"name"}),
        (edit(ALICE, name="   "), {"name"}),
        (edit(ALICE, identifier_key=""), {"identifier_key"}),
        (edit(ALICE, identifier_key="\t "), {"identifier_key"}),
        (edit(ALICE, identity_type="robot"), {"identity_type"}),
        (edit(ALICE, ("a", "string", "1"), ("b", "string", "2"), ("a", "string", "3")), {"properties.0.key", "properties.2.key"}),
        (edit(ALICE, ("n", "number", math.nan)), {"properties.0.value"}),
        (edit(ALICE, ("n", "number", math.inf)), {"properties.0.value"}),
        (edit(ALICE, ("n", "number", True)), {"properties.0.value"}),
        (edit(ALICE, ("n", "number", "3")), {"properties.0.value"}),
        (edit(ALICE, ("b", "boolean", 1)), {"properties.0.value"}),
        (edit(ALICE, ("j", "json", ["a", "b"])), {"properties.0.value"}),
        (edit(ALICE, ("j", "json", None)), {"properties.0.value"}),
        (edit(ALICE, ("j", "json", {"x": math.nan})), {"properties.0.value"}),
        (edit(ALICE, ("s", "string", None)), {"properties.0.value"}),
        (edit(ALICE, DraftProperty("t", "date", "2024")), {"properties.0.type"}),
        (edit(ALICE, ("", "number", math.nan), name=""), {"name", "properties.0.value"}),
        (edit(ALICE, ("", "string", "1"), ("", "string", "2")), {"properties.0.key", "properties.1.key"}),
    ],
)
def test_invalid_drafts_give_errors_and_no_requests(draft, fields):
    plan = plan_save(ALICE, draft)
    assert not plan.ok
    assert plan.requests == [] and plan.empty
    assert {e.field for e in plan.errors} == fields
    assert all(isinstance(e, DraftError) and e.message for e in plan.errors)
    create = plan_create(draft)
    assert not create.ok and create.requests == []


def test_duplicate_key_error_names_both_rows():
    errors = validate_draft(edit(ALICE, ("a", "string", "1"), ("b", "string", "2"), ("a", "string", "3")))
    assert [e.row for e in errors] == [0, 2]
    assert all("rows 1 and 3" in e.message for e in errors)


def test_draft_error_row():
    assert DraftError("properties.4.value", "x").row == 4
    assert DraftError("name", "x").row is None


# -- create ---------------------------------------------------------------------------------


def test_plan_create_is_one_post():
    draft = Draft(
        name="Carol",
        identifier_key="carol",
        identity_type=IdentityType.OTHER,
        properties=(P("n", "number", 1.0), P("j", "json", {"a": 1})),
        project_id="proj-1",
    )
    plan = plan_create(draft)
    (request,) = plan.requests
    assert (request.method, request.path, request.kind) == ("POST", "/v1/identities/", "post")
    assert request.body == {
        "identifier_key": "carol",
        "name": "Carol",
        "identity_type": "other",
        "project_id": "proj-1",
        "properties": [
            {"key": "n", "value": 1.0, "type": "number"},
            {"key": "j", "value": {"a": 1}, "type": "json"},
        ],
    }
    assert type(request.body["properties"][0]["value"]) is float


def test_plan_create_without_project_leaves_it_out():
    plan = plan_create(Draft(name="B", identifier_key="b", identity_type="user"))
    (request,) = plan.requests
    assert "project_id" not in request.body
    assert request.body["properties"] == []
    assert request.body["identity_type"] == "user"


# -- what the server drops ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "old", "new"),
    [("number", 1, 1.0), ("number", 2.0, 2), ("json", {"x": True}, {"x": 1}), ("json", {"x": 1}, {"x": 1.0})],
)
def test_a_change_python_thinks_equal_is_dropped_and_reported(type_, old, new):
    original = make(("v", type_, old), ("w", "string", "keep"))
    draft = edit(original, ("v", type_, new), ("w", "string", "keep"))
    plan = plan_save(original, draft)
    (request,) = plan.requests
    assert request.body == {"properties": [{"key": "v", "value": new, "type": type_}]}
    after = run(original, plan)
    assert same_value(after.properties[0].value, old)  # the server kept the old value
    assert held_otherwise(after, draft) == ["properties.v"]


def test_an_equal_looking_change_lands_when_the_list_changes_otherwise():
    original = make(("v", "number", 1), ("w", "string", "old"))
    draft = edit(original, ("v", "number", 1.0), ("w", "string", "new"))
    after = run(original, plan_save(original, draft))
    assert type(after.properties[0].value) is float
    assert held_otherwise(after, draft) == []


def test_held_otherwise_reports_scalars_values_extra_and_order():
    original = make(("a", "string", "1"), ("b", "string", "2"))
    assert held_otherwise(original, Draft.of(original)) == []
    assert held_otherwise(original, edit(original, name="X")) == ["name"]
    assert held_otherwise(original, edit(original, ("a", "string", "1"))) == ["properties.b"]
    assert held_otherwise(original, edit(original, ("b", "string", "2"), ("a", "string", "1"))) == ["properties.(order)"]
    assert held_otherwise(original, edit(original, ("a", "number", 1), ("b", "string", "2"))) == ["properties.a"]


# -- apply_to models the server -----------------------------------------------------------------


def test_apply_patch_merges_by_key_in_place_and_appends():
    original = make(("email", "string", "a@x"), ("age", "number", 30))
    request = PlannedRequest("PATCH", PATCH_PATH, {"properties": [
        {"key": "plan", "value": "pro", "type": "string"},
        {"key": "email", "value": "b@x", "type": "string"},
    ]})
    after = apply_to(original, request)
    assert [(p.key, p.value) for p in after.properties] == [("email", "b@x"), ("age", 30), ("plan", "pro")]


def test_apply_patch_cannot_remove_and_empty_list_does_nothing():
    original = make(("a", "string", "1"))
    after = apply_to(original, PlannedRequest("PATCH", PATCH_PATH, {"properties": []}))
    assert [p.key for p in after.properties] == ["a"]


def test_apply_patch_duplicates_in_the_request_collapse_last_wins():
    original = make(("score", "number", 1.5))
    body = {"properties": [{"key": "x", "value": "1", "type": "string"}, {"key": "x", "value": "2", "type": "string"}]}
    after = apply_to(original, PlannedRequest("PATCH", PATCH_PATH, body))
    assert [(p.key, p.value) for p in after.properties] == [("score", 1.5), ("x", "2")]


def test_apply_patch_with_properties_collapses_stored_duplicates():
    body = {"properties": [{"key": "b", "value": 4, "type": "number"}]}
    after = apply_to(DUPES, PlannedRequest("PATCH", PATCH_PATH, body))
    assert [(p.key, p.value) for p in after.properties] == [("a", "2"), ("b", 4)]


def test_apply_patch_without_properties_keeps_stored_duplicates():
    after = apply_to(DUPES, PlannedRequest("PATCH", PATCH_PATH, {"name": "D"}))
    assert after.name == "D" and len(after.properties) == 3


def test_apply_patch_null_scalar_means_unchanged():
    after = apply_to(ALICE, PlannedRequest("PATCH", PATCH_PATH, {"name": None}))
    assert after.name == "Alice"


def test_apply_put_replaces_the_whole_list():
    after = apply_to(ALICE, PlannedRequest("PUT", PUT_PATH, [{"key": "z", "value": {}, "type": "json"}]))
    assert [(p.key, p.value) for p in after.properties] == [("z", {})]
    assert apply_to(ALICE, PlannedRequest("PUT", PUT_PATH, [])).properties == []


def test_apply_to_refuses_what_it_does_not_model():
    with pytest.raises(ValueError):
        apply_to(ALICE, PlannedRequest("DELETE", PATCH_PATH, None))


def test_put_reason_function():
    old = ALICE.properties
    same = Draft.of(ALICE).properties
    assert put_reason(old, same) is None
    assert put_reason(old, same + (P("new", "string", "x"),)) is None
    assert put_reason(old, same[1:]) is not None
    assert put_reason(old, (same[1], same[0], same[2])) is not None
    assert put_reason(old, ()) is not None
    assert put_reason([], ()) is None


# -- random originals and edits --------------------------------------------------------------------

KEYS = "abcdefg"
TEXT = st.text(alphabet="xyz1 ", max_size=4)
NUMBER = st.one_of(
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, 2.0, -1.0, 1.5]),
)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([0.0, 1.0, 2.5]), TEXT)
JSON = st.dictionaries(
    st.sampled_from("xyz"),
    st.one_of(JSON_LEAF, st.lists(JSON_LEAF, max_size=2), st.dictionaries(st.sampled_from("pq"), JSON_LEAF, max_size=2)),
    max_size=3,
)
VALUES = {
    PropertyType.STRING: TEXT,
    PropertyType.NUMBER: NUMBER,
    PropertyType.BOOLEAN: st.booleans(),
    PropertyType.JSON: JSON,
}
TYPES = st.sampled_from(list(PropertyType))
NAMES = st.sampled_from(["Alice", "Bob", "Zoë 🚀", "alice"])
IDENTITY_KEYS = st.sampled_from(["alice", "bob", "ünï"])


@st.composite
def typed_value(draw, ptype=None):
    ptype = draw(TYPES) if ptype is None else ptype
    return ptype, draw(VALUES[ptype])


@st.composite
def originals(draw) -> Identity:
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6))
    props = []
    for key in keys:
        ptype, value = draw(typed_value())
        props.append((key, ptype.value, value))
    return make(*props, name=draw(NAMES), key=draw(IDENTITY_KEYS), type_=draw(st.sampled_from(list(IdentityType))))


@st.composite
def edits(draw, original: Identity) -> Draft:
    """A valid draft reached by a random sequence of the edits the form allows."""
    rows = [[p.key, p.type, p.value] for p in original.properties]
    for _ in range(draw(st.integers(0, 5))):
        op = draw(st.sampled_from(["value", "type", "add", "remove", "rename", "reorder", "noop"]))
        free = [k for k in KEYS if k not in {r[0] for r in rows}]
        if op == "value" and rows:
            row = draw(st.sampled_from(rows))
            row[2] = draw(VALUES[row[1]])
        elif op == "type" and rows:
            row = draw(st.sampled_from(rows))
            row[1], row[2] = draw(typed_value())
        elif op == "add" and free:
            ptype, value = draw(typed_value())
            at = draw(st.integers(0, len(rows)))
            rows.insert(at, [draw(st.sampled_from(free)), ptype, value])
        elif op == "remove" and rows:
            rows.pop(draw(st.integers(0, len(rows) - 1)))
        elif op == "rename" and rows and free:
            draw(st.sampled_from(rows))[0] = draw(st.sampled_from(free))
        elif op == "reorder" and len(rows) > 1:
            rows = draw(st.permutations(rows))
            rows = [list(r) for r in rows]
    draft = Draft.of(original)
    if draw(st.booleans()):
        draft = replace(draft, name=draw(NAMES))
    if draw(st.booleans()):
        draft = replace(draft, identifier_key=draw(IDENTITY_KEYS))
    if draw(st.booleans()):
        draft = replace(draft, identity_type=draw(st.sampled_from(list(IdentityType))))
    return replace(draft, properties=tuple(DraftProperty(k, t, v) for k, t, v in rows))


@st.composite
def cases(draw):
    original = draw(originals())
    return original, draw(edits(original))


def python_equal_change(original: Identity, draft: Draft) -> bool:
    """A kept property whose new value is ``==`` the old but not the same (1 -> 1.0, True -> 1 inside JSON)."""
    old = {p.key: p for p in original.properties}
    for p in draft.properties:
        before = old.get(p.key)
        if (
            before is not None
            and before.type == p.type
            and before.value == p.value
            and not same_value(before.value, p.value)
        ):
            return True
    return False


PROPERTY = settings(deadline=None, max_examples=300)


@PROPERTY
@given(cases())
def test_random_edits_land_as_meant(case):
    original, draft = case
    assume(not python_equal_change(original, draft))
    assert validate_draft(draft) == []
    assert_lands(original, draft)


@PROPERTY
@given(cases())
def test_random_edits_are_minimal(case):
    original, draft = case
    plan = plan_save(original, draft)
    assert plan.ok
    methods = [r.method for r in plan.requests]
    assert len(methods) <= 2
    assert methods in ([], ["PATCH"], ["PUT"], ["PATCH", "PUT"])

    if held_otherwise(original, draft) == []:
        assert plan.empty

    old_keys = [p.key for p in original.properties]
    new_keys = [p.key for p in draft.properties]
    append_only = set(old_keys) <= set(new_keys) and new_keys[: len(old_keys)] == old_keys
    if append_only:
        assert len(plan.requests) <= 1
        assert "PUT" not in methods
        assert plan.put_reason is None

    if "PUT" in methods:
        assert plan.put_reason is not None
        assert put_reason(original.properties, draft.properties) is not None
        put = plan.requests[-1]
        assert put.body == [p.wire() for p in draft.properties]
    if methods == ["PATCH", "PUT"]:
        assert "properties" not in plan.requests[0].body

    old = {p.key: p for p in original.properties}
    for request in plan.requests:
        if request.method != "PATCH":
            continue
        assert request.body, "a PATCH is never empty"
        for field in ("name", "identifier_key", "identity_type"):
            if field in request.body:
                before = getattr(original, field)
                assert request.body[field] != (before.value if field == "identity_type" else before)
        for sent in request.body.get("properties", []):
            before = old.get(sent["key"])
            changed = before is None or not same_property(before, IdentityProperty.model_construct(
                key=sent["key"], type=PropertyType(sent["type"]), value=sent["value"]))
            assert changed, f"PATCH resends unchanged {sent['key']!r}"


@PROPERTY
@given(originals())
def test_unchanged_draft_plans_nothing(original):
    assert plan_save(original, Draft.of(original)).empty


@settings(deadline=None, max_examples=100)
@given(cases(), st.sampled_from(["name", "key", "dupe", "nan", "bool_number", "list_json"]))
def test_random_invalid_drafts_send_nothing(case, breakage):
    original, draft = case
    rows = list(draft.properties)
    if breakage == "name":
        draft = replace(draft, name=" ")
    elif breakage == "key":
        draft = replace(draft, identifier_key="")
    elif breakage == "dupe":
        assume(rows)
        draft = replace(draft, properties=tuple(rows + [rows[0]]))
    else:
        value = {"nan": math.nan, "bool_number": True, "list_json": [1]}[breakage]
        ptype = PropertyType.JSON if breakage == "list_json" else PropertyType.NUMBER
        draft = replace(draft, properties=tuple(rows + [DraftProperty("zz", ptype, value)]))
    plan = plan_save(original, draft)
    assert not plan.ok and plan.requests == []


def test_a_blank_property_key_is_the_servers_to_hold_and_goes_out_as_given():
    """The server stores the keys "" and "  ": the planner sends them exactly (the form refuses a key a person
    leaves blank, before the planner: ``FormValues.errors``)."""
    draft = edit(ALICE, ("", "string", "1"), ("  ", "number", 2))
    create = plan_create(draft)
    assert create.ok
    assert [p["key"] for p in create.requests[0].body["properties"]] == ["", "  "]
    save = plan_save(ALICE, draft)
    assert save.ok and [r.method for r in save.requests] == ["PUT"]


@st.composite
def read_backs(draw):
    """A save's plan, and what a read-back may hold: the original edited again (someone else's change, or a
    server that kept another value)."""
    original, draft = draw(cases())
    plan = plan_save(original, draft)
    held = draw(edits(original))
    held_identity = make(*[(p.key, p.type.value, p.value) for p in held.properties], name=held.name,
                         key=held.identifier_key, type_=held.identity_type)
    return held_identity, draft, tuple(plan.requests)


@PROPERTY
@given(read_backs())
def test_what_a_patch_finds_held_otherwise_is_what_the_whole_diff_finds(case):
    """``Saved.dropped`` looks only at what the PATCH set; it names exactly what the whole diff, kept to the sent
    fields, names (the order of the list included)."""
    from identity_tui.core.transaction import Saved, dropped_by_diff

    held, draft, requests = case
    assert Saved(held, draft, False, requests=requests).dropped == dropped_by_diff(held, draft, requests)


def test_a_property_keyed_order_still_reports_a_change_of_order():
    """The one key the fast way cannot tell from a reorder: ``(order)`` goes the whole diff's way."""
    from identity_tui.core.transaction import Saved

    original = make(("a", "string", "1"), ("(order)", "string", "2"))
    draft = edit(original, ("a", "string", "1"), ("(order)", "string", "3"))
    held = make(("(order)", "string", "3"), ("a", "string", "1"))  # the same by key, in another order
    requests = tuple(plan_save(original, draft).requests)
    assert [r.method for r in requests] == ["PATCH"]
    assert Saved(held, draft, False, requests=requests).dropped == ["properties.(order)"]


def test_a_patch_that_set_a_key_the_draft_does_not_hold_is_named_as_the_whole_diff_names_it():
    from identity_tui.core.planner import PlannedRequest
    from identity_tui.core.transaction import Saved, dropped_by_diff

    draft = Draft.of(make(("a", "string", "1")))
    held = make(("a", "string", "1"), ("z", "string", "kept"))
    requests = (PlannedRequest("PATCH", "/v1/identities/x", {"properties": [{"key": "z", "value": "v",
                                                                                "type": "string"}]}, "set z"),)
    assert Saved(held, draft, False, requests=requests).dropped == ["properties.z"]
    assert dropped_by_diff(held, draft, requests) == ["properties.z"]
