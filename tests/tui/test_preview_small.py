"""The save preview shows its keys on a small terminal, however long the requests are."""

from __future__ import annotations

import pytest

from identity_tui.tui.screens.preview import PreviewScreen
from tests.support.edit_helpers import open_alice
from tests.support.pilot import settle


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (40, 12)])
async def test_the_preview_hint_is_on_screen(make_app, people, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" with a much longer name")
        screen.form.focus_field("properties.0.key")
        await pilot.press("ctrl+d")  # a removed property: PATCH and PUT, and a long "why"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, PreviewScreen)
        hint = app.screen.query_one(".dialog-hint")
        width, height = size
        region = hint.region
        assert region.height >= 1 and region.bottom <= height and region.x >= 0 and region.right <= width, region
        assert "enter send" in str(hint.render())
        assert app.screen.get_widget_at(region.x + 1, region.y)[0] is hint
