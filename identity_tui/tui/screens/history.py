"""The history screen: this server's write journal, newest first, the highlighted record's diff, and undo.

``u`` on a record of a batch undoes the whole batch as one (``screens.batch_undo``: its plan per write first;
a write changed since by someone else is kept as it is). Otherwise ``u`` undoes the highlighted record as
``core.undo`` plans it: a PATCH or PUT back to the before-image
(previewed first, like a save), a create by deleting it (the typed-key confirmation of the list's
delete), a delete by creating it again, a link by unlinking. Overlapping changes made since go through
the conflict dialog; esc there sends nothing. Read-only connections see the history without ``u``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from identity_tui.core import batch as batch_ops
from identity_tui.core import deletion
from identity_tui.core import journal_check
from identity_tui.core import transaction as tx
from identity_tui.core import undo as undo_ops
from identity_tui.core.display import one_line, printable
from identity_tui.core.errors import LettaError
from identity_tui.core.history import diff, outcome_words, record_key, undo_means
from identity_tui.core.journal import Record
from identity_tui.core.models import Identity
from identity_tui.tui.messages import IdentityWritten
from identity_tui.tui.screens.base import AppScreen, ReportsWorkerErrors
from identity_tui.tui.screens.confirm import DeleteScreen
from identity_tui.tui.screens.save_flow import Decided, ask, confirm_plan, decide
from identity_tui.tui.widgets.key_bar import KeyBar


@dataclass
class Loaded:
    records: list[Record] = field(default_factory=list)  # newest first
    warnings: list[str] = field(default_factory=list)


def read_journal(journal, identity_id: str | None) -> Loaded:
    """The journal's records (of one identity, if given), newest first, and its damaged lines."""
    out = Loaded()
    if journal is None:
        return out
    journal.warnings.clear()
    for rec in journal.records():
        if identity_id is None or rec.identity_id == identity_id:
            out.records.append(rec)
    out.records.reverse()
    out.warnings = list(journal.warnings)
    return out


def warning_line(warnings: list[str]) -> str:
    """One line for every damaged line of the journal: how many, and where the first is."""
    n = len(warnings)
    if not n:
        return ""
    found = re.search(r"line (\d+) is damaged", warnings[0])
    where = f" (the first: line {found.group(1)} of its file)" if found else ""
    return f"Warning: {n} damaged journal line{'s' if n != 1 else ''} skipped{where}."


class UndoDeleteScreen(DeleteScreen):
    """The list's typed-key delete confirmation, sending the undo of a create (journaled as that undo)."""

    def __init__(self, identity: Identity, plan: undo_ops.UndoPlan) -> None:
        super().__init__(identity)
        self.plan = plan

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def send_delete(self, identity_id: str) -> None:
        """The dialog's own delete, recorded in the journal as the undo of the create."""
        self.post_message(self.Done(await deletion.delete(self.app.client, identity_id, undoes=self.plan.record.id)))


class HistoryScreen(ReportsWorkerErrors, AppScreen[None]):
    """The journal's records; ``u`` undoes the highlighted one."""

    CSS_PATH = "../bulk.tcss"

    BINDINGS = [
        Binding("escape", "leave", "Back", id="history.back"),
        Binding("u", "undo", "Undo", id="history.undo"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="history.reload"),
    ]

    @dataclass
    class Read(Message):
        loaded: Loaded

    def __init__(self, identity_id: str | None = None, identifier_key: str | None = None) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.identifier_key = identifier_key
        self.records: list[Record] = []
        self.busy = False
        self.sending = False

    def compose(self) -> ComposeResult:
        title = "History" if self.identity_id is None else f"History of {one_line(self.identifier_key or self.identity_id, 40)}"
        yield Static(Text(title, style="bold"), classes="bulk-title")
        yield Static("", id="history-warning", classes="bulk-warning")
        table: DataTable = DataTable(cursor_type="row", id="history-table")
        # The outcome before the key: it is what a person reads a history for, and at 80 columns the last
        # column is the one cut. The history of one identity names it in its title, not on every row.
        if self.identity_id is None:
            table.add_columns("Time", "Operation", "Outcome", "Identifier key")
        else:
            table.add_columns("Time", "Operation", "Outcome")
        yield table
        with VerticalScroll(id="history-diff"):
            yield Static(Text("Reading the journal…"), id="history-diff-text")
        yield Static("", id="history-status", classes="bulk-line")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#history-warning").display = False
        self.query_one("#history-table", DataTable).focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return not self.app.readonly
        return True

    def _status(self, text: str) -> None:
        self.query_one("#history-status", Static).update(Text(text))

    # -- reading ------------------------------------------------------------------------------------

    @work(exclusive=True, group="history-read", exit_on_error=False)
    async def load(self) -> None:
        """Read the journal off the UI thread (it is a file of up to some tens of MB)."""
        journal = self.app.client.journal
        loaded = await asyncio.to_thread(read_journal, journal, self.identity_id)
        if journal is not None and any(not r.settled for r in loaded.records):
            # A write whose answer was lost: a read of the server tells what became of it.
            self.post_message(self.Read(loaded))
            loaded.records = await journal_check.settle_all(self.app.client, journal, loaded.records)
        self.post_message(self.Read(loaded))

    @on(Read)
    def _read(self, message: Read) -> None:
        self.records = message.loaded.records
        warning = self.query_one("#history-warning", Static)
        warning.update(Text(warning_line(message.loaded.warnings)))
        warning.display = bool(message.loaded.warnings)
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for rec in self.records:
            local = rec.when.astimezone().strftime("%Y-%m-%d %H:%M")  # the seconds are in the record's id below
            op = rec.operation + (" (undo)" if rec.undoes else "") + (f" [batch {batch_ops.short(rec.batch)}]"
                                                                       if rec.batch else "")
            if self.identity_id is None:
                # The outcome's first words (landed, unknown, refused…): the whole sentence is shown below.
                table.add_row(Text(local), Text(op), Text(one_line(outcome_words(rec).split(":", 1)[0], 16)),
                              Text(one_line(record_key(rec), 30)))
            else:
                table.add_row(Text(local), Text(op), Text(one_line(outcome_words(rec), 60)))
        if not self.records:
            self._show_diff(None)
        else:
            table.move_cursor(row=0)
            self._show_diff(self.records[0])

    def action_reload(self) -> None:
        self.load()

    @property
    def highlighted(self) -> Record | None:
        row = self.query_one("#history-table", DataTable).cursor_row
        return self.records[row] if 0 <= row < len(self.records) else None

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self) -> None:
        self._show_diff(self.highlighted)

    def _show_diff(self, rec: Record | None) -> None:
        body = Text()
        if rec is None:
            body.append("No writes recorded for this server" + (" and identity." if self.identity_id else "."))
        else:
            body.append(f"{rec.id}  {rec.operation} of {one_line(record_key(rec), 40)}", style="bold")
            if rec.undoes:
                body.append(f"  (undoes {rec.undoes})")
            body.append("\n" + printable(outcome_words(rec)))
            for line in diff(rec) or ["(no change recorded)"]:
                body.append("\n" + printable(line))
        self.query_one("#history-diff-text", Static).update(body)

    # -- undo -----------------------------------------------------------------------------------------

    def action_undo(self) -> None:
        rec = self.highlighted
        if rec is None or self.busy or self.app.readonly:
            return
        self.busy = True
        if rec.batch:
            self._status(f"Reading the server to undo batch {batch_ops.short(rec.batch)}…")
            self.undo_batch(rec.batch)
            return
        self._status(f"Reading the server to undo {rec.id}…")
        self.undo(rec)

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def undo_batch(self, batch: str) -> None:
        """Every landed write of ``batch`` put back as one, after its plan (read from the server) is shown."""
        from identity_tui.tui.screens.batch_undo import BatchUndoScreen

        client = self.app.client
        if client.journal is None:
            return self._stop("No journal: the batch cannot be undone.")
        try:
            plan = await batch_ops.plan_batch_undo(client, client.journal, batch)
        except LettaError as exc:
            return self._stop(f"Cannot undo batch {batch_ops.short(batch)}: {exc.message}")
        self.busy = False  # the dialog owns the undo from here (its esc stops it)
        said = await ask(self.app, BatchUndoScreen(plan))
        if said is None and not plan.count(batch_ops.UNDO):
            return self._stop(f"Nothing to undo in batch {batch_ops.short(batch)}: each write is as before already, "
                              "changed since, or cannot be put back; nothing was sent.")
        if said is None:
            return self._stop("Undo cancelled: nothing was sent.")
        self._stop(said)
        self._after_write()

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def undo(self, rec: Record) -> None:
        """The whole undo in one worker: read the server, ask (conflicts, preview or confirmation), send, say."""
        try:
            plan = await undo_ops.plan_undo(self.app.client, rec, self.app.client.journal)
        except LettaError as exc:
            return self._stop(f"Cannot undo {rec.id}: {exc.message}")
        while True:
            if plan.problem:
                return self._stop(f"Cannot undo {rec.id}: {plan.problem}")
            if plan.nothing:
                return self._stop(f"Nothing to undo: the server already holds the identity as it was before {rec.id}.")
            if plan.delete_id is not None:
                return await self._undo_create(plan)
            asked = await self._ask(plan)
            if asked is None:
                return self._stop("Undo cancelled: nothing was sent.")
            self._status(f"Undoing {rec.id}… (esc stops waiting)")
            self.sending = True
            try:
                done = await undo_ops.apply_undo(self.app.client, plan, asked.choices)
            except undo_ops.UndoConflict as exc:
                # The read right before sending saw a change overlapping the undo: the choice is the user's again.
                self.sending = False
                plan = replace(plan, prepared=exc.prepared)
                continue
            except LettaError as exc:
                return self._stop(f"Not undone: {exc.message}")
            note = f" ({done.note})" if done.note else ""
            journal = f" {done.journal_problem}" if done.journal_problem else ""
            self._stop(f"Undid {rec.id}: {done.status} {one_line(record_key(rec), 40)}{note}.{journal}")
            return self._after_write()

    async def _ask(self, plan: undo_ops.UndoPlan) -> Decided | None:
        """What the person says to sending ``plan``: the save flow's conflicts and preview, the preview of a
        re-create, or a confirmation of a link change; None when they said no."""
        rec = plan.record
        where = self.app.conn.label
        prepared = plan.prepared
        if prepared is not None and (prepared.conflicts or prepared.job is not None):
            decided = await decide(self.app, prepared, preview=True, where=where, back="back to the history",
                                   note=lambda job: f"Undo {rec.id}: {undo_means(rec)}.")
            return None if decided.declined else decided
        if plan.recreate is not None:
            job = tx.prepare_create(plan.recreate).job
            if job is not None:
                sent = await confirm_plan(self.app, job.plan, where=where, back="back to the history",
                                          note=f"Undo {rec.id}: {undo_means(rec)}.")
                return Decided(tx.Prepared(job=job), job=job, previewed=True) if sent else None
        from identity_tui.tui.screens.confirm import ConfirmScreen

        kind, target, attach = plan.link or ("", "", False)
        text = f"Undo {rec.id}: {'link' if attach else 'unlink'} {kind} {target}."
        yes = await ask(self.app, ConfirmScreen("Undo this link change?", printable(text), yes="Undo"))
        return Decided(tx.Prepared()) if yes else None

    def _stop(self, text: str) -> None:
        self.busy = self.sending = False
        self._status(text)

    async def _undo_create(self, plan: undo_ops.UndoPlan) -> None:
        """The undo of a create: the list's typed-key delete confirmation, whose own worker sends the delete."""
        rec = plan.record
        try:
            identity = Identity.model_validate(rec.after) if rec.after else None
        except ValueError:
            identity = None
        if identity is None or identity.id != plan.delete_id:
            return self._stop(f"Cannot undo {rec.id}: the record holds no copy of the identity it created.")
        if await ask(self.app, UndoDeleteScreen(identity, plan)):
            self._stop(f"Undid {rec.id}: deleted {one_line(identity.name, 40)}.")
            self._after_write()
        else:
            self._stop("Undo cancelled: nothing was deleted.")

    def _after_write(self) -> None:
        self.app.post_message(IdentityWritten())
        self.load()

    def action_leave(self) -> None:
        """esc: stop waiting for the server (nothing more is sent), else back."""
        if self.busy:
            sending = self.sending
            self.workers.cancel_group(self, "undo")
            if sending:
                self._stop("Stopped waiting: the undo may or may not have reached the server; the history says "
                           "what was recorded.")
                self.load()
            else:
                self._stop("Stopped reading the server: nothing was sent.")
            return
        self.dismiss()
