"""The export dialog: the list's current selection (its server-side filters) to a file, with progress.

The file's ending picks the format (.jsonl, .json, .csv). The file is written beside itself and renamed
only once complete (``core.export``): esc during the export stops it and removes the partial file.
"""

from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from identity_tui.core import bulk, export
from identity_tui.core.bulk_files import format_of
from identity_tui.core.display import one_line, printable
from identity_tui.core.errors import LettaError
from identity_tui.core.fields import FIELDS
from identity_tui.core.where import KEY_MATCHES, key_matcher, matcher
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.dialog import Dialog

ASK, RUNNING, STOPPING, DONE = "ask", "running", "stopping", "done"
STEP = 50  # a progress message every this many identities


def describe(filters: dict[str, Any], where: tuple[str, ...] = (), key_match: tuple[str, str] | None = None) -> str:
    """The selection in words: ``every identity`` or the filters, and the order."""
    parts = [f"properties {one_line('; '.join(where), 40)}"] if where else []
    if key_match is not None:
        parts.append(f"a key that {KEY_MATCHES[key_match[0]]} {one_line(key_match[1], 30)} (any case)")
    for name, label in (("name", "name contains"), ("identifier_key", "key"), ("identity_type", "type"),
                        ("project_id", "project")):
        value = filters.get(name)
        if value:
            parts.append(f"{label} {one_line(str(value), 30)}")
    which = "Every identity" if not parts else "The identities with " + ", ".join(parts)
    order = "newest first" if filters.get("order", "desc") == "desc" else "oldest first"
    return f"{which}, {order}."


def plural(n: int) -> str:
    return f"{n:,} {'identity' if n == 1 else 'identities'}"


class ExportScreen(ReportsWorkerErrors, Dialog[str | None]):
    """Asks the path, exports in a worker with progress; answers the final sentence, or None."""

    BOX_ID = "export-box"

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="export.cancel"),
        Binding("ctrl+o", "browse", "Browse", id="export.browse"),
    ]

    @dataclass
    class Total(Message):
        total: int | None

    @dataclass
    class Progress(Message):
        count: int

    @dataclass
    class Done(Message):
        count: int | None
        problem: str = ""

    def __init__(self, filters: dict[str, Any], *, where: tuple[str, ...] = (),
                 key_match: tuple[str, str] | None = None, path: str | None = None, page: int = bulk.PAGE,
                 ids: tuple[str, ...] | None = None) -> None:
        super().__init__("Export identities" if ids is None else f"Export {plural(len(ids))} marked",
                         hint="enter export · ctrl+o browse · esc cancel")
        self.ids = ids  # the marked identities, exported instead of what the filters select
        self.filters = filters
        self.where = where
        self.key_match = key_match
        self.default = path or export.default_name()
        self.page = page
        self.state = ASK
        self.path = ""
        self.total: int | None = None
        self.result: str | None = None
        self._replace_ok = ""

    def compose_body(self) -> ComposeResult:
        about = (describe(self.filters, self.where, self.key_match) if self.ids is None else
                 f"The {plural(len(self.ids))} marked on the list, each read as the server holds it now.")
        yield Static(Text(about + " The ending picks the format: .jsonl, .json or .csv."),
                     id="export-about")
        yield Input(self.default, id="export-path", compact=True, select_on_focus=False)
        yield Static(self._where(self.default), id="export-where")
        yield ProgressBar(id="export-progress", show_eta=False)
        yield Static("", id="export-status")

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self.query_one("#export-path", Input).focus()

    @staticmethod
    def _target(typed: str) -> Path:
        """The file a typed name means: relative to the folder the app was started in."""
        return Path(os.path.expanduser(typed.strip())).absolute()

    def _where(self, typed: str) -> Text:
        return Text(f"Writes {printable(str(self._target(typed)))}" if typed.strip() else "")

    @on(Input.Changed, "#export-path")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#export-where", Static).update(self._where(event.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "browse":
            return self.state == ASK
        return True

    def action_browse(self) -> None:
        """Pick the folder (or a file to replace) with the file picker; the name typed is kept for a folder."""
        from identity_tui.tui.screens.file_picker import FilePicker

        box = self.query_one("#export-path", Input)
        typed = box.value.strip() or self.default
        target = self._target(typed)

        def picked(path: Path | None) -> None:
            if path is None:
                return
            box.value = str(path / target.name) if path.is_dir() else str(path)
            box.cursor_position = len(box.value)
            box.focus()

        self.app.push_screen(FilePicker(target.parent, heading="Export to which folder or file?", folders=True),
                             picked)

    def _say(self, text: str) -> None:
        self.query_one("#export-status", Static).update(Text(text))

    @on(Input.Submitted, "#export-path")
    def _submitted(self) -> None:
        if self.state == DONE:
            self.dismiss(self.result)
            return
        if self.state != ASK:
            return
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self._say("Give a file name.")
            return
        path = Path(os.path.expanduser(typed))
        if not path.parent.is_dir():
            self._say(f"There is no folder {printable(str(path.parent))}: nothing was written.")
            return
        if path.is_dir():
            self._say(f"{printable(str(path))} is a folder: give a file name.")
            return
        if path.exists() and not path.is_file():  # a FIFO would hold the interface until a reader came
            self._say(f"{printable(str(path))} is not a regular file (a device or a pipe): give a file name.")
            return
        if path.exists() and self._replace_ok != str(path):
            self._replace_ok = str(path)
            self._say(f"{printable(str(path))} exists: enter again replaces it (only once the export is complete).")
            return
        self.path = str(path)
        self.state = RUNNING
        self.query_one("#export-path", Input).disabled = True
        self.query_one("#export-progress").display = True
        self._say("Exporting…")
        self.show_hint("esc stops the export (the partial file is removed)")
        self.run_export(self.path, format_of(self.path))

    @work(exclusive=True, group="export", exit_on_error=False)
    async def run_export(self, path: str, fmt: str) -> None:
        """Read the total (for the progress), then every page into the file."""
        client = self.app.client
        total: int | None
        if self.ids is not None:
            total = len(self.ids)
        else:
            try:
                total = await client.count()
            except LettaError:
                total = None
        self.post_message(self.Total(total))

        def step(n: int) -> None:
            if n % STEP == 0 or self.ids is not None:
                self.post_message(self.Progress(n))

        tests = [matcher(list(self.where))] if self.where and self.ids is None else []
        if self.key_match is not None and self.ids is None:
            tests.append(key_matcher(*self.key_match))
        keep = (lambda identity: all(test(identity) for test in tests)) if tests else None
        count: int | None = None
        problem = ""
        try:
            count = await export.export_file(client, path, fmt, self.filters, step, page=self.page, keep=keep,
                                             ids=self.ids)
        except LettaError as exc:
            problem = f"Not exported: {exc.message} The partial file was removed."
        except OSError as exc:
            problem = f"Cannot write {printable(path)}: {exc.strerror or exc}."
        except export.Unwritable as exc:  # CSV cannot hold an identity as the server sent it
            problem = f"Not exported: {exc} The partial file was removed."
        self.post_message(self.Done(count, problem))

    @on(Total)
    def _total(self, message: Total) -> None:
        self.total = message.total
        self.query_one("#export-progress", ProgressBar).update(total=message.total)

    def _of(self) -> str:
        if self.total is None:
            return ""
        if self.ids is not None:
            return f" of {self.total:,}"
        at_most = any(self.filters.get(k) for k in FIELDS)
        return f" {'read' if self.where or self.key_match else ''} of {'at most ' if at_most else ''}{self.total:,}".replace("  ", " ")

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        if self.state != RUNNING:
            return
        self.query_one("#export-progress", ProgressBar).update(progress=message.count)
        self._say(f"Exporting… {message.count:,}{self._of()}")

    @on(Done)
    def _done(self, message: Done) -> None:
        if self.state != RUNNING:
            return
        self.state = DONE
        bar = self.query_one("#export-progress", ProgressBar)
        if message.count is None:
            bar.display = False
            self._say(message.problem)
        else:
            bar.update(total=max(message.count, 1), progress=max(message.count, 1))
            self.result = f"Exported {plural(message.count)} to {printable(self.path)}"
            self._say(self.result + ".")
        self.show_hint("enter or esc close")
        self.query_one("#export-path", Input).disabled = False
        self.query_one("#export-path", Input).focus()

    def action_close(self) -> None:
        """esc: stop a running export (the partial file is removed), else close with what was done."""
        if self.state == RUNNING:
            self.state = STOPPING
            self._say("Stopping…")
            self.workers.cancel_group(self, "export")
            return
        if self.state != STOPPING:
            self.dismiss(self.result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The failure itself goes to the app through ReportsWorkerErrors' own handler: Textual calls each class's.
        if event.worker.group == "export" and event.state is WorkerState.CANCELLED and self.state == STOPPING:
            self.state = DONE
            self.query_one("#export-progress").display = False
            self._say(f"Stopped: nothing was exported; the partial file was removed ({printable(self.path)} "
                      "was not written).")
            self.show_hint("esc close")

