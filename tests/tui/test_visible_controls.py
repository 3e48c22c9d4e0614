"""Control characters typed or stored in a value show as a visible symbol in every editor, as ESC does."""

from __future__ import annotations

import pytest
from textual.app import App

from identity_tui.core.kinds import PropertyType
from identity_tui.tui.widgets.value_editors import JsonValueEditor, TextValueEditor, text_input


class Editors(App):
    def compose(self):
        yield text_input("a\x07b\x08c\rd\x1be", id="field")
        yield TextValueEditor(PropertyType.STRING, "s\x07t", id="string")
        yield JsonValueEditor({"k": "v"}, id="json")


def drawn(widget, y: int = 0) -> str:
    return "".join(segment.text for segment in widget.render_line(y))


@pytest.mark.parametrize(("selector", "shown"), [("#field", "a␇b␈c␍d␛e"), ("#string", "s␇t")])
async def test_a_bel_and_other_c0_characters_show_in_an_input(selector, shown):
    app = Editors()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert drawn(app.query_one(selector)).startswith(shown)


async def test_a_bel_typed_in_the_json_editor_shows():
    app = Editors()
    async with app.run_test() as pilot:
        editor = app.query_one("#json", JsonValueEditor)
        editor.insert("\x07", (0, 1))
        await pilot.pause()
        assert "␇" in drawn(editor)
