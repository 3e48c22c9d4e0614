"""The one save flow: a save asks its dialogs from its worker, and keys typed ahead of a dialog land in it as
they would typed slowly (the preview of a create comes up with no network wait before it)."""

from __future__ import annotations

import pytest

from identity_tui.core.config import Config
from identity_tui.sandbox import Sandbox
from identity_tui.tui.screens.edit import EditScreen
from tests.support.edit_helpers import writes
from tests.support.pilot import settle
from tests.support.typeahead import ahead, seen, slowly

# ctrl+s on a new form, then what a person types at the preview before it is painted: enter sends, esc goes
# back, and letters after esc go into the field the focus came back to.
SCRIPTS = {
    "send": ["ctrl+s", "enter"],
    "back-and-type": ["ctrl+s", "escape", "x", "y"],
    "back-and-send": ["ctrl+s", "escape", "ctrl+s", "enter"],
}


async def _create(make_app, typing, keys: list[str], state, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(state))  # the draft one run leaves is not the next run's
    store = Sandbox(path=":memory:")
    try:
        app = make_app(store=store, config=Config(preview_saves=True))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await pilot.press("n")
            await settle(pilot, app)
            assert isinstance(app.screen, EditScreen)
            await pilot.press(*"Dana", "tab", *"dana@example.com")
            await settle(pilot, app)
            await typing(pilot, app, keys)
            return seen(app), [(method, path) for method, path, _ in writes(store)]
    finally:
        store.close()


@pytest.mark.parametrize("name", list(SCRIPTS))
async def test_keys_typed_ahead_of_a_creates_preview_land_in_it(make_app, name, tmp_path, monkeypatch):
    keys = SCRIPTS[name]
    slow = await _create(make_app, slowly, keys, tmp_path / "slow", monkeypatch)
    burst = await _create(make_app, ahead, keys, tmp_path / "burst", monkeypatch)
    assert burst == slow
    sent = slow[1]
    assert sent == ([("POST", "/v1/identities/")] if keys[-1] == "enter" else [])


@pytest.mark.parametrize("where", ["edit", "import"])
async def test_a_crash_in_a_screens_worker_opens_one_error_dialog(make_app, people, monkeypatch, where, tmp_path):
    """Each screen's worker failure reaches the app once: one dialog, and esc is back on the screen."""
    from identity_tui.core import transaction as tx
    from identity_tui.tui.screens.error import ErrorScreen
    from tests.support.edit_helpers import open_alice

    async def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(80, 24)) as pilot:
        if where == "edit":
            screen = await open_alice(pilot, app)
            monkeypatch.setattr(tx, "prepare", boom)
            await pilot.press("end", "X", "ctrl+s")
        else:
            from identity_tui.core import bulk

            (tmp_path / "in.jsonl").write_text('{"identifier_key": "k", "name": "K", "identity_type": "user"}\n')
            await settle(pilot, app)
            monkeypatch.setattr(bulk, "plan_import", boom)
            app.action_import()
            await settle(pilot, app)
            screen = app.screen
            await pilot.press(*str(tmp_path / "in.jsonl"), "enter")
        await settle(pilot, app)
        errors = [s for s in app.screen_stack if isinstance(s, ErrorScreen)]
        assert len(errors) == 1 and "kaboom" in errors[0].details, app.screen_stack
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
