"""Shared pieces for the edit-form tests: two identities with fixed ids and content (the ``people`` fixture in
tests/tui/conftest.py puts them in the sandbox), and waiting helpers."""

from __future__ import annotations

from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle

ALICE_ID = "identity-00000000-0000-4000-8000-00000000a11c"
BOB_ID = "identity-00000000-0000-4000-8000-000000000b0b"
ALICE = {
    "id": ALICE_ID,
    "identifier_key": "alice@example.com",
    "name": "Alice Example",
    "identity_type": "user",
    "project_id": None,
    "properties": [
        {"key": "email", "value": "alice@example.com", "type": "string"},
        {"key": "age", "value": 42, "type": "number"},
        {"key": "verified", "value": True, "type": "boolean"},
        {"key": "prefs", "value": {"theme": "dark", "newsletter": False}, "type": "json"},
    ],
}
BOB = {
    "id": BOB_ID,
    "identifier_key": "bob@example.com",
    "name": "Bob Example",
    "identity_type": "user",
    "project_id": None,
    "properties": [],
}
ALICE_PATH = f"/v1/identities/{ALICE_ID}"


async def open_alice(pilot, app) -> EditScreen:
    """From the list, open the first row (Alice) with enter and wait for the fresh copy."""
    await settle(pilot, app)
    table = app.screen.query_one(IdentityTable)
    assert table.selected.id == ALICE_ID
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, EditScreen)
    return app.screen


async def focus_on(pilot, app, widget) -> None:
    """Press tab until ``widget`` has the focus (the way a person gets there)."""
    for _ in range(40):
        if app.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {widget!r}")


async def focus_field(pilot, app, screen, name: str) -> None:
    """Press tab until the form's field ``name`` (``properties.1.value`` and the like) has the focus."""
    for _ in range(60):
        if screen.form.focus_path(app.focused) == name:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {name}")


def keys(screen) -> list[str]:
    """The property keys the form holds, in order."""
    return [row.key for row in screen.form.values().rows]


def writes(sandbox) -> list[tuple[str, str, object]]:
    """Every request but the reads, as (method, path, body)."""
    return [(r.method, r.path, r.body) for r in sandbox.request_log if r.method != "GET"]


def message(app) -> str:
    """The line under the form (the form may be under a dialog)."""
    form = next(s for s in reversed(app.screen_stack) if isinstance(s, EditScreen))
    return str(form.query_one("#edit-message").render())


def list_screen(app) -> ListScreen:
    return next(s for s in app.screen_stack if isinstance(s, ListScreen))


async def save_with_preview(pilot, app) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot, app)  # the re-read before the preview
    assert isinstance(app.screen, PreviewScreen)
    await pilot.press("enter")
    await settle(pilot, app)
