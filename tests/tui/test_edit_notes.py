"""Warnings under the fields that do not stop a save."""

from __future__ import annotations

from textual.widgets import Input

from tests.support.edit_helpers import ALICE_PATH, focus_field, focus_on, open_alice, save_with_preview, writes
from tests.support.pilot import settle


async def test_spaces_around_the_identifier_key_are_warned_of_and_still_saved(make_app, people):  # noqa: F811
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await open_alice(pilot, app)
        key = screen.query_one("#identifier-key", Input)
        await focus_on(pilot, app, key)
        await pilot.press("space")
        await settle(pilot, app)
        assert "starts or ends with a space" in str(screen.query_one("#identifier_key-error").render())
        await save_with_preview(pilot, app)
        assert writes(people) == [("PATCH", ALICE_PATH, {"identifier_key": "alice@example.com "})]


async def test_a_number_with_more_digits_than_a_float_holds_says_what_is_stored(make_app, people):  # noqa: F811
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press("ctrl+u", *"1.0000000000000001")
        await settle(pilot, app)
        line = screen.form.error_line(1)
        assert "stored as 1.0: more digits than a float holds" in line
