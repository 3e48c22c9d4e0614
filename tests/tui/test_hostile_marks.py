"""Bidi marks and line separators from the server never reach the terminal raw: the list and the form show
them as visible escapes or symbols, so a row keeps its place and its width."""

from __future__ import annotations

import pytest
from textual.app import App

from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.value_editors import TextValueEditor, text_input
from tests.support.table_app import SIZE, Row, TableApp

# U+200F right-to-left mark, U+061C Arabic letter mark, U+200E left-to-right mark,
# U+2028 line separator, U+2029 paragraph separator
MARKS = {"rlm": "\u200f", "alm": "\u061c", "lrm": "\u200e", "ls": "\u2028", "ps": "\u2029"}


@pytest.mark.parametrize("name", MARKS)
async def test_a_mark_in_a_name_or_key_is_shown_escaped_in_the_list(name):
    mark = MARKS[name]
    page = [Row("identity-00000001-0000", f"ab{mark}cd", f"key{mark}1", IdentityType.USER, None, 1),
            Row("identity-00000002-0000", "plain", "key2", IdentityType.ORG, None, 0)]
    app = TableApp(page)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        line = table.render_line(1).text
        assert mark not in line
        assert f"ab\\u{ord(mark):04x}cd" in line and f"key\\u{ord(mark):04x}1" in line
        assert len(line) == table.size.width == len(table.render_line(2).text)


class Editors(App):
    def compose(self):
        yield text_input("a" + "".join(MARKS.values()) + "b", id="field")
        yield TextValueEditor(PropertyType.STRING, "s" + "".join(MARKS.values()) + "t", id="string")


@pytest.mark.parametrize("selector", ["#field", "#string"])
async def test_marks_show_as_one_visible_symbol_each_in_the_form(selector):
    app = Editors()
    async with app.run_test() as pilot:
        await pilot.pause()
        drawn = "".join(segment.text for segment in app.query_one(selector).render_line(0))
        assert not set(MARKS.values()) & set(drawn)
        assert drawn.startswith(("a" if selector == "#field" else "s") + "\ufffd" * len(MARKS))
