"""An identity with thousands of properties: opening it is one model load, and typing redraws one row."""

from __future__ import annotations

import asyncio

import pytest

from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.core.property_rows import PropertyRows
from identity_tui.tui.widgets.edit_form import EditForm
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.property_grid import PropertyGrid
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
    """What opening and typing cost: model loads, whole looks at the marks, views the grid fetched and rows it
    redrew, counted at the four methods."""

    def __init__(self, monkeypatch) -> None:
        self.loads = self.rows_loaded = self.looks = self.views = self.rows_redrawn = 0
        load, look = PropertyRows.load.__func__, EditForm.refresh_marks
        view, redraw = PropertyRows.view, PropertyGrid.row_changed

        def counted_load(cls, baseline, *args, **kwargs):
            self.loads += 1
            self.rows_loaded += len(baseline.properties)
            return load(cls, baseline, *args, **kwargs)

        def counted_look(form, *args, **kwargs):
            self.looks += 1
            return look(form, *args, **kwargs)

        def counted_view(model, *args, **kwargs):
            self.views += 1
            return view(model, *args, **kwargs)

        def counted_redraw(grid, *args, **kwargs):
            self.rows_redrawn += 1
            return redraw(grid, *args, **kwargs)

        monkeypatch.setattr(PropertyRows, "load", classmethod(counted_load))
        monkeypatch.setattr(EditForm, "refresh_marks", counted_look)
        monkeypatch.setattr(PropertyRows, "view", counted_view)
        monkeypatch.setattr(PropertyGrid, "row_changed", counted_redraw)


@pytest.mark.parametrize("n", [30, 3000])
async def test_opening_loads_each_row_once_and_draws_only_the_rows_on_screen(make_app, sandbox, n, monkeypatch):
    sandbox.store.insert(many(n))
    work = Work(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app)
        form = screen.form
        assert len(form.values().rows) == n
        assert screen.modified == set()
        # The form waiting for the fresh copy is made without rows (it is covered while it loads): each row is
        # read into the form once, from the fresh copy.
        assert work.rows_loaded == n and work.loads <= 2
        # The grid fetches the rows on screen (30 lines at most), not all of them; nothing is mounted per row.
        assert work.views <= 200
        assert work.looks <= 6
        widgets = len(list(form.walk_children()))
        assert widgets < 60, widgets


async def test_a_keystroke_redraws_only_the_row_typed_in(make_app, sandbox, monkeypatch):
    sandbox.store.insert(many(120))
    work = Work(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app)
        form = screen.form
        form.focus_field("properties.1.value")
        await pilot.pause()
        before_redrawn, before_looks = work.rows_redrawn, work.looks
        await pilot.press("x")
        await pilot.pause()
        assert screen.modified == {"properties", "properties.1", "properties.1.value"}
        assert work.rows_redrawn - before_redrawn == 1
        assert work.looks - before_looks == 1
        await pilot.press("backspace")
        await pilot.pause()
        assert screen.modified == set()
        assert work.rows_redrawn - before_redrawn == 2


async def test_escape_right_after_a_big_identity_opens_leaves_the_screen(make_app, sandbox):
    """Opening is one model load, not batches of mounted rows: the form is ready at once and esc leaves."""
    sandbox.store.insert(many(5000))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app)
        assert not screen.form.disabled
        assert len(screen.form.values().rows) == 5000
        await asyncio.wait_for(pilot.press("escape"), 10)
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)


async def test_the_header_counts_every_row_on_screen_once_they_are_in(make_app, sandbox):
    """The header's width follows its text: the count written once the rows are in must show, not stay 0 wide."""
    from tests.support.screen_text import screen_lines

    sandbox.store.insert(many(150))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first(pilot, app)
        await settle(pilot, app)
        assert len(screen.form.values().rows) == 150 and not screen.form.disabled
        lines = screen_lines(app)
        assert lines[0].startswith(" Edit identity · Many Props")
        assert any(line.startswith(" Properties (150)") for line in lines), lines[:8]


async def test_a_closed_form_lets_go_of_its_rows_without_waiting_for_a_full_garbage_collection(make_app, sandbox):
    """Textual keeps a closed screen in reference cycles until a full collection: the rows of a big identity
    (tens of megabytes) would stay that long, under the next form opened."""
    import gc
    import weakref

    sandbox.store.insert(many(3000))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot, app)
        rows = weakref.ref(screen.form.model)
        assert len(screen.form.values().rows) == 3000
        del screen
        gc.disable()
        try:
            await pilot.press("escape")
            await settle(pilot, app)
            assert isinstance(app.screen, ListScreen)
            assert rows() is None, "the closed form's rows are still held"
        finally:
            gc.enable()
