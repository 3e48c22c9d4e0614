"""Wide and joined characters (emoji ZWJ sequences, CJK, combining marks) never shift the table's columns."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from identity_tui.core.kinds import IdentityType
from identity_tui.tui.widgets.identity_table import IdentityTable, column_widths
from tests.support.table_app import SIZE, Row, TableApp

FAMILY = "👨‍👩‍👧‍👦"
NAMES = [
    "plain name",
    f"{FAMILY} family",
    FAMILY * 20,
    f"a{FAMILY}" * 10,
    "日本語の名前" * 6,
    "e\u0301" * 40,
    "🏳️‍🌈 flag " * 5,
]


def page() -> list[Row]:
    return [
        Row(f"identity-{i:08d}", name, f"key{FAMILY}{i}" * (1 + i % 3), IdentityType.USER, None, i)
        for i, name in enumerate(NAMES)
    ]


@pytest.mark.parametrize("width", [80, 61, 120])
async def test_every_row_is_exactly_the_width_and_each_column_starts_at_the_same_cell(width):
    app = TableApp(page())
    async with app.run_test(size=(width, SIZE[1])) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        widths = column_widths(table.size.width)
        # each cell has one cell of padding either side
        key_start = widths["name"] + 3
        type_start = key_start + widths["identifier_key"] + 2
        for y in range(1, len(NAMES) + 1):
            strip = table.render_line(y)
            assert strip.cell_length == table.size.width
            text = strip.text
            assert cell_len(text) == table.size.width, (y, text)
            # the text before the Identifier key column is exactly the name column's cells
            prefix = ""
            for ch in text:
                if cell_len(prefix) >= key_start:
                    break
                prefix += ch
            assert cell_len(prefix) == key_start, (y, text)
            assert text[len(prefix):].startswith("key"), (y, text)
            rest = ""
            for ch in text:
                if cell_len(rest) >= type_start:
                    break
                rest += ch
            assert cell_len(rest) == type_start and text[len(rest):].startswith("user"), (y, text)


async def test_a_long_name_is_cut_at_the_column_width_in_cells_between_whole_characters():
    app = TableApp(page())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(IdentityTable)
        width = column_widths(table.size.width)["name"]
        for row, name in enumerate(NAMES):
            shown = table.get_row_at(row)[0].plain
            if cell_len(name) <= width:
                assert shown == name
                continue
            assert shown.endswith("…"), shown
            kept = shown[:-1]
            assert name.startswith(kept) and not kept.endswith("\u200d"), shown
            assert name[len(kept)] not in "\u200d\u0301\ufe0f", f"cut inside a character: {shown!r}"
            # as much as fits: the next whole character would not
            assert width - 2 <= cell_len(shown) <= width, (shown, width)
