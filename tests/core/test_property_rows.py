"""The row model's marks, kept one edit at a time, against the whole look the widget form takes today.

The whole look is ``form.modified_fields`` and the rules the widget form marked with before it stood on the
model (``tests/support/whole_look.py``: the errors shown, the notes, the removed count and the order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from identity_tui.core import property_rows
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.fields import FIELDS, PARTS, row_field
from identity_tui.core.form import ENTER_A_VALUE, Unparsed, modified_fields, value_text
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.property_rows import PropertyRows, RowView
from tests.support.whole_look import WholeMarks, header

S, N, B, J = PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON


def deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"a": value}
    return value


KEYS = ["a", "b", "", " ", "a ", "\ud800"]
VALUES = {
    S: ["x", "", "42", "true", 42, None, "\ud800"],
    N: [1, 0, 4.0, 0.1, 1e300, 2**70, "x", True, float("nan"), Unparsed("12x", "")],
    B: [True, False, "yes", 1, Unparsed("", ENTER_A_VALUE)],
    J: [{}, {"a": 1}, {"a": [1, {"b": None}]}, deep(260), [1], "s", {"x": float("inf")}],
}
TEXTS = ["", "x", "1", "4.0", "0.1", "1.0000000000000001", " 7 ", "nan", "{}", '{"a": 1}', '{"a": 1, "a": 2}',
         "[1]", "1e999", "\ud800", "ORIGIN"]
FIELD_TEXTS = {
    "name": ["", "Alice", " ", "a\x00b"],
    "identifier_key": ["", "k", " k", "k "],
    "identity_type": ["user", "org", "bogus"],
    "project_id": ["", "p1", " "],
}


@st.composite
def props(draw: st.DrawFn) -> DraftProperty:
    ptype = draw(st.sampled_from([S, N, B, J]))
    return DraftProperty(draw(st.sampled_from(KEYS)), ptype, draw(st.sampled_from(VALUES[ptype])))


@st.composite
def baselines(draw: st.DrawFn) -> Draft:
    return Draft(
        name=draw(st.sampled_from(["Alice", ""])),
        identifier_key=draw(st.sampled_from(["k", " k"])),
        identity_type=draw(st.sampled_from(list(IdentityType))),
        properties=tuple(draw(st.lists(props(), max_size=8))),
        project_id=draw(st.sampled_from([None, "p1"])),
    )


# -- the whole look -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    modified: set[str]
    errors: dict[str, str]
    removed: int
    order_changed: bool


class WholeLook:
    """Today's whole look over ``model.values()``, with the server errors the test gave, kept by row."""

    def __init__(self, show_all_errors: bool) -> None:
        self.marks = WholeMarks(show_all_errors=show_all_errors)
        self.server: dict[Any, tuple[str, Any]] = {}  # a field name, or (row id, part)

    def tell(self, model: PropertyRows, errors: dict[str, str]) -> None:
        values = model.values()
        for name, message in errors.items():
            if name in FIELDS:
                self.server[name] = (message, getattr(values, name))
            else:
                index, part = name.split(".")[1:]
                row = values.rows[int(index)]
                self.server[(model.row_id_at(int(index)), part)] = (message, getattr(row, part))

    def __call__(self, model: PropertyRows) -> Look:
        values = model.values()
        marks = self.marks
        marks.save_tried = model.save_tried
        # The model keeps a server error with its row; the whole look keys it by index, so it is re-keyed here.
        named = {}
        for where in list(self.server):
            if isinstance(where, str):
                named[where] = where
            elif where[0] in ids(model):
                named[row_field(model.index_of(where[0]), where[1])] = where
            else:
                del self.server[where]
        marks.server_errors = {name: self.server[where] for name, where in named.items()}
        mods = modified_fields(model.baseline, values)
        errors = marks.shown_errors(values, mods)
        for name, where in named.items():
            if name not in marks.server_errors:
                del self.server[where]
        texts = [model.view(i).text for i in range(len(model))]
        for name, warning in marks.notes(values, texts).items():
            errors.setdefault(name, warning)
        removed, order_changed = header(model.baseline, values)
        return Look(mods, errors, removed, order_changed)


def ids(model: PropertyRows) -> list[int]:
    return [model.row_id_at(i) for i in range(len(model))]


def assert_same(model: PropertyRows, look: Look, before: dict[int, RowView]) -> dict[int, RowView]:
    """The model says what the whole look says, row by row; a row's version moved iff its view did."""
    assert model.modified_fields() == look.modified
    assert model.modified == bool(look.modified)
    assert model.field_errors() == {n: look.errors[n] for n in FIELDS if n in look.errors}
    assert {n for n in FIELDS if model.field_modified(n)} == look.modified & set(FIELDS)
    assert (model.removed, model.order_changed) == (look.removed, look.order_changed)
    values = model.values()
    views = {}
    for i in range(len(model)):
        view = model.view(i)
        assert model.index_of(view.row_id) == i
        assert (view.key, view.type) == (values.rows[i].key, values.rows[i].type)
        assert view.modified == {p for p in PARTS if row_field(i, p) in look.modified}
        assert view.errors == tuple((p, look.errors[row_field(i, p)]) for p in PARTS if row_field(i, p) in look.errors)
        old = before.get(view.row_id)
        if old is not None:
            same = (old.key, old.type, old.text, old.modified, old.errors) == (
                view.key, view.type, view.text, view.modified, view.errors)
            assert same == (old.version == view.version), (old, view)
        views[view.row_id] = view
    # The texts a draft file keeps (kept per row between edits) are what each row shows now.
    assert [(r.key, r.type, r.text) for r in model.texts().rows] == [
        (v.key, v.type.value, v.text) for v in (model.view(i) for i in range(len(model)))]
    return views


# -- random edits ----------------------------------------------------------------------------------


def step(data: st.DataObject, model: PropertyRows, look: WholeLook) -> str:
    """Draw one edit, make it, and say what it was."""
    n = len(model)
    kinds = ["field", "add", "save_tried", "rebase", "server"]
    if n:
        kinds += ["key", "key", "text", "text", "text", "switch", "type", "delete", "move", "move"]
    kind = data.draw(st.sampled_from(kinds))
    pick = data.draw(st.integers(0, n - 1)) if n else 0
    row_id = model.row_id_at(pick) if n else -1
    if kind == "field":
        name = data.draw(st.sampled_from(FIELDS))
        text = data.draw(st.sampled_from(FIELD_TEXTS[name]))
        model.set_field(name, text)
        return f"set_field({name!r}, {text!r})"
    if kind == "add":
        after = data.draw(st.none() | st.sampled_from(ids(model))) if n else None
        model.add(after)
        return f"add({after})"
    if kind == "save_tried":
        model.save_tried = True
        return "save_tried"
    if kind == "server":
        names = list(FIELDS) + [row_field(i, p) for i in range(n) for p in PARTS]
        errors = {data.draw(st.sampled_from(names)): "The server says: no (422)."}
        look.tell(model, errors)
        model.set_server_errors(errors)
        return f"set_server_errors({errors})"
    if kind == "rebase":
        values = model.values()
        kept = [r.draft() for r in values.rows if not isinstance(r.value, Unparsed)]
        chosen = data.draw(st.lists(st.sampled_from(kept), max_size=4)) if kept else []
        extra = data.draw(st.lists(props(), max_size=3))
        baseline = Draft(model.baseline.name, values.identifier_key, IdentityType.USER, tuple(chosen + extra), None)
        model.rebase(baseline)
        return f"rebase({baseline.properties})"
    if kind == "key":
        key = data.draw(st.sampled_from(KEYS))
        model.set_key(row_id, key)
        return f"set_key({pick}, {key!r})"
    if kind == "text":
        view = model.view(pick)
        if view.type is B:
            return "skip"
        text = data.draw(st.sampled_from(TEXTS))
        if text == "ORIGIN":
            origin = model.origin(row_id)
            text = value_text(view.type, origin.value) if origin is not None else ""
        model.set_text(row_id, text)
        return f"set_text({pick}, {text[:40]!r})"
    if kind == "switch":
        if model.view(pick).type is not B:
            return "skip"
        on = data.draw(st.booleans())
        model.set_switch(row_id, on)
        return f"set_switch({pick}, {on})"
    if kind == "type":
        ptype = data.draw(st.sampled_from([S, N, B, J]))
        model.set_type(row_id, ptype)
        return f"set_type({pick}, {ptype.value})"
    if kind == "delete":
        model.delete(row_id)
        return f"delete({pick})"
    move = data.draw(st.sampled_from([-1, 1, -2, 3]))
    moved = model.move(row_id, move)
    return f"move({pick}, {move}) -> {moved}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline=baselines(), show_all=st.booleans(), data=st.data())
def test_every_edit_leaves_the_marks_the_whole_look_gives(baseline: Draft, show_all: bool, data: st.DataObject):
    model = PropertyRows.load(baseline, show_all_errors=show_all)
    look = WholeLook(show_all)
    views = assert_same(model, look(model), {})
    for _ in range(data.draw(st.integers(0, 25))):
        said = step(data, model, look)
        note(said)
        views = assert_same(model, look(model), views)


# -- cost: work counted, not timed -----------------------------------------------------------------


class Counter:
    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


ROWS = 10_000


def big_baseline() -> Draft:
    """10,000 properties; every hundredth shares the key "dup" (100 rows), the rest are distinct."""
    properties = tuple(
        DraftProperty("dup" if i % 100 == 0 else f"k{i}", N if i % 3 else S, i if i % 3 else f"v{i}")
        for i in range(ROWS)
    )
    return Draft("Big", "big", IdentityType.USER, properties)


@pytest.fixture(scope="module")
def big() -> Draft:
    return big_baseline()


def counted(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter, Counter]:
    # Every check of a row, whole or as loaded, words its errors once.
    checks = Counter(property_rows.row_errors)
    same = Counter(property_rows.same_property)
    monkeypatch.setattr(property_rows, "row_errors", checks)
    monkeypatch.setattr(property_rows, "same_property", same)
    return checks, same


def versions(model: PropertyRows) -> list[int]:
    return [model.view(i).version for i in range(len(model))]


def test_a_load_checks_each_row_once(monkeypatch: pytest.MonkeyPatch, big: Draft):
    checks, _ = counted(monkeypatch)
    model = PropertyRows.load(big, show_all_errors=True)
    assert checks.calls == ROWS
    assert len(model) == ROWS and model.removed == 0 and not model.order_changed
    assert model.view(0).errors == (("key", "Key 'dup' is used twice (rows 1 and 101)."),)


def test_one_key_or_value_edit_at_10000_rows_checks_one_row_and_rewords_only_its_key(
    monkeypatch: pytest.MonkeyPatch, big: Draft
):
    model = PropertyRows.load(big, show_all_errors=True)
    assert not model.modified  # the same-rows check is made here, once
    checks, same = counted(monkeypatch)
    before = versions(model)

    model.set_text(model.row_id_at(5), "6")
    assert checks.calls == 1 and same.calls <= 1
    assert model.modified_fields() == {"properties.5", "properties.5.value", "properties"}

    # Row 1 takes the repeated key: it is checked, and the 100 rows holding "dup" are worded again.
    model.set_key(model.row_id_at(1), "dup")
    assert checks.calls == 2 and same.calls <= 2
    after = versions(model)
    bumped = {i for i, (a, b) in enumerate(zip(before, after)) if a != b}
    assert bumped == {0, 1, 5}  # row 0's message now names row 2; the other "dup" rows name row 1 still
    assert model.view(1).errors == (("key", "Key 'dup' is used twice (rows 1 and 2)."),)

    model.set_key(model.row_id_at(1), "k1")
    assert checks.calls == 3
    assert not model.modified_fields() - {"properties.5", "properties.5.value", "properties"}


def test_appending_and_moving_at_10000_rows_check_only_the_new_row(monkeypatch: pytest.MonkeyPatch, big: Draft):
    model = PropertyRows.load(big, show_all_errors=True)
    checks, _ = counted(monkeypatch)
    added = model.add()
    assert checks.calls == 1
    assert not model.order_changed  # a new row at the end: a PATCH appends it
    assert model.move(added, -1) and model.order_changed  # above a loaded row: the list is PUT
    assert model.move(added, 1) and not model.order_changed
    assert model.move(model.row_id_at(ROWS - 1), -1) and model.order_changed
    model.delete(added)
    assert checks.calls == 1
    assert model.removed == 0 and model.order_changed


def test_a_row_added_in_the_middle_at_10000_rows_rewords_only_the_repeated_key(
    monkeypatch: pytest.MonkeyPatch, big: Draft
):
    model = PropertyRows.load(big, show_all_errors=True)
    checks, _ = counted(monkeypatch)
    before = {model.row_id_at(i): model.view(i).version for i in range(len(model))}
    added = model.add(after_row_id=model.row_id_at(150))
    assert checks.calls == 1
    bumped = {i for i in range(len(model)) if model.view(i).version != before.get(model.row_id_at(i))}
    # The "dup" rows above the new row (0 and 100) keep their words; those below it (200, 300…, now 201,
    # 301…) name new numbers, so their versions move on; no other row's does.
    assert bumped == {151} | {i for i in range(201, len(model), 100)}
    assert model.view(201).errors == (("key", "Key 'dup' is used twice (rows 1 and 202)."),)
    assert model.index_of(added) == 151


# -- edge cases ------------------------------------------------------------------------------------


def loaded(*keys: str, show_all_errors: bool = True) -> PropertyRows:
    return PropertyRows.load(
        Draft("A", "a", IdentityType.USER, tuple(DraftProperty(k, S, f"v{k}") for k in keys)),
        show_all_errors=show_all_errors,
    )


def key_errors(model: PropertyRows) -> list[str | None]:
    return [dict(model.view(i).errors).get("key") for i in range(len(model))]


def check_against_whole_look(model: PropertyRows, show_all_errors: bool = True) -> None:
    assert_same(model, WholeLook(show_all_errors)(model), {})


def test_a_rename_that_makes_then_unmakes_a_duplicate_rewords_both_rows():
    model = loaded("a", "b", "c")
    c = model.row_id_at(2)
    v0, v2 = model.view(0).version, model.view(2).version
    model.set_key(c, "a")
    message = "Key 'a' is used twice (rows 1 and 3)."
    assert key_errors(model) == [message, None, message]
    assert model.view(0).version > v0 and model.view(2).version > v2
    check_against_whole_look(model)
    v0 = model.view(0).version
    model.set_key(c, "c")
    assert key_errors(model) == [None, None, None]
    assert model.view(0).version > v0
    check_against_whole_look(model)


def test_deleting_the_first_of_two_duplicates_clears_the_other():
    model = loaded("a", "x", "a")
    assert key_errors(model) == ["Key 'a' is used twice (rows 1 and 3)."] + [None] + [
        "Key 'a' is used twice (rows 1 and 3)."]
    model.delete(model.row_id_at(0))
    assert key_errors(model) == [None, None]
    assert model.removed == 1 and not model.order_changed
    check_against_whole_look(model)


def test_three_of_a_key_name_the_first_row_and_their_own():
    model = loaded("a", "a", "b", "a")
    assert key_errors(model) == [
        "Key 'a' is used twice (rows 1 and 2).",
        "Key 'a' is used twice (rows 1 and 2).",
        None,
        "Key 'a' is used twice (rows 1 and 4).",
    ]


def test_a_row_added_above_duplicates_renumbers_their_messages():
    model = loaded("x", "a", "a")
    first, second = model.row_id_at(1), model.row_id_at(2)
    v1, v2 = model.view_of(first).version, model.view_of(second).version
    added = model.add(after_row_id=model.row_id_at(0))
    assert model.index_of(added) == 1
    assert key_errors(model)[2:] == ["Key 'a' is used twice (rows 3 and 4)."] * 2
    assert model.view_of(first).version > v1 and model.view_of(second).version > v2
    assert model.order_changed  # a new row above loaded ones: the save cannot be a PATCH
    assert model.view(1).errors == ()  # a new blank row stays quiet
    check_against_whole_look(model)


def test_moving_a_row_past_another_renumbers_and_restores():
    model = loaded("a", "b", "a")
    top = model.row_id_at(0)
    assert model.move(top, 1)
    assert key_errors(model) == [None, "Key 'a' is used twice (rows 2 and 3)."] + [
        "Key 'a' is used twice (rows 2 and 3)."]
    assert model.order_changed and "properties" in model.modified_fields()
    check_against_whole_look(model)
    assert model.move(top, -1)
    assert not model.order_changed and not model.modified
    assert not model.move(top, -1)  # the first row goes no higher
    check_against_whole_look(model)


def test_rebase_after_a_partial_save_keeps_the_typing_and_compares_with_what_landed():
    base = Draft("A", "a", IdentityType.USER, (DraftProperty("a", N, 1), DraftProperty("b", N, 2)))
    model = PropertyRows.load(base, show_all_errors=True)
    a, b = model.row_id_at(0), model.row_id_at(1)
    model.set_text(a, "5")
    model.set_text(b, "6")
    c = model.add()
    model.set_key(c, "c")
    model.set_type(c, N)
    model.set_text(c, "7")
    # Only the first request landed: the server now holds a=5, b=2 (and no c).
    model.rebase(Draft("A", "a", IdentityType.USER, (DraftProperty("a", N, 5), DraftProperty("b", N, 2))))
    assert model.view_of(a).modified == frozenset()
    assert model.view_of(b).modified == {"value"}
    assert model.view_of(c).modified == set(PARTS)
    assert model.modified_fields() == {"properties.1", "properties.1.value", "properties.2", "properties.2.key",
                                       "properties.2.type", "properties.2.value", "properties"}
    assert [r.value for r in model.values().rows] == [5, 6, 7]
    check_against_whole_look(model)


def test_a_stored_misfit_is_kept_until_typed_in():
    model = PropertyRows.load(Draft("A", "a", IdentityType.USER, (DraftProperty("n", N, "x"),)), show_all_errors=True)
    row = model.row_id_at(0)
    assert model.values().rows[0].value == "x"
    assert model.view(0).errors[0][1].startswith("stored: \"x\" (not a number)")
    model.set_text(row, "x ")
    model.set_text(row, "x")  # back to the stored text: read as a number now
    assert isinstance(model.values().rows[0].value, Unparsed)
    check_against_whole_look(model)


def test_a_server_error_goes_once_its_field_changes_and_follows_its_row():
    model = loaded("a", "b")
    b = model.row_id_at(1)
    model.set_server_errors({"properties.1.value": "The server says: no (422).", "name": "The server says: bad (422)."})
    assert model.view(1).errors == (("value", "The server says: no (422)."),)
    assert model.field_errors() == {"name": "The server says: bad (422)."}
    model.move(b, -1)
    assert model.view(0).errors == (("value", "The server says: no (422)."),)
    model.set_text(b, "other")
    assert model.view(0).errors == ()
    model.set_field("name", "B")
    assert model.field_errors() == {}


def test_a_boolean_row_reads_as_its_switch_and_a_new_one_asks_for_a_value():
    model = loaded("a")
    row = model.row_id_at(0)
    model.set_type(row, B)  # "va" is no boolean: the switch waits for one
    assert model.view(0).text == "" and isinstance(model.values().rows[0].value, Unparsed)
    model.set_switch(row, False)
    assert model.view(0).text == "false" and model.values().rows[0].value is False
    with pytest.raises(ValueError):
        model.set_text(row, "true")
    check_against_whole_look(model)


def test_texts_keep_what_was_typed_for_a_draft_file():
    model = loaded("a")
    model.set_type(model.row_id_at(0), N)
    model.set_text(model.row_id_at(0), "12x")
    texts = model.texts()
    assert texts.rows[0].text == "12x" and texts.rows[0].type == "number"


def test_server_errors_read_back_by_field_name_and_cleared_with_a_fresh_copy():
    model = loaded("a", "b")
    b = model.row_id_at(1)
    model.set_server_errors({"properties.1.value": "no", "name": "bad"})
    assert model.server_errors() == {"name": ("bad", "A"), "properties.1.value": ("no", "vb")}
    model.move(b, -1)
    assert model.server_errors() == {"name": ("bad", "A"), "properties.0.value": ("no", "vb")}
    model.clear_server_errors()
    assert model.server_errors() == {} and model.view(0).errors == () and model.field_errors() == {}


def test_take_changed_names_the_rows_whose_view_changed_once():
    model = loaded("a", "b", "c")
    model.take_changed()
    a, b = model.row_id_at(0), model.row_id_at(1)
    model.set_text(a, "x")
    model.set_text(a, "y")
    assert model.take_changed() == {a}
    assert model.take_changed() == set()
    model.set_key(b, "a")  # a repeated key: both rows say so
    assert model.take_changed() == {a, b}
    model.delete(b)
    assert model.take_changed() == {a}  # the row gone is not named
