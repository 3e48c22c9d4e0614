"""The --where grammar, table-driven: every operator, dotted paths, type mismatches, unicode, quoted keys."""

from __future__ import annotations

import pytest

from identity_tui.core.where import WhereError, matcher, parse

ACME = {"properties": [
    {"key": "tier", "type": "string", "value": "gold"},
    {"key": "seats", "type": "number", "value": 12},
    {"key": "ratio", "type": "number", "value": 0.5},
    {"key": "active", "type": "boolean", "value": True},
    {"key": "plan", "type": "json", "value": {"tier": "Gold", "limits": {"users": 10}, "tags": ["a"]}},
    {"key": "a.b", "type": "json", "value": {"c": 1}},
    {"key": "région", "type": "string", "value": "Île-de-France"},
    {"key": "count", "type": "string", "value": "12"},
    {"key": 'say "hi"', "type": "string", "value": "x"},
]}
BARE = {"properties": []}


@pytest.mark.parametrize(
    ("expr", "acme", "bare"),
    [
        ("tier=gold", True, False),
        ("tier=Gold", False, False),
        ("tier!=gold", False, True),
        ("tier!=silver", True, True),
        ("tier?", True, False),
        ("!tier", False, True),
        ("seats=12", True, False),
        ("seats=12.0", True, False),
        ("seats>=10", True, False),
        ("seats>12", False, False),
        ("seats<13", True, False),
        ("seats<=12", True, False),
        ("ratio<1", True, False),
        ("ratio>=-1e3", True, False),
        ("count>=10", False, False),  # a string holding digits is not a number
        ("count=12", True, False),  # but equals the text 12
        ("seats=twelve", False, False),
        ("active=true", True, False),
        ("active=1", False, False),  # a boolean is never 1
        ("tier~OL", True, False),
        ("seats~1", False, False),  # ~ is for text
        ("plan.tier=Gold", True, False),
        ("plan.limits.users>=10", True, False),
        ("plan.limits.users?", True, False),
        ("plan.nothing?", False, False),
        ("!plan.nothing", True, True),
        ("plan.tags=a", False, False),  # a list is not text
        ("plan.tier.deeper?", False, False),  # a step into text finds nothing
        ('"a.b".c=1', True, False),
        ("a.b.c=1", False, False),  # unquoted, a.b is a path: property a has no b
        ("région~france", True, False),
        ("région=Île-de-France", True, False),
        (r'"say \"hi\""=x', True, False),
        ("tier=", False, False),
        ("tier!=", True, True),
    ],
)
def test_where(expr, acme, bare):
    where = parse(expr)
    assert where(ACME) is acme
    assert where(BARE) is bare


@pytest.mark.parametrize("expr", ["", "   ", "=gold", "seats>=ten", "seats>", '"open=1', "tier", "!tier=gold",
                                  "tier==gold?x"])
def test_bad_expressions_are_refused_with_a_sentence(expr):
    if expr == "tier==gold?x":  # "=" then "=gold?x": an odd value, but a value
        assert parse(expr)(ACME) is False
        return
    with pytest.raises(WhereError) as caught:
        parse(expr)
    assert "--where" in str(caught.value) or "empty" in str(caught.value)


def test_all_filters_must_hold():
    both = matcher(["tier=gold", "seats>=10"])
    assert both(ACME) and not both(BARE)
    assert not matcher(["tier=gold", "seats>=100"])(ACME)


def test_a_key_listed_twice_reads_its_last_value():
    twice = {"properties": [{"key": "k", "type": "string", "value": "a"}, {"key": "k", "type": "string", "value": "b"}]}
    assert parse("k=b")(twice) and not parse("k=a")(twice)
