"""Snapshot tests: the list with marked identities, and the batch plan dialog, at 80x24."""

from __future__ import annotations

from textual.widgets import Select

from tests.support.pilot import settle


async def _marked(pilot) -> None:
    """Three rows marked (the first, second and fourth), the cursor on the fifth."""
    app = pilot.app
    await settle(pilot, app)
    await pilot.press("space", "space", "j", "space")
    await settle(pilot, app)


def test_marked_list_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_marked)


def test_batch_plan_80x24(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _marked(pilot)
        await pilot.press("p")
        await settle(pilot, pilot.app)
        pilot.app.screen.query_one("#batch-type", Select).value = "number"
        await pilot.press(*"seats", "enter", *"12", "enter")
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
