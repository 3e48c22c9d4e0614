"""The edit form at 60x20: nothing overlaps, a cut id says so, and the fixed project says it is fixed."""

from __future__ import annotations
from tests.support.edit_helpers import open_alice
from tests.support.pilot import settle



def drawn(widget) -> str:
    return "".join(seg.text for y in range(widget.region.height) for seg in widget.render_line(y)).rstrip()


async def test_at_60_columns_the_hint_gives_way_and_the_id_ends_with_an_ellipsis(make_app, people):  # noqa: F811
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_alice(pilot, app)
        await settle(pilot, app)
        title, hint = screen.query_one("#props-title"), screen.query_one("#props-hint")
        assert "Properties (4)" in drawn(title)
        if hint.display and hint.region.width:
            assert title.region.right <= hint.region.x
        id_line = drawn(screen.query_one("#identity-id"))
        assert id_line.endswith("…")


async def test_the_project_says_it_cannot_be_changed(make_app, people):  # noqa: F811
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        assert "fixed" in str(screen.query_one("#project-text").render())
