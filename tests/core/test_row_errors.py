"""``row_errors`` words one row's problems exactly as a whole form of that row alone does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from identity_tui.core.draft import DraftProperty
from identity_tui.core.fields import parse_row_field
from identity_tui.core.form import FormValues, RowValues, Unparsed, row_errors
from identity_tui.core.kinds import PropertyType

KEYS = st.sampled_from(["", "  ", "k", "email", "\ud800", "a\x00b", "née"])
VALUES = st.one_of(
    st.sampled_from(["", "x", "\ud800", 0, 1.5, 2**70, -(2**70), True, False, None, [], [1], {}, {"a": 1},
                     {"a": "\ud800"}, {"n": 2**70}]),
    st.builds(Unparsed, st.sampled_from(["", "abc", "{"]), st.sampled_from(["not a number", "enter a value"])),
    st.text(max_size=4),
    st.integers(),
)
TYPES = st.sampled_from(list(PropertyType))


def whole_form(row: RowValues) -> dict[str, str]:
    """The first error of each of the row's parts from the whole form's check (valid fields around it)."""
    found: dict[str, str] = {}
    for error in FormValues("-", "-", "user", rows=(row,)).errors():
        where = parse_row_field(error.field)
        if where is not None and where[1] is not None:
            found.setdefault(where[1], error.message)
    return found


@st.composite
def rows(draw) -> RowValues:
    key, ptype, value = draw(KEYS), draw(TYPES), draw(VALUES)
    origin = draw(st.one_of(
        st.none(),
        st.builds(DraftProperty, KEYS, TYPES, VALUES),
        st.just(DraftProperty(key, ptype, value)),  # a loaded row nobody touched
    ))
    return RowValues(key, ptype, value, origin)


@settings(max_examples=600, deadline=None)
@given(rows())
def test_one_rows_errors_are_the_whole_forms(row):
    assert row_errors(row) == whole_form(row)


def test_a_stored_misfit_an_unparsed_text_and_a_blank_new_key_are_each_worded():
    misfit = RowValues("n", PropertyType.NUMBER, "ten", DraftProperty("n", PropertyType.NUMBER, "ten"))
    assert set(row_errors(misfit)) == {"value"}
    typed = RowValues("", PropertyType.NUMBER, Unparsed("x", "not a number"), None)
    assert set(row_errors(typed)) == {"key", "value"}
    assert row_errors(typed)["key"] == "Key is required."
    assert row_errors(RowValues("k", PropertyType.STRING, "fine", None)) == {}


@settings(max_examples=400, deadline=None)
@given(KEYS, TYPES, VALUES)
def test_a_row_as_loaded_is_checked_as_any_row_is(key, ptype, value):
    """The load's shortcut for a row holding its origin's very value finds what ``check_row`` finds."""
    from identity_tui.core.form import value_text
    from identity_tui.core.property_rows import check_row, loaded_check

    row = RowValues(key, ptype, value, DraftProperty(key, ptype, value))
    text = value_text(ptype, value) if ptype is not PropertyType.BOOLEAN else ""
    assert loaded_check(row, text) == check_row(row, text)
