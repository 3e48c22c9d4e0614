"""The one save flow of the shell: from a prepared save to a job worth sending, asking the person on the way.

Every screen that writes an identity (the edit form, the history's undo) prepares its save with the core's
transaction and then comes here, from inside its own worker: overlapping changes go to the conflict dialog,
the plan to the preview, each awaited with ``push_screen_wait``, and what comes back says what to send, if
anything. Sending, and what the outcome means on the screen, stay with the caller: only it changes its own
form, baseline or list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.screen import Screen

from identity_tui.core import transaction as tx
from identity_tui.core.conflict import Conflict
from identity_tui.core.models import Identity
from identity_tui.core.planner import Plan
from identity_tui.core.transaction import SaveJob

async def ask(app: App[Any], dialog: Screen[Any]) -> Any:
    """Show ``dialog`` and wait for its answer (from a worker): None when it was closed without one."""
    return await app.push_screen_wait(dialog)


async def choose(app: App[Any], conflicts: tuple[Conflict, ...] | list[Conflict],
                 kept: tuple[str, ...] | list[str]) -> dict[str, str] | None:
    """The conflict dialog: a choice per overlapping field, or None when the person left it."""
    from identity_tui.tui.screens.conflict import ConflictScreen

    return await ask(app, ConflictScreen(list(conflicts), kept=list(kept))) or None


async def confirm_plan(app: App[Any], plan: Plan, *, where: str, note: str = "",
                       back: str = "back to the form") -> bool:
    """The preview: every request with its body; True when the person sends it."""
    from identity_tui.tui.screens.preview import PreviewScreen

    return bool(await ask(app, PreviewScreen(plan, where=where, note=note, back=back)))


@dataclass(frozen=True)
class Decided:
    """Where the asking ended. Exactly one holds:

    - ``job``: send it (``previewed`` when the person saw it: it may have stood open for minutes);
    - ``holds``: after the merge there is nothing to send: the server holds this already;
    - ``errors``: with the changes made meanwhile, the save would be invalid (nothing asked);
    - ``declined``: the person left the conflict dialog (``"conflicts"``) or the preview (``"preview"``).
    """

    prepared: tx.Prepared
    job: SaveJob | None = None
    previewed: bool = False
    holds: Identity | None = None
    declined: str = ""
    choices: dict[str, str] | None = None

    @property
    def errors(self) -> tuple[Any, ...]:
        return self.prepared.errors


async def decide(app: App[Any], prepared: tx.Prepared, *, preview: bool, where: str,
                 note: Callable[[SaveJob], str] = lambda job: "", back: str = "back to the form",
                 before_conflicts: Callable[[], None] | None = None) -> Decided:
    """Ask what ``prepared`` needs asked (conflicts first, then the preview when ``preview``) and say what to
    send. ``prepared`` must hold no read error: that is the caller's to say."""
    choices: dict[str, str] | None = None
    if prepared.errors:
        return Decided(prepared)
    if prepared.conflicts:
        if before_conflicts is not None:
            before_conflicts()
        choices = await choose(app, prepared.conflicts, prepared.kept)
        if choices is None:
            return Decided(prepared, declined="conflicts")
        prepared = tx.resolve(prepared, choices)
        if prepared.errors:
            return Decided(prepared, choices=choices)
    job = prepared.job
    if job is None:
        return Decided(prepared, holds=prepared.holds, choices=choices)
    if not preview:
        return Decided(prepared, job=job, choices=choices)
    if not await confirm_plan(app, job.plan, where=where, note=note(job), back=back):
        return Decided(prepared, declined="preview", choices=choices)
    return Decided(prepared, job=job, previewed=True, choices=choices)
