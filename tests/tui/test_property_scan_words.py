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


def wire(i: int, **extra) -> dict:
    return {"id": f"identity-{i}", "identifier_key": f"k{i}", "name": "Zoë \u202e [b]x[/b]", "identity_type": "org",
            "project_id": "proj-1", "agent_ids": [], "properties": [
                {"key": "plan", "value": {"tier": "gold", "seats": [1, 2.5, None, True]}, "type": "json"},
                {"key": "big", "value": 12345678901234567890, "type": "number"}], **extra}


def test_matches_come_back_exactly_as_the_server_sent_them_in_the_order_found():
    found = [summarize(wire(i)) for i in range(120)]
    scan = Scan(50, total=120)
    scan.add_page(found[:70], last=False)
    scan.add_page(found[70:], last=True)
    assert [(r, r.wire) for r in scan.rows()] == [(r, r.wire) for r in found[:50]]
    assert scan.turn(1) and scan.turn(1)
    assert [(r, r.wire) for r in scan.rows()] == [(r, r.wire) for r in found[100:]]
    assert scan.rows()[0].wire["properties"][1]["value"] == 12345678901234567890


def test_a_value_too_deep_to_write_again_is_kept_as_it_came():
    deep: list = []
    for _ in range(5000):  # deeper than JSON can be written: kept as the object
        deep = [deep]
    row = summarize(wire(1, extra_field=deep))
    scan = Scan(50)
    scan.add_page([row], last=True)
    assert scan.rows() == [row] and scan.rows()[0].wire["extra_field"] is deep


def test_the_matches_kept_do_not_add_to_what_the_garbage_collector_walks():
    """A long scan keeps tens of thousands of matches; kept as objects, every full collection walks them
    all and pauses the app longer the longer it scans."""
    import gc

    scan = Scan(50, total=10_000)
    gc.collect()
    before = len(gc.get_objects())
    for page in range(20):
        scan.add_page([summarize(wire(page * 500 + i)) for i in range(500)], last=False)
    gc.collect()
    grew = len(gc.get_objects()) - before
    assert len(scan.matches) == 10_000
    assert grew < 1_000, f"{grew} more objects for the collector to walk after 10,000 matches"
