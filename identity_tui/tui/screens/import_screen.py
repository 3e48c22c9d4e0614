"""The import screen: a file of identities read and planned in a worker, shown row by row, applied only
after a yes/no confirmation, with a progress bar and a report of the rows that failed (c copies it).

Nothing is written before the confirmation: planning only reads. esc before applying leaves with
nothing sent; read-only connections can see the plan but not apply it. Applying the same file again
plans every row as unchanged, so there is nothing to do.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from identity_tui.core import bulk
from identity_tui.core.bulk_files import Row, BadRow, format_of, read_rows
from identity_tui.core.display import one_line, printable
from identity_tui.core.diff import diff
from identity_tui.core.errors import LettaError
from identity_tui.core.fields import SCALARS
from identity_tui.core.kinds import IdentityType
from identity_tui.tui.messages import IdentityWritten
from identity_tui.tui.screens.base import AppScreen, ReportsWorkerErrors
from identity_tui.tui.screens.save_flow import ask
from identity_tui.tui.widgets.key_bar import KeyBar
from identity_tui.tui.widgets.buttons import KeyButton

IDLE, PLANNING, PLANNED, APPLYING, APPLIED = "idle", "planning", "planned", "applying", "applied"


def row_changes(row: bulk.RowPlan) -> str:
    """What importing one row changes, in a line: the fields and properties an update sends, a create's
    identity, or an invalid row's problem."""
    if row.kind == bulk.INVALID:
        return row.problem
    if row.kind == bulk.UNCHANGED:
        return "nothing: the server holds it already"
    draft = row.draft
    assert draft is not None
    if row.kind == bulk.CREATE or row.existing is None:
        n = len(draft.properties)
        kind = draft.identity_type.value if isinstance(draft.identity_type, IdentityType) else draft.identity_type
        return f"new {kind} {draft.name!r}, {n} propert{'y' if n == 1 else 'ies'}"
    found = diff(row.existing, draft)  # 1 and 1.0, or true and 1, are not the same value
    parts = [name for name in found.fields if name in SCALARS]
    sign = {**dict.fromkeys(found.added, "+"), **dict.fromkeys(found.removed, "-")}
    parts += [sign.get(key, "~") + key for key in found.keys]
    methods = ", ".join(dict.fromkeys(q.method for q in row.plan.requests)) if row.plan else ""
    return f"{methods}: {' '.join(parts)}" if methods else " ".join(parts)


def counts_line(plan: bulk.ImportPlan) -> str:
    return " · ".join(f"{plan.count(k)} {k}" for k in bulk.KINDS)


def report(results: list[bulk.RowResult]) -> str:
    """The apply's summary, then a line per row that failed (what c copies)."""
    bad = [r for r in results if not r.ok]
    done = {s: sum(1 for r in results if r.ok and r.status == s) for s in ("created", "updated", "exists")}
    lines = [f"Applied: {done['created']} created, {done['updated']} updated, {done['exists']} existed already, "
             f"{len(bad)} failed."]
    lines.extend(f"line {r.row.line} ({one_line(r.row.key, 60)}): {r.status}: {one_line(r.message, 200)}" for r in bad)
    return "\n".join(lines)


def _read(path: str) -> list[Row | BadRow]:
    with open(path, "rb") as stream:
        return list(read_rows(stream, format_of(path)))


class ImportScreen(ReportsWorkerErrors, AppScreen[None]):
    """Path → plan (a table) → confirmation → apply (progress) → report."""

    CSS_PATH = "../bulk.tcss"

    BINDINGS = [
        Binding("escape", "leave", "Back", id="import.back"),
        Binding("ctrl+s", "apply", "Apply", id="import.apply"),  # enter on the table too
        Binding("c", "copy_report", "Copy report", id="import.copy"),
        Binding("ctrl+o", "browse", "Browse", id="import.browse"),
    ]

    @dataclass
    class Planned(Message):
        plan: bulk.ImportPlan | None
        problem: str = ""

    @dataclass
    class Read(Message):
        rows: int

    @dataclass
    class RowDone(Message):
        result: bulk.RowResult

    @dataclass
    class Applied(Message):
        results: list[bulk.RowResult] | None
        problem: str = ""

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.state = IDLE
        self.plan: bulk.ImportPlan | None = None
        self.report_text = ""
        self.applied = 0

    def compose(self) -> ComposeResult:
        yield Static(Text("Import identities", style="bold"), classes="bulk-title")
        with Horizontal(id="import-ask", classes="bulk-line"):
            yield Static(Text("File:"), id="import-label")
            yield Input(self.path, placeholder="identities.jsonl (.jsonl, .json or .csv)", id="import-path",
                        compact=True, select_on_focus=False)
        yield Static(Text("enter reads the file and shows what importing it would change; nothing is sent yet."),
                     id="import-counts", classes="bulk-line")
        table: DataTable = DataTable(cursor_type="row", id="import-table", zebra_stripes=True)
        table.add_columns("Kind", "Line", "Identifier key", "What changes")
        yield table
        yield ProgressBar(id="import-progress", show_eta=False)
        yield Static("", id="import-report")
        yield KeyButton("Apply", id="import-apply", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-apply").display = False
        self.query_one("#import-path", Input).focus()

    # -- helpers ----------------------------------------------------------------------------------

    def _counts(self, text: str) -> None:
        self.query_one("#import-counts", Static).update(Text(text))

    def _report(self, text: str) -> None:
        self.query_one("#import-report", Static).update(Text(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.state in (PLANNED, APPLIED) and not self.app.readonly
        if action == "copy_report":
            return bool(self.report_text)
        if action == "browse":
            return self.state not in (PLANNING, APPLYING)
        return True

    def action_browse(self) -> None:
        """Pick the file with the file picker; enter then reads it."""
        from identity_tui.tui.screens.file_picker import FilePicker

        box = self.query_one("#import-path", Input)
        typed = box.value.strip()
        start = Path(os.path.expanduser(typed)).absolute().parent if typed else Path.cwd()

        def picked(path: Path | None) -> None:
            if path is None:
                return
            box.value = str(path)
            box.cursor_position = len(box.value)
            box.focus()
            self._counts("enter reads the file and shows what importing it would change; nothing is sent yet.")

        self.app.push_screen(FilePicker(start, heading="Import which file?"), picked)

    # -- planning -----------------------------------------------------------------------------------

    @on(Input.Submitted, "#import-path")
    def _submitted(self) -> None:
        if self.state in (PLANNING, APPLYING):
            return
        if self.state == PLANNED and self.query_one("#import-path", Input).value.strip() == self.path:
            self.action_apply()
            return
        typed = self.query_one("#import-path", Input).value.strip()
        if not typed:
            self._counts("Give the file to import.")
            return
        self.start_plan(os.path.expanduser(typed))

    def start_plan(self, path: str) -> None:
        self.path = path
        self.state = PLANNING
        self.plan = None
        self.report_text = ""
        self._report("")
        self.query_one("#import-apply").display = False
        self.query_one("#import-table", DataTable).clear()
        self._counts(f"Reading {printable(path)} and looking its rows up on the server…")
        self.refresh_bindings()
        self.plan_file(path)

    @work(exclusive=True, group="import-plan", exit_on_error=False)
    async def plan_file(self, path: str) -> None:
        """Read the file and plan every row (reads only); one Planned says how it went."""
        plan, problem = await self._read_and_plan(path)
        self.post_message(self.Planned(plan, problem))

    async def _read_and_plan(self, path: str) -> tuple[bulk.ImportPlan | None, str]:
        """The plan, or None and why not; the file is read in a thread (it is disk work)."""
        if not Path(path).is_file():
            return None, f"There is no file {printable(path)}."
        try:
            rows = await asyncio.to_thread(_read, path)
        except OSError as exc:
            return None, f"Cannot read {printable(path)}: {exc.strerror or exc}."
        self.post_message(self.Read(len(rows)))
        try:
            return await bulk.plan_import(self.app.client, rows, project=self.app.conn.project_id), ""
        except LettaError as exc:
            return None, f"Not planned: {exc.message}"

    @on(Read)
    def _read(self, message: Read) -> None:
        if self.state == PLANNING:
            n = message.rows
            self._counts(f"Read {n:,} row{'s' if n != 1 else ''} from {printable(self.path)}; looking them up on "
                         "the server… (esc stops; nothing is sent)")

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        if self.state != PLANNING:
            return
        if message.plan is None:
            self.state = IDLE
            self._counts(message.problem)
            self.refresh_bindings()
            return
        self.plan = plan = message.plan
        self.state = PLANNED
        table = self.query_one("#import-table", DataTable)
        for row in plan.rows:
            table.add_row(Text(row.kind), Text(str(row.line)), Text(one_line(row.key, 30)),
                          Text(one_line(row_changes(row), 200)))
        n = len(plan.writes)
        if not n:
            tail = "nothing to apply."
        elif self.app.readonly:
            tail = "read-only: this plan cannot be applied."
        else:
            tail = f"enter applies {n} change{'s' if n != 1 else ''}, after asking."
        self._counts(f"Plan: {counts_line(plan)}. {tail}")
        button = self.query_one("#import-apply", Button)
        button.label = f"Apply {n} change{'s' if n != 1 else ''}"
        button.display = bool(n) and not self.app.readonly
        self.refresh_bindings()
        table.focus()

    # -- applying -----------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#import-table")
    @on(Button.Pressed, "#import-apply")
    def action_apply(self) -> None:
        if self.state == APPLIED:
            self.start_plan(self.path)  # the server changed: plan again before anything else
            return
        if self.state != PLANNED or self.plan is None:
            return
        if self.app.readonly:
            self._report("Read-only: the plan can be seen, but nothing can be applied.")
            return
        n = len(self.plan.writes)
        if not n:
            self._report("Nothing to do: every row is unchanged or invalid; nothing was sent.")
            return
        self.apply_plan(self.plan, n)

    @work(exclusive=True, group="import-apply", exit_on_error=False)
    async def apply_plan(self, plan: bulk.ImportPlan, n: int) -> None:
        """Asked once, then every create and update, four at a time, each through the save transaction; a
        failed row is reported, never raised."""
        from identity_tui.tui.screens.confirm import ConfirmScreen

        text = (f"Send {n} change{'s' if n != 1 else ''} ({plan.count(bulk.CREATE)} to create, "
                f"{plan.count(bulk.UPDATE)} to update) to {printable(self.app.conn.label)}? Each row is saved as "
                "the form saves: read again, merged, only what changed sent. Invalid and unchanged rows are left.")
        yes = await ask(self.app, ConfirmScreen("Apply the import?", text, yes=f"Apply {n}", no="Cancel"))
        if not (yes and self.state == PLANNED and self.plan is plan):
            return
        self.state = APPLYING
        self.applied = 0
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=n, progress=0)
        bar.display = True
        self.query_one("#import-apply").display = False
        self._report(f"Applying {n} changes… (esc stops; what was sent stays sent)")
        self.refresh_bindings()
        try:
            results = await bulk.apply_import(self.app.client, plan, concurrency=4, done=self._post_row_done)
        except LettaError as exc:  # pragma: no cover - apply_import reports per row
            self.post_message(self.Applied(None, exc.message))
            return
        self.post_message(self.Applied(results))

    def _post_row_done(self, result: bulk.RowResult) -> None:
        self.post_message(self.RowDone(result))

    @on(RowDone)
    def _row_done(self, message: RowDone) -> None:
        if self.state == APPLYING:
            self.applied += 1
            self.query_one("#import-progress", ProgressBar).update(progress=self.applied)

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        if self.state != APPLYING:
            return
        self._finish(report(message.results) if message.results is not None else f"Stopped: {message.problem}")

    def _finish(self, text: str) -> None:
        self.state = APPLIED
        self.report_text = text
        lines = text.split("\n")
        shown = "\n".join(lines[:5]) + (f"\n… {len(lines) - 5} more (c copies the whole report)" if len(lines) > 5 else "")
        self._report(shown + ("\nc copies this report · enter plans the file again" if len(lines) > 1 else ""))
        self.refresh_bindings()
        self.app.post_message(IdentityWritten())  # the lists show what landed

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The failure itself goes to the app through ReportsWorkerErrors' own handler: Textual calls each class's.
        if event.worker.group == "import-apply" and event.state is WorkerState.CANCELLED and self.state == APPLYING:
            self._finish(f"Stopped after {self.applied} of {len(self.plan.writes) if self.plan else 0} rows: the "
                         "others were not sent. Importing the file again finishes it (nothing is created twice).")

    # -- leaving and the report ------------------------------------------------------------------------

    def action_copy_report(self) -> None:
        if self.report_text:
            self.app.copy_to_clipboard(self.report_text)
            self.notify("Copied the import report.", timeout=3, markup=False)

    def action_leave(self) -> None:
        """esc: stop waiting for the plan or the apply, else back to the list (nothing is sent here)."""
        if self.state == PLANNING:
            self.workers.cancel_group(self, "import-plan")
            self.state = IDLE
            self._counts("Stopped reading: nothing was sent.")
            self.refresh_bindings()
            return
        if self.state == APPLYING:
            self.workers.cancel_group(self, "import-apply")
            return
        self.dismiss()
