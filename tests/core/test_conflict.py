"""The three-way merge by example: what merges silently, what is a conflict, and how the order of rows merges."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identity_tui.core.conflict import ABSENT, MINE, THEIRS, Conflict, merge
from identity_tui.core.diff import diff
from identity_tui.core.fields import ORDER
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, IdentityProperty
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.planner import plan_save

ID = "identity-a456d6c1-b1f7-4101-b829-b63708512b46"


def P(key: str, type_: str, value) -> DraftProperty:
    return DraftProperty(key, PropertyType(type_), value)


EMAIL = P("email", "string", "a@example.com")
AGE = P("age", "number", 42)
VERIFIED = P("verified", "boolean", True)
BASE = Draft("Alice", "alice", IdentityType.USER, (EMAIL, AGE, VERIFIED))


def with_props(draft: Draft, *props: DraftProperty, **scalars) -> Draft:
    return replace(draft, properties=tuple(props), **scalars)


def keys(draft: Draft) -> list[str]:
    return [p.key for p in draft.properties]


def identity_of(draft: Draft) -> Identity:
    return Identity(
        id=ID, identifier_key=draft.identifier_key, name=draft.name, identity_type=draft.identity_type,
        properties=[IdentityProperty(key=p.key, type=p.type, value=p.value) for p in draft.properties],
    )


# -- nothing overlaps ---------------------------------------------------------------------------------


def test_nobody_else_changed_anything_gives_mine_unchanged():
    mine = with_props(BASE, EMAIL, P("age", "number", 43), name="Alice B")
    result = merge(BASE, BASE, mine)
    assert result.clean and result.theirs == ()
    assert result.draft == mine


def test_i_changed_nothing_gives_theirs():
    theirs = with_props(BASE, AGE, EMAIL, P("new", "string", "x"), name="Alice T")
    result = merge(BASE, theirs, BASE)
    assert result.clean
    assert result.draft == theirs
    assert set(result.theirs) == {"name", "properties.verified", "properties.new", ORDER}


def test_different_scalars_both_land():
    theirs = replace(BASE, name="Alice Theirs")
    mine = replace(BASE, identifier_key="alice2", identity_type=IdentityType.ORG)
    result = merge(BASE, theirs, mine)
    assert result.clean
    assert (result.draft.name, result.draft.identifier_key, result.draft.identity_type) == (
        "Alice Theirs", "alice2", IdentityType.ORG)
    assert result.theirs == ("name",)


def test_different_properties_both_land_and_their_new_row_follows_its_neighbour():
    theirs = with_props(BASE, EMAIL, AGE, P("tier", "string", "gold"), VERIFIED)
    mine = with_props(BASE, EMAIL, P("age", "number", 43), VERIFIED, P("mine", "json", {"a": 1}))
    result = merge(BASE, theirs, mine)
    assert result.clean
    assert result.draft.properties == (EMAIL, P("age", "number", 43), P("tier", "string", "gold"), VERIFIED,
                                       P("mine", "json", {"a": 1}))


def test_both_appending_keeps_theirs_first_so_the_save_stays_a_patch():
    theirs = with_props(BASE, EMAIL, AGE, VERIFIED, P("t", "string", "x"))
    mine = with_props(BASE, EMAIL, AGE, VERIFIED, P("m", "string", "y"))
    result = merge(BASE, theirs, mine)
    assert keys(result.draft) == ["email", "age", "verified", "t", "m"]
    plan = plan_save(identity_of(theirs), result.draft)
    assert [r.method for r in plan.requests] == ["PATCH"]
    assert plan.requests[0].body == {"properties": [{"key": "m", "value": "y", "type": "string"}]}


def test_my_removal_with_their_addition_puts_a_list_that_carries_their_row():
    theirs = with_props(BASE, EMAIL, AGE, VERIFIED, P("t", "string", "theirs"))
    mine = with_props(BASE, EMAIL, VERIFIED)  # age removed
    result = merge(BASE, theirs, mine)
    assert result.clean
    plan = plan_save(identity_of(theirs), result.draft)
    assert [r.method for r in plan.requests] == ["PUT"]
    assert [p["key"] for p in plan.requests[0].body] == ["email", "verified", "t"]


def test_their_removal_with_my_change_elsewhere_keeps_the_removal():
    theirs = with_props(BASE, EMAIL, VERIFIED)
    mine = with_props(BASE, P("email", "string", "new@example.com"), AGE, VERIFIED)
    result = merge(BASE, theirs, mine)
    assert result.clean
    assert result.draft.properties == (P("email", "string", "new@example.com"), VERIFIED)
    assert result.theirs == ("properties.age",)


def test_the_same_change_on_both_sides_is_no_conflict():
    same = with_props(BASE, EMAIL, P("age", "number", 50), VERIFIED, name="Same")
    result = merge(BASE, same, same)
    assert result.clean and result.draft == same


def test_their_reorder_is_kept_when_i_did_not_move_rows():
    theirs = with_props(BASE, VERIFIED, EMAIL, AGE)
    mine = with_props(BASE, EMAIL, P("age", "number", 1), VERIFIED)
    result = merge(BASE, theirs, mine)
    assert result.clean
    assert keys(result.draft) == ["verified", "email", "age"]
    assert ORDER in result.theirs


def test_my_reorder_wins_over_their_untouched_order_and_their_new_row_follows_the_row_it_followed():
    theirs = with_props(BASE, EMAIL, AGE, VERIFIED, P("t", "string", "x"))
    mine = with_props(BASE, VERIFIED, AGE, EMAIL)
    assert keys(merge(BASE, theirs, mine).draft) == ["verified", "t", "age", "email"]


# -- conflicts ----------------------------------------------------------------------------------------


def test_the_same_field_changed_differently_is_a_conflict_decided_by_the_choice():
    theirs = replace(BASE, name="Theirs")
    mine = replace(BASE, name="Mine")
    result = merge(BASE, theirs, mine)
    assert result.conflicts == (Conflict("name", "Alice", "Theirs", "Mine"),)
    assert result.draft.name == "Mine"  # undecided: mine, until chosen
    assert merge(BASE, theirs, mine, {"name": THEIRS}).draft.name == "Theirs"
    assert merge(BASE, theirs, mine, {"name": MINE}).draft.name == "Mine"


@pytest.mark.parametrize(
    ("theirs_age", "mine_age"),
    [
        (P("age", "number", 43), P("age", "number", 44)),  # both changed the value
        (P("age", "number", 43), P("age", "string", "42")),  # a value and a type
        (P("age", "number", 42.0), P("age", "number", 44)),  # theirs: 42 -> 42.0 is a change, not "equal"
        (ABSENT, P("age", "number", 44)),  # they removed it, I changed it
        (P("age", "number", 43), ABSENT),  # they changed it, I removed it
    ],
)
def test_one_property_changed_on_both_sides_is_a_conflict(theirs_age, mine_age):
    base = BASE

    def version(age):
        return with_props(base, *(p for p in (EMAIL, age, VERIFIED) if p is not ABSENT))

    result = merge(base, version(theirs_age), version(mine_age))
    assert [c.field for c in result.conflicts] == ["properties.age"]
    conflict = result.conflicts[0]
    assert conflict.key == "age"
    assert (conflict.theirs, conflict.mine) == (theirs_age, mine_age)
    chosen = merge(base, version(theirs_age), version(mine_age), {"properties.age": THEIRS}).draft
    assert chosen.properties == version(theirs_age).properties


def test_a_key_added_on_both_sides_with_different_values_is_a_conflict():
    theirs = with_props(BASE, EMAIL, AGE, VERIFIED, P("plan", "string", "pro"))
    mine = with_props(BASE, EMAIL, AGE, VERIFIED, P("plan", "string", "free"))
    result = merge(BASE, theirs, mine)
    assert result.conflicts == (Conflict("properties.plan", ABSENT, P("plan", "string", "pro"),
                                         P("plan", "string", "free")),)


def test_my_rename_against_their_change_of_the_old_key_is_a_conflict_on_that_key():
    theirs = with_props(BASE, EMAIL, P("age", "number", 43), VERIFIED)
    mine = with_props(BASE, EMAIL, P("years", "number", 42), VERIFIED)
    result = merge(BASE, theirs, mine)
    assert [c.field for c in result.conflicts] == ["properties.age"]
    assert keys(result.draft) == ["email", "years", "verified"]  # mine: the old key goes
    kept = merge(BASE, theirs, mine, {"properties.age": THEIRS}).draft
    assert keys(kept) == ["email", "age", "years", "verified"]


def test_both_moving_rows_differently_is_an_order_conflict():
    theirs = with_props(BASE, VERIFIED, EMAIL, AGE)
    mine = with_props(BASE, AGE, EMAIL, VERIFIED)
    result = merge(BASE, theirs, mine)
    assert [c.field for c in result.conflicts] == [ORDER]
    assert result.conflicts[0].theirs == ("verified", "email", "age")
    assert keys(result.draft) == ["age", "email", "verified"]
    assert keys(merge(BASE, theirs, mine, {ORDER: THEIRS}).draft) == ["verified", "email", "age"]


def test_conflicts_come_in_form_order_scalars_first():
    theirs = with_props(BASE, EMAIL, P("age", "number", 1), P("verified", "boolean", False), name="T")
    mine = with_props(BASE, EMAIL, P("age", "number", 2), P("verified", "boolean", True), name="M")
    theirs = replace(theirs, properties=theirs.properties + (P("x", "string", "t"),))
    mine = replace(mine, properties=mine.properties + (P("x", "string", "m"),))
    assert [c.field for c in merge(BASE, theirs, mine).conflicts] == ["name", "properties.age", "properties.x"]


def test_a_stored_duplicate_counts_once_first_place_last_value():
    base = with_props(BASE, EMAIL, AGE, P("email", "string", "second"))
    result = merge(base, base, with_props(BASE, EMAIL, AGE))
    assert result.clean
    assert keys(result.draft) == ["email", "age"]


def test_diff_names_every_kind_of_change():
    new = with_props(BASE, AGE, P("email", "string", "x"), P("n", "string", ""), name="B")
    assert diff(BASE, new).names() == ["name", "properties.email", "properties.verified", "properties.n", ORDER]
    assert diff(BASE, BASE).names() == []
