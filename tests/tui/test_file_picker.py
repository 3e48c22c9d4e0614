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


@pytest.fixture
def crowded(tmp_path):
    """A folder of 15 subfolders, 4 data files and a text file, listed 10 at a time."""
    here = tmp_path / "crowded"
    for n in range(15):
        (here / f"dir{n:02}").mkdir(parents=True)
    for n in range(4):
        (here / f"file{n}.jsonl").write_text("{}\n")
    (here / "notes.txt").write_text("not a data file\n")
    (here / "dir00" / "inside.csv").write_text("identifier_key\n")
    return here


async def test_a_crowded_folder_lists_its_first_entries_folders_first_and_says_how_many_are_left_out(
        make_app, crowded):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        picker = FilePicker(crowded, folders=True, limit=10)
        await app.push_screen(picker)
        labels = await listed(pilot, picker, "dir09")
        assert labels == [f"dir{n:02}" for n in range(10)]
        where = str(picker.query_one("#picker-where").render())
        assert where.splitlines() == [f"Folder: {crowded}", "The first 10 of 19 folders and data files here are "
                                      "listed: type any other name in the path field."]
        await pilot.press("down", "enter")  # dir00 opens in place: within the limit, nothing more to say
        for _ in range(2000):  # a hang guard: each turn waits for the screen
            node = picker.query_one(FileTree).root.children[0]
            if [str(c.label) for c in node.children] == ["inside.csv"]:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert str(picker.query_one("#picker-where").render()).splitlines()[1:] == [
            "The first 10 of 19 folders and data files here are listed: type any other name in the path field."]
        picker.action_up()
        labels = await listed(pilot, picker, "crowded")
        assert str(picker.query_one("#picker-where").render()) == f"Folder: {crowded.parent}"


async def test_a_folder_within_the_limit_lists_all_and_says_nothing_more(make_app, crowded):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        picker = FilePicker(crowded, folders=True, limit=19)
        await app.push_screen(picker)
        labels = await listed(pilot, picker, "file3.jsonl")
        assert labels == [f"dir{n:02}" for n in range(15)] + [f"file{n}.jsonl" for n in range(4)]
        assert str(picker.query_one("#picker-where").render()) == f"Folder: {crowded}"
