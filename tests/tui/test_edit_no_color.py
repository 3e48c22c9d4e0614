"""NO_COLOR: where the keyboard is, what is wrong and where a field is show without colour."""

from __future__ import annotations

from textual.widgets import Input
from tests.support.edit_helpers import focus_on, open_alice
from tests.support.pilot import settle



async def test_focus_errors_and_fields_are_marked_by_style_not_colour(make_app, people, monkeypatch):  # noqa: F811
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        name = screen.query_one("#name", Input)
        key = screen.query_one("#identifier-key", Input)
        await focus_on(pilot, app, name)
        await pilot.press("ctrl+u")  # empty name: an error
        await settle(pilot, app)
        assert name.rich_style.reverse  # the focused field
        assert key.rich_style.underline and not key.rich_style.reverse  # an unfocused field's box
        error = screen.query_one("#name-error")
        assert str(error.render()) and error.rich_style.bold


async def test_in_the_ansi_dark_theme_an_unfocused_input_is_underlined(make_app, people):  # noqa: F811
    from identity_tui.core.config import Config

    app = make_app(config=Config(theme="ansi-dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        key = screen.query_one("#identifier-key", Input)
        assert key.rich_style.underline
        assert screen.query_one("#name", Input).rich_style.reverse  # focused on opening
