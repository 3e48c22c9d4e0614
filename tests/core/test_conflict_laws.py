"""Laws of the three-way merge over random identities and random edits on both sides."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from identity_tui.core.conflict import ABSENT, MINE, THEIRS, merge
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, IdentityProperty
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.planner import apply_to, plan_save

ID = "identity-a456d6c1-b1f7-4101-b829-b63708512b46"
KEYS = "abcdefgh"

values = {
    PropertyType.STRING: st.text(max_size=4),
    PropertyType.NUMBER: st.one_of(st.integers(-3, 3), st.floats(-3, 3, allow_nan=False)),
    PropertyType.BOOLEAN: st.booleans(),
    PropertyType.JSON: st.dictionaries(st.sampled_from("xy"), st.integers(0, 2), max_size=2),
}


@st.composite
def prop(draw, key: str) -> DraftProperty:
    kind = draw(st.sampled_from(list(values)))
    return DraftProperty(key, kind, draw(values[kind]))


@st.composite
def drafts(draw, keys=KEYS) -> Draft:
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=6))
    return Draft(
        name=draw(st.sampled_from(["Ann", "Bo"])),
        identifier_key=draw(st.sampled_from(["k1", "k2"])),
        identity_type=draw(st.sampled_from(list(IdentityType))),
        properties=tuple(draw(prop(k)) for k in chosen),
    )


@st.composite
def edit(draw, base: Draft, scalars: set[str], own: set[str], prefix: str, move: bool) -> Draft:
    """Random changes to ``base`` touching only the ``scalars`` and property keys in ``own``, plus new keys
    starting with ``prefix``; rows are moved only when ``move``."""
    fields = {}
    for name in scalars:
        if draw(st.booleans()):
            fields[name] = draw({
                "name": st.sampled_from(["Ann", "Bo", "Cy", prefix + "name"]),
                "identifier_key": st.sampled_from(["k1", "k2", prefix + "key"]),
                "identity_type": st.sampled_from(list(IdentityType)),
            }[name])
    props = []
    for p in base.properties:
        if p.key not in own:
            props.append(p)
            continue
        action = draw(st.sampled_from(["keep", "change", "remove"]))
        if action == "keep":
            props.append(p)
        elif action == "change":
            props.append(draw(prop(p.key)))
    for i in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(props)))
        props.insert(at, draw(prop(f"{prefix}{i}")))
    if move:
        props = draw(st.permutations(props))
    return replace(base, properties=tuple(props), **fields)


def tag(value):
    """A value with its Python types spelt out, so that 1, 1.0 and True never compare equal (the order of an
    object's keys does not count, as for ``same_value`` and the server)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((k, tag(v)) for k, v in value.items()), key=lambda kv: kv[0])))
    return (type(value).__name__, value)


def strict(p):
    return ABSENT if p is ABSENT else (p.key, PropertyType(p.type), tag(p.value))


def by_key(draft: Draft) -> dict[str, tuple]:
    return {p.key: strict(p) for p in draft.properties}


def content(draft: Draft) -> tuple:
    kind = IdentityType(draft.identity_type)
    return draft.name, draft.identifier_key, kind, by_key(draft)


def identity_of(draft: Draft) -> Identity:
    return Identity(
        id=ID, identifier_key=draft.identifier_key, name=draft.name, identity_type=draft.identity_type,
        properties=[IdentityProperty(key=p.key, type=p.type, value=p.value) for p in draft.properties],
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_edits_that_do_not_overlap_always_merge_with_both_sides_changes(data):
    base = data.draw(drafts())
    scalars = ["name", "identifier_key", "identity_type"]
    mine_scalars = set(data.draw(st.lists(st.sampled_from(scalars), unique=True)))
    mine_keys = set(data.draw(st.lists(st.sampled_from(KEYS), unique=True)))
    mine_moves = data.draw(st.booleans())
    mine = data.draw(edit(base, mine_scalars, mine_keys, "m", mine_moves))
    theirs = data.draw(edit(base, set(scalars) - mine_scalars, set(KEYS) - mine_keys, "t", not mine_moves))

    result = merge(base, theirs, mine)

    assert result.clean, result.conflicts
    for name in scalars:
        side = mine if name in mine_scalars else theirs
        assert getattr(result.draft, name) == getattr(side, name)
    expected = {k: p for k, p in by_key(mine).items() if k in mine_keys or k.startswith("m")}
    expected |= {k: p for k, p in by_key(theirs).items() if k not in mine_keys and not k.startswith("m")}
    assert by_key(result.draft) == expected
    assert len(result.draft.properties) == len(expected)  # no key twice
    # Rows only one side moved stand in that side's order.
    mover = mine if mine_moves else theirs
    common = [k for k in by_key(mover) if k in expected and k in by_key(base)]
    assert [k for k in by_key(result.draft) if k in common] == common


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_merging_with_an_unchanged_side_gives_the_other_side_exactly(data):
    base = data.draw(drafts())
    other = data.draw(edit(base, {"name", "identifier_key", "identity_type"}, set(KEYS), "n",
                           data.draw(st.booleans())))
    for merged in (merge(base, base, other), merge(base, other, base), merge(base, other, other)):
        assert merged.draft == other
        assert [strict(p) for p in merged.draft.properties] == [strict(p) for p in other.properties]
    assert merge(base, base, other).clean and merge(base, other, base).clean and merge(base, other, other).clean


@settings(max_examples=300, deadline=None)
@given(drafts(), st.data())
def test_the_merge_is_symmetric_when_the_choices_are_swapped(base, data):
    a = data.draw(edit(base, {"name", "identifier_key", "identity_type"}, set(KEYS), "n", data.draw(st.booleans())))
    b = data.draw(edit(base, {"name", "identifier_key", "identity_type"}, set(KEYS), "n", data.draw(st.booleans())))
    forward = merge(base, a, b)
    fields = [c.field for c in forward.conflicts]
    assert sorted(fields) == sorted(c.field for c in merge(base, b, a).conflicts)
    picks = {f: data.draw(st.sampled_from([MINE, THEIRS])) for f in fields}
    swapped = {f: THEIRS if c == MINE else MINE for f, c in picks.items()}
    # Content is symmetric; the order is not quite (a key both sides added at different places follows mine).
    assert content(merge(base, a, b, picks).draft) == content(merge(base, b, a, swapped).draft)
    for conflict in forward.conflicts:
        if conflict.key is not None:
            assert strict(conflict.theirs) != strict(conflict.mine)
            assert conflict.theirs is ABSENT or conflict.theirs.key == conflict.key
        else:
            assert conflict.theirs != conflict.mine


@settings(max_examples=300, deadline=None)
@given(drafts(), st.data())
def test_the_plan_against_their_copy_reaches_the_merged_draft(base, data):
    """Whatever was chosen, the rebuilt save turns the server's copy into the merged draft."""
    theirs = data.draw(edit(base, {"name", "identifier_key", "identity_type"}, set(KEYS), "t", data.draw(st.booleans())))
    mine = data.draw(edit(base, {"name", "identifier_key", "identity_type"}, set(KEYS), "m", data.draw(st.booleans())))
    first = merge(base, theirs, mine)
    choices = {c.field: data.draw(st.sampled_from([MINE, THEIRS])) for c in first.conflicts}
    merged = merge(base, theirs, mine, choices).draft
    server = identity_of(theirs)
    plan = plan_save(server, merged)
    assert plan.ok, plan.errors
    for request in plan.requests:
        server = apply_to(server, request)
    # The server drops a change Python calls equal (1 -> 1.0), so compare as Python does.
    assert content(Draft.of(server))[:3] == content(merged)[:3]
    assert [(p.key, p.type, p.value) for p in server.properties] == [
        (p.key, PropertyType(p.type), p.value) for p in merged.properties]  # Python's ==: 1 == 1.0
    for request in plan.requests:
        if request.method == "PUT":
            assert {p["key"] for p in request.body} >= {k for k in by_key(theirs) if k.startswith("t")} & set(
                by_key(merged))


@settings(max_examples=200, deadline=None)
@given(drafts(), st.data())
def test_every_conflict_resolved_one_way_takes_that_side_for_that_field(base, data):
    theirs = data.draw(edit(base, {"name"}, set(KEYS), "x", False))
    mine = data.draw(edit(base, {"name"}, set(KEYS), "x", False))
    result = merge(base, theirs, mine)
    assume(result.conflicts)
    for side, source in ((MINE, mine), (THEIRS, theirs)):
        merged = merge(base, theirs, mine, {c.field: side for c in result.conflicts}).draft
        for conflict in result.conflicts:
            if conflict.field == "name":
                assert merged.name == source.name
            elif conflict.key is not None:
                assert by_key(merged).get(conflict.key, ABSENT) == by_key(source).get(conflict.key, ABSENT)
