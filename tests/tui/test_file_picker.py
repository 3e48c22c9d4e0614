"""The export and import dialogs name the file in full and let you pick it with the keyboard (ctrl+o)."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input

from identity_tui.tui.screens.export import ExportScreen
from identity_tui.tui.screens.file_picker import FilePicker, FileTree
from identity_tui.tui.screens.import_screen import ImportScreen
from tests.support.pilot import settle
from tests.support.screen_text import screen_lines


@pytest.fixture
def work(tmp_path, monkeypatch):
    """The folder the app is started in, with a subfolder, a data file, a hostile name and a text file."""
    here = tmp_path / "work"
    (here / "sub").mkdir(parents=True)
    (here / "people.jsonl").write_text(json.dumps({
        "identifier_key": "picked@example.com", "name": "Picked", "identity_type": "user", "properties": []}) + "\n")
    (here / "notes.txt").write_text("not a data file\n")
    (here / "bad\x1b[31m[bold]name.csv").write_text("identifier_key,name,identity_type\n")
    monkeypatch.chdir(here)
    return here


def text(app) -> str:
    return "\n".join(screen_lines(app))


def tree_labels(picker: FilePicker) -> list[str]:
    tree = picker.query_one(FileTree)
    return [str(node.label) for node in tree.root.children]


async def listed(pilot, picker: FilePicker, name: str) -> list[str]:
    """The picker's folder once it lists ``name`` (its tree reads folders in a thread)."""
    for _ in range(2000):  # a hang guard, not a timing: each turn waits for the screen
        labels = tree_labels(picker)
        if name in labels:
            await pilot.pause()
            return labels
        await pilot.pause(0.01)
    raise AssertionError(f"{name!r} never listed: {tree_labels(picker)}")


async def test_export_names_the_whole_path_and_ctrl_o_picks_a_folder_keeping_the_name(make_app, work):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        box = dialog.query_one("#export-path", Input)
        name = box.value
        assert str(dialog.query_one("#export-where").render()) == f"Writes {work / name}"
        box.value = "out.jsonl"
        await pilot.pause()
        assert str(dialog.query_one("#export-where").render()) == f"Writes {work / 'out.jsonl'}"
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, FilePicker)
        assert str(picker.query_one("#picker-where").render()) == f"Folder: {work}"
        labels = await listed(pilot, picker, "people.jsonl")
        assert labels[0] == "sub" and "notes.txt" not in labels
        await pilot.press("down", "u")  # the tree's first row is the folder shown; then sub
        await settle(pilot, app)
        assert app.screen is dialog
        assert box.value == str(work / "sub" / "out.jsonl")
        await pilot.press("enter")
        await settle(pilot, app)
        assert (work / "sub" / "out.jsonl").exists()


async def test_import_ctrl_o_picks_a_file_and_enter_reads_it(make_app, work):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.action_import()
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, FilePicker)
        labels = await listed(pilot, picker, "people.jsonl")
        at = labels.index("people.jsonl")
        await pilot.press(*["down"] * (at + 1), "enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert screen.query_one("#import-path", Input).value == str(work / "people.jsonl")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "picked@example.com" in text(app)


async def test_names_show_literally_and_backspace_goes_up(make_app, work):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.action_import()
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        picker = app.screen
        await listed(pilot, picker, "bad\\x1b[31m[bold]name.csv")
        assert "bad\\x1b[31m[bold]name.csv" in text(app)
        assert "\x1b" not in text(app)
        await pilot.press("backspace")
        await settle(pilot, app)
        assert str(picker.query_one("#picker-where").render()) == f"Folder: {work.parent}"
        await listed(pilot, picker, "work")
        await pilot.press("u")  # a folder is no answer when a file is asked for: u does nothing here
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.query_one("#import-path", Input).value == ""
