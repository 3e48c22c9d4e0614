"""Sentences in the dialogs and toasts: counted right, and an identity without a name is still named."""

from __future__ import annotations

import copy


from identity_tui.tui.screens.conflict import ConflictScreen
from tests.support.edit_helpers import ALICE, ALICE_ID, open_alice
from tests.support.pilot import settle


async def test_one_overlapping_change_is_counted_as_one(make_app, people):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_alice(pilot, app)
        await pilot.press(*" Jr")
        await app.client.update(ALICE_ID, {"name": "Someone Else"})
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConflictScreen)
        about = str(app.screen.query_one("#conflict-about").render())
        assert "one of your changes overlaps with theirs" in about, about
        assert "changes overlap " not in about


async def test_deleting_an_identity_without_a_name_names_its_key(make_app, sandbox):
    nameless = copy.deepcopy(ALICE) | {"name": ""}
    sandbox.store.insert(nameless)
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press(*ALICE["identifier_key"], "enter")
        await settle(pilot, app)
        notes = list(app.notices)
        assert f"Deleted the identity with identifier_key '{ALICE['identifier_key']}'." in notes, notes
