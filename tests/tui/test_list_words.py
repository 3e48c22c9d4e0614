"""The list's sentences are worded right for one as for many."""

from __future__ import annotations

import pytest

from identity_tui.sandbox.seed import seed
from identity_tui.tui.widgets.status_bar import StatusBar
from tests.support.pilot import settle


def info(app) -> str:
    return str(app.screen.query_one("#page-info").render())


async def test_one_identity_is_one_identity_and_one_row(make_app, empty_sandbox):
    seed(empty_sandbox, 1)
    app = make_app(store=empty_sandbox)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, app)
        assert "1 identity in all" in str(app.screen.query_one(StatusBar).render())
        assert "Page 1 · row 1" in info(app)
        assert "rows" not in info(app)
        await pilot.press("greater_than_sign")
        await settle(pilot, app)
        assert "Last page · 1 row" in info(app)
        assert "rows" not in info(app)


@pytest.mark.parametrize("n, words", [(0, "0 identities in all"), (2, "2 identities in all"), (1234, "1,234 identities in all")])
async def test_the_total_counts_in_words(make_app, n, words):
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, app)
        bar = app.screen.query_one(StatusBar)
        bar.set_total(n)
        assert words in str(bar.render())
