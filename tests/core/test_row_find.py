"""Finding a text in the form's rows: which rows hold it, where next and previous land, and what is said."""

from __future__ import annotations


from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.kinds import PropertyType
from identity_tui.core.property_rows import PropertyRows, RowView
from identity_tui.core.row_find import Found, Hit, find_hits, first_from, found_words, step

S, J = PropertyType.STRING, PropertyType.JSON


def view(i: int, key: str, text: str, ptype: PropertyType = S) -> RowView:
    return RowView(i, 0, key, ptype, text, frozenset(), ())


ROWS = [
    view(0, "banana", "yellow"),
    view(1, "apple", "x"),
    view(2, "k2", "pineapple"),
    view(3, "k3", "APPLE pie"),
    view(4, "prefs", '{\n  "a": 1,\n  "b": "apple"\n}', J),
    view(5, "none", "nothing"),
]


def test_hits_name_the_row_and_the_part_found_first_case_blind_and_literal():
    assert find_hits(ROWS, "Apple") == [Hit(1, "key"), Hit(2, "value"), Hit(3, "value"), Hit(4, "value")]
    assert find_hits(ROWS, "") == []
    assert find_hits(ROWS, "a.p") == [], "the term is literal, not a pattern"
    assert find_hits(ROWS, '1, "b"') == [Hit(4, "value")], "a JSON value is looked at on one line, as drawn"
    assert find_hits(ROWS, "zzz") == []


def test_first_from_starts_at_the_cursor_row_and_goes_round():
    hits = find_hits(ROWS, "apple")
    assert first_from(hits, 0) == Found(Hit(1, "key"), 1, 4, False)
    assert first_from(hits, 2) == Found(Hit(2, "value"), 2, 4, False), "the row it starts on counts"
    assert first_from(hits, 5) == Found(Hit(1, "key"), 1, 4, True)
    assert first_from([], 3) == Found(None)


def test_step_moves_on_and_wraps_both_ways_saying_so():
    hits = find_hits(ROWS, "apple")
    assert step(hits, 1) == Found(Hit(2, "value"), 2, 4, False)
    assert step(hits, 4) == Found(Hit(1, "key"), 1, 4, True)
    assert step(hits, 1, backwards=True) == Found(Hit(4, "value"), 4, 4, True)
    assert step(hits, 3, backwards=True) == Found(Hit(2, "value"), 2, 4, False)
    assert step(hits, 0) == Found(Hit(1, "key"), 1, 4, False), "from a row that does not hold it"
    assert found_words(step(hits, 2)) == "3 of 4"
    assert found_words(step(hits, 4)) == "1 of 4 · no more matches, from the top"
    assert found_words(step(hits, 1, backwards=True), backwards=True) == "4 of 4 · no more matches, from the bottom"
    assert found_words(step([], 0)) == "no match"


def test_a_find_over_ten_thousand_rows_is_one_quick_pass_over_the_model():
    props = tuple(DraftProperty(f"p{i:05}", S, f"value {i}") for i in range(10_000))
    model = PropertyRows.load(Draft("Many", "many", "user", props), show_all_errors=True)
    read = []

    def counted():
        for view in model.views():
            read.append(view.row_id)
            yield view

    hits = find_hits(counted(), "VALUE 9999")
    assert hits == [Hit(9999, "value")]
    assert len(read) == 10_000 and len(set(read)) == 10_000, "each row's view is read once, in one pass"
