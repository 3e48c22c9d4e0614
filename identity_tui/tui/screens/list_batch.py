"""The list's batch actions on the marked identities: ``d`` deletes them, ``p`` sets or removes one property,
``x`` exports them. Each writing action shows its plan per identity first (``screens.batch``).

The plan is made from the rows as the list read them (no request); each write then reads its identity
again, so what others changed meanwhile is merged, never overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from identity_tui.core import batch_plan as plan_ops
from identity_tui.core.errors import LettaError
from identity_tui.core.models import Identity
from identity_tui.tui.messages import ExportIdentities, IdentityWritten
from identity_tui.tui.screens.batch import DELETE, SET, BatchDone, BatchScreen, summary
from identity_tui.tui.screens.batch_form import BatchPropertyScreen, PropertyChange

if TYPE_CHECKING:
    from identity_tui.tui.screens.list_marks import Marks
    from identity_tui.tui.screens.list_base import ListBase

# Results after which an identity is unmarked: the batch is done with it. The others stay marked, to try again.
DONE_WITH = (plan_ops.LANDED, plan_ops.UNCHANGED, plan_ops.GONE)


class BatchActions:
    """What ``d``, ``p`` and ``x`` do while identities are marked."""

    def __init__(self, screen: ListBase, marks: Marks) -> None:
        self.screen = screen
        self.marks = marks

    def _found(self) -> list[tuple[dict, Identity | None]]:
        """Each marked row as the server sent it, and as a validated identity (None when it is not one)."""
        host = self.screen.app.client.host
        out: list[tuple[dict, Identity | None]] = []
        for row in self.marks.rows.values():
            try:
                out.append((row.wire, row.identity(host)))
            except LettaError:
                out.append((row.wire, None))
        return out

    def _writes_allowed(self) -> bool:
        if self.screen.app.readonly:
            self.screen.notify("Read-only: batch changes are turned off.", severity="warning")
            return False
        return True

    def delete(self) -> None:
        """The plan of deleting every marked identity; the count typed sends it."""
        if self._writes_allowed():
            self._run(DELETE, plan_ops.plan_delete(self._found()), "delete")

    def set_property(self) -> None:
        """The property form, then the plan of that change on every marked identity."""
        if not self._writes_allowed():
            return

        def answered(change: PropertyChange | None) -> None:
            if change is None:
                return
            make = (plan_ops.remove_property(change.key) if change.type is None
                    else plan_ops.set_property(change.key, change.type, change.value))
            self._run(SET, plan_ops.plan_set(self._found(), make), change.words())

        self.screen.app.push_screen(BatchPropertyScreen(len(self.marks)), answered)

    def export(self) -> None:
        """The export dialog for the marked identities, in the order they were marked."""
        self.screen.app.post_message(ExportIdentities({}, (), None, tuple(self.marks.ids)))

    def _run(self, kind: str, items: list[plan_ops.Item], what: str) -> None:
        def answered(done: BatchDone | None) -> None:
            if done is None or not done.batch:
                return
            self.marks.drop([i.id for i in done.items if i.result in DONE_WITH or i.plan == plan_ops.UNCHANGED])
            self.screen.notify(summary(done.batch, done.items), timeout=6, markup=False)
            self.screen.app.post_message(IdentityWritten())

        self.screen.app.push_screen(BatchScreen(kind, items, what), answered)
