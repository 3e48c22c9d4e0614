"""--readonly: the form shows the identity, lets the fields be focused and read, and takes no edit."""

from __future__ import annotations

from textual.widgets import Input
from tests.support.edit_helpers import focus_field, focus_on, open_alice
from tests.support.pilot import settle



async def test_a_read_only_form_takes_no_typing_and_says_view(make_app, people):
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        name = screen.query_one("#name", Input)
        await focus_on(pilot, app, name)
        await pilot.press("x", "backspace", "ctrl+u")
        await focus_field(pilot, app, screen, "properties.0.key")  # the rows can still be reached
        await pilot.press("y")
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("z", "backspace")
        await settle(pilot, app)
        assert name.value == "Alice Example"
        assert screen.form.widget_for("properties.0.key").value == "email"
        assert screen.form.widget_for("properties.0.value").value == "alice@example.com"
        assert [row.key for row in screen.form.values().rows] == ["email", "age", "verified", "prefs"]
        assert screen.form.values().rows[0].value == "alice@example.com"
        assert screen.modified == set()
        title = str(screen.query_one("#edit-title").render())
        assert title.startswith("View identity") and "read-only" in title and "modified" not in title
        assert screen.form.widget_for("properties.2.value").disabled  # the switch
        assert screen.form.widget_for("properties.0.type").disabled
        assert screen.form.widget_for("properties.3.value").read_only  # the JSON editor
