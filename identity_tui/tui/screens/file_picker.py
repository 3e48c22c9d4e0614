"""Pick a file (or, for an export, a folder) with the keyboard: Textual's DirectoryTree in a dialog.

The folder shown is named in full at the top. enter opens a folder or picks a file, backspace goes up to
the parent folder, ``u`` uses the folder under the cursor (or the one shown) when a folder will do, esc
cancels. Names are shown literally: a file name is never read as markup, and control characters in it are
shown as ``\\xNN``, never sent to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DirectoryTree, Static

from identity_tui.core.display import printable
from identity_tui.tui.screens.dialog import Dialog

ENDINGS = (".jsonl", ".json", ".csv")


class FileTree(DirectoryTree):
    """A directory tree whose labels are the names as they are, and that lists folders and data files."""

    # Plain glyphs: emoji icons take one or two cells depending on the terminal and its font.
    ICON_NODE = "▸ "
    ICON_NODE_EXPANDED = "▾ "
    ICON_FILE = "  "

    def __init__(self, path: Path, *, endings: tuple[str, ...] = ENDINGS, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.endings = endings

    def process_label(self, label: str | Text) -> Text:
        plain = label.plain if isinstance(label, Text) else label
        return Text(printable(plain), no_wrap=True, end="")

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for path in paths:
            try:
                if path.is_dir() or path.suffix.lower() in self.endings:
                    out.append(path)
            except OSError:
                continue  # unreadable: left out, as the folder listing itself would be
        return sorted(out, key=lambda p: (not _is_dir(p), p.name.casefold()))


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

    def __init__(self, start: Path, *, heading: str = "Pick a file", folders: bool = False) -> None:
        keys = "enter open or pick · backspace parent folder · " + ("u use this folder · " if folders else "")
        super().__init__(heading, hint=keys + "esc cancel")
        self.folder = _start_folder(start)
        self.folders = folders

    def compose_body(self) -> ComposeResult:
        yield Static(self._where(), id="picker-where")
        yield FileTree(self.folder, id="picker-tree")

    def on_mount(self) -> None:
        self.query_one(FileTree).focus()

    def _where(self) -> Text:
        return Text(f"Folder: {printable(str(self.folder))}")

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


def _start_folder(start: Path) -> Path:
    """The folder to open at: ``start`` if it is one, else the nearest folder above it that exists."""
    path = start.expanduser().absolute()
    while not _is_dir(path) and path.parent != path:
        path = path.parent
    return path
