"""The batch dialog: the plan per marked identity, then (after a yes, or the count typed for a delete) each
one written in a worker with progress, then what became of each.

The plan says what changes on each identity and skips those where nothing would (``core.batch_plan``).
The writes go through the save transaction (or the journaled delete), four in flight, as one journal
batch: one undo in the history puts it all back. esc while it runs stops between identities: those in
flight finish, no more start, and the report says which were not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from identity_tui.core import batch as batch_ops
from identity_tui.core import batch_plan as plan_ops
from identity_tui.core.display import one_line, printable
from identity_tui.core.words import plural
from identity_tui.tui.screens.batch_run import PLAN, REPORT, SHOWN, BatchRun, needing_a_look_first

SET, DELETE = "set", "delete"


@dataclass(frozen=True)
class BatchDone:
    """What the dialog answers once the batch ran: its id and every item with its result."""

    batch: str
    items: list[plan_ops.Item]


def plan_text(items: list[plan_ops.Item]) -> Text:
    """A line per identity that changes (or cannot), then how many are skipped as unchanged."""
    text = Text(no_wrap=True, overflow="ellipsis")
    shown = [i for i in items if i.plan != plan_ops.UNCHANGED]
    for n, item in enumerate(shown[:SHOWN]):
        if n:
            text.append("\n")
        text.append(printable(one_line(item.key, 40)), style="bold")
        text.append(f"  ({plan_ops.project_words(item.project)})  ")
        text.append(printable(one_line(item.what(), 200)), style="red" if item.plan == plan_ops.INVALID else "")
    if len(shown) > SHOWN:
        text.append(f"\n… and {len(shown) - SHOWN:,} more")
    unchanged = sum(1 for i in items if i.plan == plan_ops.UNCHANGED)
    if unchanged:
        text.append(("\n" if shown else "") + f"{plural(unchanged, 'identity', 'identities')} unchanged: skipped")
    return text


def report_text(items: list[plan_ops.Item]) -> Text:
    """A line per identity the batch tried to write, what needs a look first: failed, kept or gone with one
    sentence, then not sent, then done."""
    text = Text(no_wrap=True, overflow="ellipsis")
    tried = needing_a_look_first([i for i in items if i.writes], lambda item: item.result)
    for n, item in enumerate(tried[:SHOWN]):
        text.append(("\n" if n else "") + printable(plan_ops.report_line(item)),
                    style="" if item.result in (plan_ops.LANDED, plan_ops.UNCHANGED) else "bold")
    if len(tried) > SHOWN:
        text.append(f"\n… and {len(tried) - SHOWN:,} more (the history lists every write)")
    return text


def summary(batch: str, items: list[plan_ops.Item]) -> str:
    """``Batch 1a2b3c4d: 8 done, 1 failed, 1 kept (changed meanwhile).``"""
    c = plan_ops.counts(items)
    parts = [f"{c[plan_ops.LANDED]:,} done"]
    for key, words in ((plan_ops.FAILED, "failed"), (plan_ops.CONFLICTED, "kept (changed meanwhile)"),
                       (plan_ops.UNCHANGED, "unchanged"), (plan_ops.GONE, "gone meanwhile"),
                       (plan_ops.NOT_SENT, "not sent (stopped)")):
        if c[key]:
            parts.append(f"{c[key]:,} {words}")
    return f"Batch {batch_ops.short(batch)}: {', '.join(parts)}."


class BatchScreen(BatchRun["BatchDone | None"]):
    """The plan, then the batch with its progress, then the report; answers ``BatchDone`` or None."""

    BINDINGS = [
        Binding("escape", "close", "Cancel / stop", id="batch.cancel"),
        Binding("enter", "go", "Send / close", show=False, id="batch.go"),
    ]

    @dataclass
    class Finished(Message):
        batch: str

    def __init__(self, kind: str, items: list[plan_ops.Item], what: str) -> None:
        self.kind = kind
        self.items = items
        self.writes = [i for i in items if i.writes]
        n = len(self.writes)
        title = (f"Delete {plural(n, 'marked identity', 'marked identities')}?" if kind == DELETE
                 else f"Plan: {what}")
        if not n:
            hint = "Nothing would change: nothing to send. esc closes"
        elif kind == DELETE:
            hint = f"type {n} and enter deletes them · esc cancel"
        else:
            hint = f"enter sends {plural(n, 'save', 'saves')} (4 at a time, one batch) · esc cancel"
        super().__init__(title, hint=hint, total=n)
        self.batch_id: str | None = None

    def compose_body(self) -> ComposeResult:
        headline = plan_ops.headline(self.kind, self.items)
        yield Static(Text(headline + "."), id="batch-headline")
        with VerticalScroll(id="batch-lines"):
            yield Static(plan_text(self.items), id="batch-lines-text")
        if self.kind == DELETE and self.writes:
            yield Static(Text(f"Type {len(self.writes)} (how many are deleted) to confirm. History can create "
                              "them again, with new ids, as one undo."), id="batch-prompt")
            yield Input(placeholder="the count", id="batch-count", compact=True, select_on_focus=False)
        yield Static("", id="batch-status")

    def on_mount(self) -> None:
        if self.kind == DELETE and self.writes:
            self.query_one("#batch-count", Input).focus()
        else:
            self.query_one("#batch-lines").focus()

    @on(Input.Submitted, "#batch-count")
    def _count_entered(self) -> None:
        self.action_go()

    def action_go(self) -> None:
        """enter: send the plan (a delete only once the count is typed); on the report, close."""
        if self.state == REPORT:
            self.dismiss(self.answer())
            return
        if self.state != PLAN or not self.writes:
            return
        if self.kind == DELETE:
            typed = self.query_one("#batch-count", Input).value.strip().replace(",", "")
            if typed != str(len(self.writes)):
                self._say(f"That is not {len(self.writes)}: nothing was deleted.")
                return
            self.query_one("#batch-count", Input).disabled = True
        self.batch_id = batch_ops.new_batch_id()
        self.start()

    def run(self) -> None:
        assert self.batch_id is not None
        self.run_batch(self.batch_id)

    @work(exclusive=True, group="batch", exit_on_error=False)
    async def run_batch(self, batch: str) -> None:
        """Every planned write, four in flight, as one journal batch; progress as each one ends."""
        client = self.app.client
        work: Any = (plan_ops.delete_one if self.kind == DELETE else plan_ops.save_one)
        await plan_ops.apply(client, self.items, lambda item: work(client, item), batch=batch,
                             stop=lambda: self.stopping,
                             done=lambda item: self.ended(sent=item.result != plan_ops.NOT_SENT))
        self.post_message(self.Finished(batch))

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.reported()
        self.show_heading(summary(message.batch, self.items))
        self.query_one("#batch-lines-text", Static).update(report_text(self.items))
        problems = sum(1 for i in self.writes if i.result not in (plan_ops.LANDED, plan_ops.UNCHANGED))
        self._say(("The others are still marked; " if problems else "")
                  + "one undo in the history (h, then u) puts the whole batch back.")
        self.query_one("#batch-lines").focus()

    def answer(self) -> BatchDone:
        return BatchDone(self.batch_id or "", self.items)
