"""Undoing a whole batch from the history: the plan per write, then the undos in a worker, then the report.

``core.batch`` plans it from a fresh read of each identity: a write to put back, one the server already
holds as before, one changed since in a way that overlaps the undo (kept as it is, never overwritten), or
one that cannot be undone. enter sends the undos, four in flight, journaled as a batch of their own; esc
while they run stops between identities.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from identity_tui.core import batch as batch_ops
from identity_tui.core.display import one_line, printable
from identity_tui.core.history import record_key, undo_means
from identity_tui.core.words import plural
from identity_tui.tui.screens.batch_run import PLAN, REPORT, SHOWN, BatchRun, needing_a_look_first

PLAN_WORDS = {batch_ops.NOTHING: "already as before", batch_ops.CONFLICT: "kept (changed since)",
              batch_ops.CANNOT: "cannot be undone"}
RESULT_WORDS = {batch_ops.UNDONE: "undone", batch_ops.CONFLICTED: "kept (changed since)",
                batch_ops.FAILED: "failed", batch_ops.NOT_SENT: "not sent (stopped)"}


def counts_line(plan: batch_ops.BatchUndoPlan) -> str:
    n = len(plan.items)
    return (f"{plural(n, 'write', 'writes')} of batch {batch_ops.short(plan.batch)} landed: "
            f"{plan.count(batch_ops.UNDO):,} to put back, {plan.count(batch_ops.NOTHING):,} already as before, "
            f"{plan.count(batch_ops.CONFLICT):,} changed since (kept), {plan.count(batch_ops.CANNOT):,} cannot be.")


def plan_text(plan: batch_ops.BatchUndoPlan) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for n, item in enumerate(plan.items[:SHOWN]):
        rec = item.record
        what = f"would {undo_means(rec)}" if item.kind == batch_ops.UNDO else PLAN_WORDS[item.kind]
        if item.problem:
            what += f": {item.problem}"
        text.append(("\n" if n else "") + printable(one_line(record_key(rec), 40)), style="bold")
        text.append("  " + printable(one_line(what, 200)))
    if len(plan.items) > SHOWN:
        text.append(f"\n… and {len(plan.items) - SHOWN:,} more")
    return text


def report_text(plan: batch_ops.BatchUndoPlan, results: list[batch_ops.UndoResult]) -> Text:
    """A line per write sent or left alone because it was changed since: what needs a look first (failed or
    kept, with why), then not sent, then undone."""
    text = Text(no_wrap=True, overflow="ellipsis")
    kept = [batch_ops.UndoResult(i, batch_ops.CONFLICTED, i.problem) for i in plan.items if i.kind == batch_ops.CONFLICT]
    results = needing_a_look_first([*results, *kept], lambda result: result.status)
    for n, result in enumerate(results[:SHOWN]):
        words = RESULT_WORDS.get(result.status, result.status)
        message = result.message if result.status != batch_ops.NOT_SENT else ""  # the words say it already
        said = " ".join(m for m in (message, result.journal_problem) if m)
        tail = f": {one_line(said, 200)}" if said else ""
        text.append(("\n" if n else "") + printable(f"{one_line(record_key(result.item.record), 40)}  {words}{tail}"),
                    style="" if result.status == batch_ops.UNDONE else "bold")
    if len(results) > SHOWN:
        text.append(f"\n… and {len(results) - SHOWN:,} more")
    return text


def summary(plan: batch_ops.BatchUndoPlan, results: list[batch_ops.UndoResult]) -> str:
    count = {s: sum(1 for r in results if r.status == s) for s in RESULT_WORDS}
    kept = count[batch_ops.CONFLICTED] + plan.count(batch_ops.CONFLICT)
    parts = [f"{count[batch_ops.UNDONE]:,} undone"]
    if kept:
        parts.append(f"{kept:,} kept (changed since)")
    if count[batch_ops.FAILED]:
        parts.append(f"{count[batch_ops.FAILED]:,} failed")
    if count[batch_ops.NOT_SENT]:
        parts.append(f"{count[batch_ops.NOT_SENT]:,} not sent (stopped)")
    return f"Undid batch {batch_ops.short(plan.batch)}: {', '.join(parts)}."


class BatchUndoScreen(BatchRun["str | None"]):
    """The undo plan of a batch; enter sends it; answers the summary once sent, or None."""

    VERB = "Undoing"

    BINDINGS = [
        Binding("escape", "close", "Cancel / stop", id="batch_undo.cancel"),
        Binding("enter", "go", "Undo / close", show=False, id="batch_undo.go"),
    ]

    @dataclass
    class Finished(Message):
        results: list[batch_ops.UndoResult]

    def __init__(self, plan: batch_ops.BatchUndoPlan) -> None:
        self.plan = plan
        self.todo = plan.count(batch_ops.UNDO)
        hint = (f"enter undoes {plural(self.todo, 'write', 'writes')} as one · esc cancel" if self.todo
                else "Nothing to put back. esc closes")
        super().__init__(f"Undo batch {batch_ops.short(plan.batch)}?", hint=hint, total=self.todo)
        self.result: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Text(counts_line(self.plan)), id="batch-headline")
        with VerticalScroll(id="batch-lines"):
            yield Static(plan_text(self.plan), id="batch-lines-text")
        yield Static("", id="batch-status")

    def on_mount(self) -> None:
        self.query_one("#batch-lines").focus()

    def action_go(self) -> None:
        if self.state == REPORT:
            self.dismiss(self.answer())
            return
        if self.state != PLAN or not self.todo:
            return
        self.start()

    def run(self) -> None:
        self.run_undo()

    @work(exclusive=True, group="batch-undo", exit_on_error=False)
    async def run_undo(self) -> None:
        _batch, results = await batch_ops.apply_batch_undo(
            self.app.client, self.plan, stop=lambda: self.stopping,
            done=lambda result: self.ended(sent=result.status != batch_ops.NOT_SENT))
        self.post_message(self.Finished(results))

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.reported()
        self.result = summary(self.plan, message.results)
        self.show_heading(self.result)
        self.query_one("#batch-lines-text", Static).update(report_text(self.plan, message.results))
        self._say("")

    def answer(self) -> str | None:
        return self.result
