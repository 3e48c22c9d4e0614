"""An identity with hundreds of properties: opening it costs linear work, and the app answers meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.widgets.edit_form import EditForm
from identity_tui.tui.widgets.form_marks import FormMarks
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.property_row import PropertyRow
from tests.support.pilot import settle

MANY_ID = "identity-00000000-0000-4000-8000-0000000000aa"


def many(n: int) -> dict:
    return {
        "id": MANY_ID,
        "identifier_key": "many@example.com",
        "name": "Many Props",
        "identity_type": "user",
        "project_id": None,
        "properties": [
            {"key": f"p{i:04}", "value": f"v{i}", "type": "string"} if i % 3 else
            {"key": f"p{i:04}", "value": i, "type": "number"}
            for i in range(n)
        ],
    }


async def open_first(pilot, app) -> EditScreen:
    await settle(pilot, app)
    assert app.screen.query_one(IdentityTable).selected.id == MANY_ID
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, EditScreen)
    return app.screen


class Work:
    """How often the form looked at all its rows, and how many rows it re-marked: counted at the two methods."""

    def __init__(self, monkeypatch) -> None:
        self.looks = self.rows_marked = 0
        look, mark = FormMarks.refresh, PropertyRow.mark

        def counted_look(marks, *args, **kwargs):
            self.looks += 1
            return look(marks, *args, **kwargs)

        def counted_mark(row, *args, **kwargs):
            changed = mark(row, *args, **kwargs)
            self.rows_marked += bool(changed)
            return changed

        monkeypatch.setattr(FormMarks, "refresh", counted_look)
        monkeypatch.setattr(PropertyRow, "mark", counted_mark)


@pytest.mark.parametrize("n", [30, 120])
async def test_opening_marks_each_row_at_most_once_and_refreshes_a_bounded_number_of_times(make_app, sandbox, n,
                                                                                          monkeypatch):
    sandbox.store.insert(many(n))
    work = Work(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app)
        form = screen.form
        assert len(form.rows) == n
        assert screen.modified == set()
        # Clean rows need no marking at all; the whole form is looked at a handful of times, not per widget.
        assert work.rows_marked <= n
        assert work.looks <= 6


async def test_a_keystroke_marks_only_the_row_typed_in(make_app, sandbox, monkeypatch):
    sandbox.store.insert(many(120))
    work = Work(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app)
        form = screen.form
        row = form.rows[1]
        row.editor.focus()
        await pilot.pause()
        before_marks, before_looks = work.rows_marked, work.looks
        await pilot.press("x")
        await pilot.pause()
        assert screen.modified == {"properties", "properties.1", "properties.1.value"}
        assert work.rows_marked - before_marks == 1
        assert work.looks - before_looks == 1
        await pilot.press("backspace")
        await pilot.pause()
        assert screen.modified == set()
        assert work.rows_marked - before_marks == 2


async def test_escape_while_rows_are_still_being_added_leaves_the_screen(make_app, sandbox, monkeypatch):
    """The rows go in batches; between them the app answers keys, so esc works before the last batch."""
    gate = asyncio.Event()  # never set: the fill stops after its first batch

    async def held() -> None:
        await gate.wait()

    monkeypatch.setattr(EditForm, "between_batches", staticmethod(held))
    sandbox.store.insert(many(300))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, EditScreen) and app.screen.form.rows:
                break
        screen = app.screen
        assert isinstance(screen, EditScreen)
        assert 0 < len(screen.form.rows) < 300
        await asyncio.wait_for(pilot.press("escape"), 10)
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)


async def test_the_header_counts_every_row_on_screen_once_they_are_in(make_app, sandbox):
    """The header's width follows its text: the count written after the last batch must show, not stay 0 wide."""
    from tests.support.screen_text import screen_lines

    sandbox.store.insert(many(150))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first(pilot, app)
        for _ in range(200):  # each pause lets a batch in; the form is enabled once every row is
            if len(screen.form.rows) == 150 and not screen.form.disabled:
                break
            await pilot.pause()
        await settle(pilot, app)
        lines = screen_lines(app)
        assert lines[0].startswith(" Edit identity · Many Props")
        assert any(line.startswith(" Properties (150)") for line in lines), lines[:8]
