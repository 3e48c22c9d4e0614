"""The restore offer's change lines: when both sides are too long, they are cut around where they differ."""

from __future__ import annotations

import json
import re

from identity_tui.core.draft_texts import RowText
from identity_tui.core.draft_words import restore_changes
from identity_tui.core.models import Identity

from .draft_samples import BASE, saved, texts

LONG = "A very long name that goes on and on for quite a while and then ends in "


def quoted(line: str) -> list[str]:
    return re.findall(r'"([^"]*)"', line)


def test_long_names_that_differ_at_the_end_show_the_difference():
    data = json.loads(BASE.model_dump_json()) | {"name": LONG + "Smith"}
    line = restore_changes(saved(base=Identity.model_validate(data), texts=texts(LONG + "Smyth")))[0]
    before, after = quoted(line)
    assert before != after, line
    assert "Smith" in before and "Smyth" in after, line
    assert before.startswith("…") and after.startswith("…"), line
    assert len(before) <= 28 and len(after) <= 28, line


def test_long_values_that_differ_in_the_middle_show_the_difference_with_an_ellipsis_each_side():
    old = "x" * 40 + "OLD" + "y" * 40
    new = "x" * 40 + "NEW" + "y" * 40
    data = json.loads(BASE.model_dump_json())
    data["properties"][0]["value"] = old
    rows = (RowText("email", "string", new), RowText("age", "number", "30"))
    line = restore_changes(saved(base=Identity.model_validate(data), texts=texts("Alice", rows=rows)))[0]
    before, after = quoted(line)
    assert "OLD" in before and "NEW" in after, line
    assert before.startswith("…") and before.endswith("…") and after.startswith("…") and after.endswith("…")


def test_short_sides_are_shown_whole():
    assert restore_changes(saved(texts=texts("Alice Jr")))[0] == 'name: "Alice" -> "Alice Jr"'
