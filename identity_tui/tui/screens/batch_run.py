"""What the batch dialog and the batch undo dialog share: a plan, then many writes in a worker with one progress
line, then a report; esc cancels the plan, stops the run between identities, or closes the report.

The progress line counts the writes that ended and, once stopping, those left unsent, never one as the
other; it is redrawn at most ten times a second (and at each end once stopping), so a run of thousands
posts tens of messages, not thousands. A report lists what needs a look first: failed, kept and gone, then
not sent, then done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Static

from identity_tui.core import batch as batch_ops
from identity_tui.core import batch_plan as plan_ops
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.dialog import AnswerType, Dialog

PLAN, RUNNING, STOPPING, REPORT = "plan", "running", "stopping", "report"
SAY_EVERY = 0.1  # seconds between redraws of the progress line
SHOWN = 1000  # plan and report lines drawn at most; the counts always cover every identity

# Where a result comes in a report: what needs a look first, what was done last.
_RANK = {plan_ops.FAILED: 0, plan_ops.CONFLICTED: 0, plan_ops.GONE: 0, batch_ops.FAILED: 0,
         batch_ops.CONFLICTED: 0, plan_ops.NOT_SENT: 1, plan_ops.SENDING: 1, None: 1}

T = TypeVar("T")


def needing_a_look_first(entries: Sequence[T], result: Callable[[T], str | None]) -> list[T]:
    """``entries`` in report order: failed, kept or gone; then not sent; then done (each in its plan order)."""
    return sorted(entries, key=lambda entry: _RANK.get(result(entry), 2))


class BatchRun(ReportsWorkerErrors, Dialog[AnswerType]):
    """A plan, then its writes with progress, then the report. Subclasses compose a ``#batch-status`` line, start
    their worker from ``run`` (calling ``ended`` as each write ends) and say what the dialog answers."""

    BOX_ID = "batch-box"
    VERB: ClassVar[str] = "Sending"
    """The progress line's first word."""

    @dataclass
    class Progress(Message):
        sent: int  # writes that ended: landed, failed or kept
        skipped: int  # writes never sent because of a stop

    def __init__(self, heading: str, *, hint: str, total: int) -> None:
        super().__init__(heading, hint=hint)
        self.total = total
        self.state = PLAN
        self.stopping = False
        self.sent = 0
        self.skipped = 0
        self._said_at = 0.0

    # -- what a subclass says ---------------------------------------------------------------------------

    def run(self) -> None:
        """Start the worker that sends the writes."""
        raise NotImplementedError

    def answer(self) -> Any:
        """What the dialog answers once the report is closed."""
        raise NotImplementedError

    # -- the run --------------------------------------------------------------------------------------------

    def _say(self, text: str, *, layout: bool = True) -> None:
        self.query_one("#batch-status", Static).update(Text(text), layout=layout)

    def start(self) -> None:
        self.state = RUNNING
        self.show_hint("esc stops between identities (those in flight finish)")
        self._say(self.progress_words(), layout=True)
        self.run()

    def ended(self, *, sent: bool) -> None:
        """One write ended (``sent``), or was left unsent by a stop; the progress line is asked for at most
        ten times a second, and at each end once stopping."""
        if sent:
            self.sent += 1
        else:
            self.skipped += 1
        now = time.monotonic()
        if now - self._said_at >= SAY_EVERY or self.stopping:
            self._said_at = now
            self.post_message(self.Progress(self.sent, self.skipped))

    def progress_words(self) -> str:
        line = f"{self.VERB}… {self.sent:,} of {self.total:,} ended"
        if self.stopping:
            return line + f", {self.skipped:,} not sent · stopping after those in flight"
        return line + " · esc stops"

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        if self.state in (RUNNING, STOPPING):
            # Redrawn in place, not a layout of the screen: the line keeps the length of the first.
            self._say(self.progress_words(), layout=False)

    def reported(self) -> None:
        self.state = REPORT
        self.show_hint("enter or esc close")

    def action_close(self) -> None:
        """esc: cancel the plan (nothing sent), stop a running batch between identities, or close the report."""
        if self.state == PLAN:
            self.dismiss(None)
        elif self.state == RUNNING:
            self.state = STOPPING
            self.stopping = True
            self._say("Stopping: the writes in flight finish, no more start…")
        elif self.state == REPORT:
            self.dismiss(self.answer())
