"""A value the server stores with a type it does not fit: shown as stored, and one obvious fix saves."""

from __future__ import annotations

import pytest

from identity_tui.core.form import FormValues, RowValues, convert, modified_fields, read_switch, read_text
from identity_tui.core.kinds import PropertyType
from identity_tui.core.draft import Draft, DraftProperty

S, N, B, J = PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON


def form_with(row: RowValues) -> FormValues:
    return FormValues(name="A", identifier_key="a", identity_type="user", rows=(row,))


@pytest.mark.parametrize(
    ("ptype", "value", "shown"),
    [
        (B, "yes", 'stored: "yes" (not a boolean)'),
        (B, 1, "stored: 1 (not a boolean)"),
        (S, 42, "stored: 42 (not text)"),
        (N, "12", 'stored: "12" (not a number)'),
        (J, "text", 'stored: "text" (not a JSON object)'),
    ],
)
def test_an_untouched_misfit_says_what_is_stored_and_that_it_does_not_fit(ptype, value, shown):
    origin = DraftProperty("k", ptype, value)
    errors = form_with(RowValues("k", ptype, value, origin)).errors()
    assert [e.field for e in errors] == ["properties.0.value"]
    assert errors[0].message.startswith(shown)


def test_switching_a_misfit_boolean_to_false_is_a_change_that_fits():
    origin = DraftProperty("k", B, "yes")
    assert read_switch(False, origin) == "yes"  # untouched: the stored value, still wrong
    value = read_switch(False, origin, touched=True)
    assert value is False
    loaded = Draft(name="A", identifier_key="a", identity_type="user", properties=(origin,))
    form = form_with(RowValues("k", B, value, origin))
    assert "properties.0.value" in modified_fields(loaded, form)
    assert form.errors() == []


def test_typing_in_a_string_holding_a_number_stores_text_even_when_the_text_is_the_same():
    origin = DraftProperty("k", S, 42)
    assert read_text(S, "42", origin) == 42  # untouched
    assert read_text(S, "42", origin, touched=True) == "42"
    # a value that fits is still given back exactly when its text comes back
    fits = DraftProperty("k", N, 4.0)
    assert read_text(N, "4.0", fits, touched=True) == 4.0


def test_changing_the_type_to_one_that_fits_converts_the_stored_value():
    assert convert(42, N) == 42
    assert convert("42", N) == 42
    assert convert("yes", S) == "yes"
    assert convert(1, N) == 1
