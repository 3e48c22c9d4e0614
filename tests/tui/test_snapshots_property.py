"""Snapshot test: the list searched by property, at 80x24 (the matches, the filter bar and the scan's line)."""

from __future__ import annotations

from textual.widgets import Input

from tests.support.pilot import settle


def test_list_with_a_property_filter_80x24(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("f")
        await pilot.pause()
        pilot.app.screen.query_one("#f-where", Input).focus()
        await pilot.press(*"plan=pro; verified=true", "enter")
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
