"""Pick a file (or, for an export, a folder) with the keyboard: Textual's DirectoryTree in a dialog.

The folder shown is named in full at the top. enter opens a folder or picks a file, backspace goes up to
the parent folder, ``u`` uses the folder under the cursor (or the one shown) when a folder will do, esc
cancels. Names are shown literally: a file name is never read as markup, and control characters in it are
shown as ``\\xNN``, never sent to the terminal.

A folder of tens of thousands of entries (a busy /tmp) lists its first ``LIMIT`` (folders first, by name), and
the dialog says how many it left out: the tree stays quick to open and to move in, and any other name can
still be typed in the dialog's path field.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DirectoryTree, Static

from identity_tui.core.display import printable
from identity_tui.tui.screens.dialog import Dialog

ENDINGS = (".jsonl", ".json", ".csv")
LIMIT = 1000  # entries listed per folder


class FileTree(DirectoryTree):
    """A directory tree whose labels are the names as they are, and that lists folders and data files."""

    # Plain glyphs: emoji icons take one or two cells depending on the terminal and its font.
    ICON_NODE = "▸ "
    ICON_NODE_EXPANDED = "▾ "
    ICON_FILE = "  "

    @dataclass
    class Listed(Message):
        """A folder was read: ``shown`` of its ``total`` folders and data files are in the tree."""

        folder: Path
        shown: int
        total: int

    def __init__(self, path: Path, *, endings: tuple[str, ...] = ENDINGS, limit: int = LIMIT,
                 id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.endings = endings
        self.limit = limit

    def process_label(self, label: str | Text) -> Text:
        plain = label.plain if isinstance(label, Text) else label
        return Text(printable(plain), no_wrap=True, end="")

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Folders and data files, folders first, by name; at most ``limit`` of them (runs in a thread)."""
        paths = list(paths)
        if not paths:
            return []
        folder = paths[0].parent
        kinds = _kinds(folder)  # one directory read, not a stat per entry
        out = []
        for path in paths:
            is_dir = kinds.get(path.name)
            if is_dir is None:
                is_dir = _is_dir(path)
            if is_dir or path.suffix.lower() in self.endings:
                out.append((not is_dir, path.name.casefold(), path.name, path))
        out.sort(key=lambda entry: entry[:3])
        self.post_message(self.Listed(folder, min(len(out), self.limit), len(out)))
        return [entry[3] for entry in out[: self.limit]]


def _kinds(folder: Path) -> dict[str, bool]:
    """Whether each entry of ``folder`` is a folder (a link to one counts, as ``Path.is_dir`` says)."""
    kinds: dict[str, bool] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    kinds[entry.name] = entry.is_dir()
                except OSError:
                    kinds[entry.name] = False
    except OSError:
        pass  # unreadable now: each entry is asked on its own
    return kinds


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class FilePicker(Dialog[Path | None]):
    """Answers the path picked (a file, or a folder when ``folders`` allows one), or None on esc."""

    BOX_ID = "picker-box"

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="picker.cancel"),
        Binding("backspace", "up", "Parent folder", id="picker.up"),
        Binding("u", "use_folder", "Use folder", id="picker.use_folder"),
    ]

    def __init__(self, start: Path, *, heading: str = "Pick a file", folders: bool = False,
                 limit: int = LIMIT) -> None:
        keys = "enter open or pick · backspace parent folder · " + ("u use this folder · " if folders else "")
        super().__init__(heading, hint=keys + "esc cancel")
        self.folder = _start_folder(start)
        self.folders = folders
        self.limit = limit
        self.left_out: dict[Path, tuple[int, int]] = {}  # folder -> (shown, total), for folders cut short

    def compose_body(self) -> ComposeResult:
        yield Static(self._where(), id="picker-where")
        yield FileTree(self.folder, limit=self.limit, id="picker-tree")

    @on(FileTree.Listed)
    def _listed(self, event: FileTree.Listed) -> None:
        event.stop()
        if event.total > event.shown:
            self.left_out[event.folder] = (event.shown, event.total)
        else:
            self.left_out.pop(event.folder, None)
        self.query_one("#picker-where", Static).update(self._where())

    def on_mount(self) -> None:
        self.query_one(FileTree).focus()

    def _where(self) -> Text:
        text = Text(f"Folder: {printable(str(self.folder))}")
        if self.left_out:  # the folder read last that was cut short
            folder, (shown, total) = list(self.left_out.items())[-1]
            here = "here" if folder in (self.folder, _resolved(self.folder)) else f"in {printable(folder.name)}"
            text.append(f"\nThe first {shown:,} of {total:,} folders and data files {here} are listed: type any "
                        "other name in the path field.", style="italic")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_folder":
            return self.folders
        return True

    def action_up(self) -> None:
        """Show the parent folder."""
        parent = self.folder.parent
        if parent != self.folder:
            self._show(parent)

    def _show(self, folder: Path) -> None:
        self.folder = folder
        self.left_out.clear()
        self.query_one("#picker-where", Static).update(self._where())
        self.query_one(FileTree).path = folder

    def action_use_folder(self) -> None:
        """The folder under the cursor (or, on a file, the one shown) is the answer."""
        node = self.query_one(FileTree).cursor_node
        path = node.data.path if node is not None and node.data is not None else self.folder
        self.dismiss(path if _is_dir(path) else self.folder)

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(event.path)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _start_folder(start: Path) -> Path:
    """The folder to open at: ``start`` if it is one, else the nearest folder above it that exists."""
    path = start.expanduser().absolute()
    while not _is_dir(path) and path.parent != path:
        path = path.parent
    return path
