"""The form model: typed text parsed the way the issue asks, conversions, errors per field, and 'modified'."""

from __future__ import annotations

import pytest

from identity_tui.core.form import (
    FormValues,
    RowValues,
    Unparsed,
    convert,
    empty_draft,
    modified_fields,
    next_type,
    number_text,
    json_text,
    parse_json_object,
    parse_number,
    read_switch,
    read_text,
    rebase_rows,
    value_text,
)
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.diff import diff
from identity_tui.core.draft import Draft, DraftProperty

S, N, B, J = PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), ("-7", -7), ("+3", 3), ("4.0", 4.0), ("4.5", 4.5), (".5", 0.5), ("1e3", 1000.0),
     ("1E-2", 0.01), ("4.", 4.0), (" 12 ", 12), ("0", 0), ("123456789012345678901234567890", 123456789012345678901234567890)],
)
def test_parse_number_keeps_int_or_float(text, value):
    got = parse_number(text)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    "text", ["", "  ", "NaN", "nan", "inf", "-Infinity", "1e309", "-1e309", "0x1F", "1_000", "1,5", "abc",
             "1e", "--1", "true", "١٢", "4 2"],
)
def test_parse_number_refuses(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_parse_number_messages_say_what_to_do():
    with pytest.raises(ValueError, match="enter a number"):
        parse_number("")
    with pytest.raises(ValueError, match="finite"):
        parse_number("1e309")
    with pytest.raises(ValueError, match="not a number"):
        parse_number("0x10")


@pytest.mark.parametrize("value", [42, -1, 4.0, 0.1, 1e20, 1e-7, 2.5e300])
def test_number_text_round_trips(value):
    back = parse_number(number_text(value))
    assert back == value and type(back) is type(value)


# -- JSON ---------------------------------------------------------------------------------------


def test_parse_json_object():
    assert parse_json_object('{"a": [1, 2.5, null], "b": {"c": true}}') == {"a": [1, 2.5, None], "b": {"c": True}}


@pytest.mark.parametrize(
    ("text", "words"),
    [("[1, 2]", "not an array"), ("null", "not null"), ('"x"', "not a string"), ("3", "not a number"),
     ("", "enter a JSON object"), ('{"a": NaN}', "NaN is not JSON"), ('{"a": Infinity}', "Infinity")],
)
def test_parse_json_object_refuses(text, words):
    with pytest.raises(ValueError, match=words):
        parse_json_object(text)


def test_json_syntax_error_names_line_and_column():
    with pytest.raises(ValueError) as caught:
        parse_json_object('{\n  "a": 1,\n  "b": \n}')
    assert "line 4, column 1" in str(caught.value)


# -- reading editors ----------------------------------------------------------------------------


def test_untouched_text_gives_back_the_stored_value_even_of_the_wrong_kind():
    # The server never checks value against type: "abc" stored as a number must not count as an edit.
    origin = DraftProperty("n", N, "abc")
    assert read_text(N, "abc", origin) == "abc"
    assert isinstance(read_text(N, "abd", origin), Unparsed)


def test_read_text_parses_by_type():
    assert read_text(S, "42") == "42"
    assert read_text(N, "42") == 42
    assert read_text(N, "4.0") == 4.0 and isinstance(read_text(N, "4.0"), float)
    assert read_text(J, '{"a": 1}') == {"a": 1}
    bad = read_text(J, "[1]")
    assert isinstance(bad, Unparsed) and "array" in bad.error


def test_json_whitespace_edits_are_not_changes():
    origin = DraftProperty("j", J, {"a": 1})
    assert read_text(J, '{"a":1}', origin) == {"a": 1}


def test_read_switch():
    assert read_switch(True) is True
    assert read_switch(False) is False
    assert isinstance(read_switch(False, pending=True), Unparsed)
    stored = DraftProperty("b", B, "yes")
    assert read_switch(False, stored) == "yes"
    assert read_switch(True, stored) is True


def test_value_text():
    assert value_text(N, 4.0) == "4.0"
    assert value_text(S, True) == "true"
    assert value_text(J, {"a": 1}) == '{\n  "a": 1\n}'
    assert value_text(S, {"a": 1}) == '{"a": 1}'


# -- converting between types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "to", "expected"),
    [("42", N, 42), ("4.5", N, 4.5), (1, S, "1"), (1.5, S, "1.5"), (True, S, "true"), (False, S, "false"),
     ("true", B, True), (" False ", B, False), ('{"a": 1}', J, {"a": 1}), ({"a": 1}, S, '{"a": 1}'),
     (7, N, 7), (Unparsed("12", "x"), N, 12), (Unparsed("oops", "x"), S, "oops")],
)
def test_convert_when_it_can(value, to, expected):
    got = convert(value, to)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("value", "to"), [("abc", N), (True, N), (1, B), ("yes", B), ("[1]", J), (3, J), ({"a": 1}, N)])
def test_convert_asks_for_a_new_value_when_it_cannot(value, to):
    got = convert(value, to)
    assert got == Unparsed("", "enter a value")


def test_next_type_cycles():
    assert [next_type(t) for t in (S, N, B, J)] == [N, B, J, S]


# -- the whole form -----------------------------------------------------------------------------


def loaded() -> Draft:
    return Draft(
        name="Alice",
        identifier_key="alice",
        identity_type=IdentityType.USER,
        properties=(DraftProperty("email", S, "a@x"), DraftProperty("age", N, 30), DraftProperty("ok", B, True)),
    )


def values_of(draft: Draft, **changes) -> FormValues:
    rows = tuple(RowValues(p.key, p.type, p.value, p) for p in draft.properties)
    base = {"name": draft.name, "identifier_key": draft.identifier_key,
            "identity_type": draft.identity_type.value, "project_id": draft.project_id, "rows": rows}
    base.update(changes)
    return FormValues(**base)


def test_unchanged_form_is_not_modified():
    d = loaded()
    assert modified_fields(d, values_of(d)) == set()
    assert diff(d, values_of(d).draft()).empty


def test_modified_names_each_changed_part():
    d = loaded()
    rows = list(values_of(d).rows)
    rows[1] = RowValues("years", N, 31, rows[1].origin)
    got = modified_fields(d, values_of(d, name="Alicia", rows=tuple(rows)))
    assert got == {"name", "properties.1", "properties.1.key", "properties.1.value", "properties"}


def test_true_and_1_are_different_values():
    d = loaded()
    rows = list(values_of(d).rows)
    rows[2] = RowValues("ok", B, 1, rows[2].origin)
    assert "properties.2.value" in modified_fields(d, values_of(d, rows=tuple(rows)))


def test_removed_and_moved_rows_mark_the_list():
    d = loaded()
    rows = values_of(d).rows
    assert modified_fields(d, values_of(d, rows=rows[:2])) == {"properties"}
    swapped = (rows[1], rows[0], rows[2])
    assert modified_fields(d, values_of(d, rows=swapped)) == {"properties"}


def test_new_row_is_modified_throughout():
    d = loaded()
    rows = values_of(d).rows + (RowValues("", S, ""),)
    mods = modified_fields(d, values_of(d, rows=rows))
    assert {"properties.3", "properties.3.key", "properties.3.type", "properties.3.value"} <= mods


def test_errors_in_form_order_with_parse_messages():
    d = loaded()
    rows = list(values_of(d).rows)
    rows[1] = RowValues("age", N, Unparsed("4x", "not a number: write digits like 42 or 4.5"), rows[1].origin)
    rows[2] = RowValues("email", B, True, rows[2].origin)
    errors = values_of(d, name=" ", rows=tuple(rows)).errors()
    assert [e.field for e in errors] == ["name", "properties.0.key", "properties.1.value", "properties.2.key"]
    assert errors[2].message == "Not a number: write digits like 42 or 4.5."
    assert "used twice" in errors[1].message


def test_empty_draft_is_a_user_in_the_given_project():
    d = empty_draft("proj-1")
    assert d.identity_type is IdentityType.USER and d.project_id == "proj-1" and d.name == ""


def test_rebase_points_rows_at_the_new_baseline_by_key():
    d = loaded()
    rows = values_of(d).rows
    new = Draft(name="Alicia", identifier_key="alice", identity_type=IdentityType.USER,
                properties=(DraftProperty("email", S, "a@x"), DraftProperty("ok", B, True)))
    rebased = rebase_rows(rows, new)
    assert rebased[0].origin is new.properties[0]
    assert rebased[1].origin is None  # gone from the server: the row is new there
    assert rebased[2].origin is new.properties[1]


def test_json_text_escapes_what_would_drive_the_terminal_and_still_round_trips():
    value = {"a\u202e": "x\x9by\x7f", "esc": "\x1b[31m"}
    text = json_text(value)
    assert not any(c in text for c in "\x1b\x7f\x9b\u202e")
    assert "\\u202e" in text and "\\u009b" in text and "\\u001b" in text
    assert parse_json_object(text) == value
    assert read_text(J, text, DraftProperty("j", J, value)) == value
