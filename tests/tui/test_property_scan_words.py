"""The words of a property scan's line: honest about how far it got and how many were found."""

from __future__ import annotations

from identity_tui.core.summary import summarize
from identity_tui.tui.property_scan import Scan, split, where_sentence
from identity_tui.core.where import WhereError

import pytest


def rows(n: int, start: int = 0):
    return [summarize({"id": f"identity-{i}", "identifier_key": f"k{i}", "name": "n", "identity_type": "user",
                       "project_id": None, "properties": []}) for i in range(start, start + n)]


def test_without_a_count_the_pages_scanned_are_counted_in_good_grammar():
    scan = Scan(50, total=None)
    scan.add_page(rows(1), last=False)
    assert scan.label() == "match 1 of 1 found so far · scanned 1 page"
    assert scan.progress() == "scanned 1 page · 1 match"


def test_with_a_count_the_line_says_about_how_many_pages_there_are():
    scan = Scan(50, total=1200)
    scan.add_page(rows(60), last=False)
    assert scan.label() == "matches 1–50 of 60 found so far · scanned 1 of ~3 pages"
    assert scan.progress() == "scanned 1 of ~3 pages · 60 matches"
    assert scan.turn(1) and scan.label().startswith("matches 51–60 of 60 found so far")
    assert not scan.turn(1)


def test_no_matches_yet_says_so_once():
    scan = Scan(50, total=1200)
    scan.add_page(rows(0), last=False)
    assert scan.label() == "no matches yet · scanned 1 of ~3 pages"


def test_a_finished_scan_of_one_page_and_of_several():
    one = Scan(50, total=1200)
    one.add_page(rows(0), last=True)
    assert one.label() == "no matches · scanned the only page"
    several = Scan(50, total=1200)
    several.add_page(rows(3), last=False)
    several.add_page(rows(2, 3), last=True)
    assert several.label() == "matches 1–5 of 5 · scanned all 2 pages"


def test_semicolons_separate_expressions_and_a_bad_one_is_a_sentence():
    assert split(" plan=gold ;seats>=10; ") == ("plan=gold", "seats>=10")
    assert split("  ") == ()
    with pytest.raises(WhereError) as caught:
        split("plan=gold; seats>")
    assert where_sentence(caught.value) == "'seats>': > compares numbers; '' is not one."
