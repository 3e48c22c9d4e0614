"""Warnings that do not refuse: a number with more digits than a float holds, spaces around a key."""

from __future__ import annotations

import pytest

from identity_tui.core.form import key_note, number_note, parse_number


def test_exponent_notation_is_a_float_as_in_json():
    assert parse_number("1e3") == 1000.0 and isinstance(parse_number("1e3"), float)
    assert number_note("1e3") is None


@pytest.mark.parametrize("text", ["42", "4.5", "4.50", "0.1", "-2.5e-3", "abc", ""])
def test_numbers_a_float_holds_exactly_as_written_have_no_note(text):
    assert number_note(text) is None


def test_more_digits_than_a_float_holds_are_named():
    assert number_note("1.0000000000000001") == "stored as 1.0: more digits than a float holds"


def test_spaces_around_a_key_are_warned_of():
    assert key_note("abc") is None
    assert key_note(" abc") == "starts or ends with a space: it is stored with it"
    assert key_note("abc ") == "starts or ends with a space: it is stored with it"
    assert key_note("   ") is None  # empty-looking keys are refused elsewhere
