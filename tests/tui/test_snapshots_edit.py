"""Snapshot tests: the edit form, an invalid form, the save preview and the dialogs, at fixed sizes."""

from __future__ import annotations
from tests.support.pilot import settle



async def _open_alice(pilot) -> None:
    """Open the first row (Alice: one property of each type) from the list."""
    await settle(pilot, pilot.app)
    await pilot.press("enter")
    await settle(pilot, pilot.app)


def test_form_80x24(snap_compare, make_app, people):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open_alice)


def test_form_120x40(snap_compare, make_app, people):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_open_alice)


def test_form_modified_and_invalid_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await _open_alice(pilot)
        await pilot.press("ctrl+u")  # the name emptied
        await pilot.press("tab", "tab", "tab")  # onto row 1's key
        await pilot.press("ctrl+u", *"age")  # a key used twice
        await pilot.press("tab", "tab", "tab", "tab", "tab", "x")  # row 2's value: 42x
        await pilot.press("ctrl+s")
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_save_preview_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await _open_alice(pilot)
        await pilot.press(*" Jr")
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab")  # row 2's key (age)
        await pilot.press("ctrl+d")
        await pilot.press("ctrl+s")
        await settle(pilot, pilot.app)  # the re-read before the preview

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_save_preview_120x40(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await _open_alice(pilot)
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab")  # switch
        await pilot.press("space", "ctrl+n", *"plan", "tab", "tab", *"pro")
        await pilot.press("ctrl+s")
        await settle(pilot, pilot.app)  # the re-read before the preview

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)


def test_delete_confirmation_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"alice@", "enter")  # not the whole key
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_leave_with_unsaved_changes_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await _open_alice(pilot)
        await pilot.press("!", "escape")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_new_identity_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("n")
        await settle(pilot, pilot.app)
        await pilot.press(*"Carol", "ctrl+n", *"tier", "tab", "ctrl+t", "ctrl+t", "ctrl+t")  # json

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_form_with_the_find_bar_open_80x24(snap_compare, make_app, people):
    async def run_before(pilot) -> None:
        await _open_alice(pilot)
        await pilot.press("ctrl+f", "e", "enter")  # every key holds an e: the second hit, the others highlighted
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
