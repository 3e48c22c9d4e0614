"""The edit screen's save: validate, then drive the core's save transaction from workers.

The server has no locking, so a save first reads the identity again: what someone else changed meanwhile
is merged in (``core.conflict``), overlapping changes go to the conflict dialog, and the plan is rebuilt
against the fresh copy. A failed save leaves the form as it was and says why in one sentence; a partial
one moves the baseline to what the server holds, so what is still unsaved stays marked. When an answer
is lost on the way back, a save re-reads to learn what landed and a create looks its key up before
posting again, so nothing is sent twice blindly. All of that is ``core.transaction``; this screen asks
it from workers, and turns each outcome into what the person sees.

``SaveFlow`` is a helper the screen owns; the screen routes the workers' messages to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from identity_tui.core import transaction as tx
from identity_tui.core.conflict import changed_between
from identity_tui.core.display import one_line
from identity_tui.core.draft import Draft, same_draft
from identity_tui.core.errors import Conflict, LettaError, NotFound
from identity_tui.core.form import field_order
from identity_tui.core.models import Identity
from identity_tui.core.planner import plan_save
from identity_tui.core.transaction import SaveJob
from identity_tui.tui.form_model import (
    change_list,
    failure_sentence,
    field_label,
    field_value,
    server_field_errors,
)
from identity_tui.tui.messages import IdentityWritten, OpenIdentity
from identity_tui.tui.screens.confirm import ConfirmScreen
from identity_tui.tui.screens.save_job import (
    ExistingFound,
    Found,
    RecheckFailed,
    Rechecked,
    Sent,
    SendFailed,
    cancelled_sentence,
    preview_note,
)

if TYPE_CHECKING:
    from identity_tui.tui.screens.edit_base import EditBase


class SaveFlow:
    """One form's save, from ctrl+s to the sentence under the form; its workers answer the screen."""

    def __init__(self, screen: EditBase) -> None:
        self.screen = screen
        self.busy = False
        self.after_save: Callable[[], Any] | None = None  # what runs once a save succeeds (leave, quit)
        self._refocus: str | None = None
        self._lost_create: Draft | None = None  # the draft of a create whose answer never came
        self._job: SaveJob | None = None  # the save being sent (None while only reading)
        self._unsure = False  # a save was given up: whether it landed is learnt from the next read

    def say(self, text: str, *, error: bool = False) -> None:
        self.screen.say(text, error=error)

    def _worker(self, work: Awaitable[Any], group: str = "edit-save") -> None:
        self.screen.run_worker(work, group=group, exclusive=True, exit_on_error=False)

    def readonly_save(self) -> None:
        self.say("Read-only connection: nothing was saved. Reconnect without --readonly to save.", error=True)

    # -- from ctrl+s to a plan ------------------------------------------------------------------

    def save(self) -> None:
        """Validate, re-read and merge, then preview the plan (unless turned off), then send it in a worker."""
        if self.busy:
            self.screen.notify("A save is already under way.", timeout=3)
            return
        form = self.screen.form
        values = form.values()
        errors = values.errors()
        if errors:
            form.save_tried = True
            self.after_save = None
            form.refresh_marks()
            first = errors[0]
            form.focus_field(first.field)
            count = f"{len(errors)} problems" if len(errors) > 1 else "1 problem"
            self.say(f"Not saved: {count}. {field_label(first.field)}: {first.message}", error=True)
            return
        draft = values.draft()
        if self.screen.creating:
            self._settle(tx.prepare_create(draft, lookup=self._lost_create))
            return
        assert self.screen.baseline is not None
        if plan_save(self.screen.baseline, draft).empty:
            self.say("Nothing changed: nothing was sent.")
            self._continue()
            return
        self._busy("Checking the server's copy for changes made meanwhile…  esc stops waiting")
        self._worker(self._recheck(self.screen.baseline, draft))

    async def _recheck(self, base: Identity, mine: Draft) -> None:
        """Read the identity again (someone may have saved it since the form was loaded) and plan against it."""
        prepared = await tx.prepare(self.screen.app.client, base, mine)
        if prepared.error is not None:
            self.screen.post_message(RecheckFailed(prepared.error))
            return
        self.screen.post_message(Rechecked(prepared))

    def rechecked(self, prepared: tx.Prepared) -> None:
        """The identity as read again, planned against (``Rechecked``)."""
        if not self.busy:
            return  # the answer of a save given up with esc
        self._finish()
        self.say("")  # the check is over: "Checking…" must not stand behind the preview or the dialog
        self._settle(prepared)

    def _settle(self, prepared: tx.Prepared) -> None:
        """What a plan means next: a dialog for overlapping changes, the preview, or a sentence."""
        if prepared.errors:
            first = prepared.errors[0]
            self.after_save = None
            self.say(f"Not sent: with the changes made on the server meanwhile, {field_label(first.field)} would "
                     f"be wrong: {first.message} Go back and reopen the identity to see the server's copy.",
                     error=True)
            return
        if prepared.conflicts:
            from identity_tui.tui.screens.conflict import ConflictScreen

            def answered(choices: dict[str, str] | None) -> None:
                if choices is None:
                    self.after_save = None
                    self.say("Not sent: the overlapping changes were not resolved. The form is as you left it; "
                             "ctrl+s checks the server again.")
                    return
                self._settle(tx.resolve(prepared, choices))

            self.say("Someone else saved this identity meanwhile: choose what to keep.")
            self.screen.app.push_screen(ConflictScreen(list(prepared.conflicts), kept=list(prepared.kept)), answered)
            return
        if prepared.job is not None:
            self._preview(prepared.job)
            return
        assert prepared.holds is not None
        self.screen.call_later(self._now_holds, prepared.holds)

    def recheck_failed(self, error: LettaError) -> None:
        """The read before sending failed: nothing was sent (``RecheckFailed``)."""
        if not self.busy:
            return  # the answer of a save given up with esc
        self._finish()
        self.after_save = None
        if isinstance(error, NotFound):
            self.say("Not saved: this identity was deleted on the server after you opened it (404).", error=True)
            self._offer_recreate()
            return
        self.say(f"Not sent: could not read the server's copy to check for changes made meanwhile "
                 f"({error.message.rstrip('.')}). The form is kept; ctrl+s tries again.", error=True)

    async def _now_holds(self, fresh: Identity) -> None:
        # Every change of the form is on the server already (made there too): show what it holds.
        self.screen.baseline = fresh
        self.screen.app.post_message(IdentityWritten(fresh.id))
        await self.screen.form.load_draft(Draft.of(fresh))
        if self._unsure:
            self.say("Saved: the save given up earlier had landed after all; nothing was sent twice.")
        else:
            self.say("Nothing sent: the server already holds these values (saved there meanwhile).")
        self._unsure = False
        self._continue()

    def _preview(self, job: SaveJob) -> None:
        if not self.screen.app.config.preview_saves:
            # The read just happened: there is no time for another save to slip in, so no second read.
            self._start(job)
            return
        from identity_tui.tui.screens.preview import PreviewScreen

        def answered(send: bool | None) -> None:
            if send:
                # The preview may have stood open for minutes: read once more right before writing (see send).
                self._start(replace(job, check_first=job.basis is not None))
            else:
                self.after_save = None
                self.say("Not sent: the form is as you left it.")

        self.screen.app.push_screen(PreviewScreen(job.plan, where=self.screen.app.conn.label, note=preview_note(job)), answered)

    # -- sending --------------------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self.busy = True
        # A focus given back a moment ago may not have landed yet: then keep the place remembered before.
        self._refocus = self.screen.form.focus_path(self.screen.focused) or self._refocus
        self.screen.form.disabled = True
        self.say(text)
        self.screen.form.refresh_marks()

    def _start(self, job: SaveJob) -> None:
        methods = ", ".join(r.method for r in job.plan.requests)
        self._busy(f"Saving… ({methods})  esc stops waiting")
        self._job = job
        self._worker(self._send(job))

    def cancel_save(self) -> bool:
        """Stop waiting for the server (esc; ctrl+q before it asks): the form keeps its edits, and the next
        save finds out what landed, re-reading (PATCH/PUT) or looking the key up (a create) first."""
        if not self.busy:
            return False
        job = self._job
        self.screen.workers.cancel_group(self.screen, "edit-save")
        self._finish()
        self.after_save = None
        if job is not None and job.basis is None:
            self._lost_create = job.lookup or job.draft
        self._unsure = job is not None and job.basis is not None
        self.say(cancelled_sentence(job), error=job is not None)
        return True

    async def _send(self, job: SaveJob) -> None:
        """Send the plan through the core's transaction; its outcome comes back as one message."""
        outcome = await tx.send(self.screen.app.client, job)
        if isinstance(outcome, tx.Saved):
            self.screen.post_message(Sent(outcome))
        elif isinstance(outcome, tx.Failed):
            self.screen.post_message(SendFailed(outcome))
        elif isinstance(outcome, tx.Found):
            self.screen.post_message(Found(outcome))
        elif isinstance(outcome, tx.Changed):
            # Read once more right before writing, after the preview: anything new goes back through the merge.
            self.screen.post_message(Rechecked(outcome.prepared))
        else:
            self.screen.post_message(RecheckFailed(outcome.error))

    def crashed(self) -> None:
        """A save's worker raised (the app shows the error): the form comes back to life."""
        self._finish()

    def _finish(self) -> None:
        self.busy = False
        self._job = None
        self.screen.form.disabled = False
        self.screen.form.restore_focus(self._refocus)
        self.screen.form.refresh_marks()

    # -- answers --------------------------------------------------------------------------------

    async def sent(self, saved: tx.Saved) -> None:
        """Every request succeeded, or a fresh read proved it (``Sent``)."""
        if not self.busy:
            return  # the answer of a save given up with esc
        identity = saved.identity
        differs = saved.dropped
        self.screen.app.post_message(IdentityWritten(identity.id))
        self._unsure = False
        if saved.created:
            self._lost_create = None
        note = f" ({saved.note})" if saved.note else ""
        journal = f" {saved.journal_problem}" if saved.journal_problem else ""
        if saved.created and not differs:
            self.busy = False
            self.screen.app.pop_screen()
            self.screen.app.notify(f"Created {one_line(identity.name, 40)}{note}.{journal}", timeout=6, markup=False)
            return
        self.screen.baseline = identity
        if saved.created:
            await self.screen.become_editor(identity)
        else:
            await self.screen.form.load_draft(Draft.of(identity))
        self._finish()
        if differs:
            self.after_save = None
            self.say(
                f"Sent, but the server kept different values for: {', '.join(differs)}. The form shows what "
                "the server holds (it takes true and 1, or 1 and 1.0, as the same value).",
                error=True,
            )
            return
        kept = f" Kept what others changed meanwhile: {change_list(saved.kept)}." if saved.kept else ""
        self.say(f"Saved{note}.{kept}{journal}", error=bool(journal))
        self._continue()

    async def found(self, identity: Identity) -> None:
        """A lost create had landed, holding other values than the form (``Found``)."""
        if not self.busy:
            return  # the answer of a save given up with esc
        self._lost_create = None
        self.screen.app.post_message(IdentityWritten(identity.id))
        await self.screen.become_editor(identity, self.screen.form.values().draft())
        self._finish()
        self.after_save = None
        key = one_line(identity.identifier_key, 40)
        self.say(f"Nothing sent: identifier_key '{key}' exists already, created by the earlier try whose answer "
                 "was lost. This form now edits it; the fields marked ● differ from what it holds, and ctrl+s "
                 "saves them.", error=True)

    async def send_failed(self, failed: tx.Failed) -> None:
        """A request failed (``SendFailed``): say which, and what landed before it."""
        if not self.busy:
            return  # the answer of a save given up with esc
        job = failed.job
        form = self.screen.form
        values = form.values()
        if failed.created and failed.lost:
            self._lost_create = job.lookup or job.draft
        partly = failed.partly
        if partly is not None:
            # Part of it landed before the answer was lost: compare with what the server holds now.
            await self._rebase(partly, job)
            self._finish()
            self.after_save = None
            still = change_list(changed_between(Draft.of(partly), job.draft))
            self.say(f"Partly saved: the answer was lost, and a fresh read shows only part landed. Still "
                     f"unsaved (marked ●): {still}. ctrl+s sends the rest.", error=True)
            return
        self._finish()
        self.after_save = None
        applied = list(failed.applied)
        if applied and failed.response is not None:
            # The first request landed: the server's answer becomes the baseline, so the changes the
            # failed request carried stay marked as modified.
            await self._rebase(failed.response, job)
        for name, text in server_field_errors(failed.error, failed.failed, values).items():
            form.server_errors[name] = (text, field_value(values, name))
        form.refresh_marks()
        landed = failed.landed if isinstance(failed.landed, str) else None
        self.say(failure_sentence(failed.error, failed.failed, applied, values, landed=landed), error=True)
        if form.server_errors:
            form.focus_field(min(form.server_errors, key=field_order))
        if isinstance(failed.error, NotFound) and not failed.created and not applied:
            self._offer_recreate()
        if failed.created and isinstance(failed.error, Conflict):
            self._worker(self._find_existing(job.draft), "edit-existing")  # get-or-create: offer the one that holds the key

    async def _find_existing(self, draft: Draft) -> None:
        """The identity that already holds a new identity's key (a 409), to offer it instead."""
        try:
            found = await self.screen.app.client.find_by_key(draft.identifier_key, draft.project_id)
        except LettaError:
            return  # the 409 sentence stands on its own
        if found is not None:
            self.screen.post_message(ExistingFound(found))

    def existing_found(self, found: Identity) -> None:
        """A create's key is held already (``ExistingFound``): offer to open that identity instead."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.drop_draft()
                self.screen.app.pop_screen()
                self.screen.app.post_message(OpenIdentity(found))

        key = one_line(found.identifier_key, 40)
        text = (f"An identity with identifier_key '{key}' exists already in this project: "
                f"{one_line(found.name, 40) or '(no name)'} ({found.short_id}). Open it instead? "
                "This new form and what you typed in it are closed.")
        self.screen.app.push_screen(ConfirmScreen("The key exists", text, yes="Open it", no="Stay here"), answered)

    async def _rebase(self, holds: Identity, job: SaveJob) -> None:
        """Make ``holds`` the baseline; a form whose save merged others' changes shows the merged values, so
        that those changes are not taken for removals by the next save."""
        self.screen.baseline = holds
        if not same_draft(job.draft, self.screen.form.values().draft()):
            await self.screen.form.load_draft(job.draft)
        self.screen.form.rebase(Draft.of(holds))

    def _offer_recreate(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.creating = True
                self.save()

        text = ("This identity no longer exists on the server (404). Re-create it from the form with one "
                "POST? It gets a new id.")
        self.screen.app.push_screen(ConfirmScreen("Deleted on the server", text, yes="Re-create", no="Not now"), answered)

    def _continue(self) -> None:
        then, self.after_save = self.after_save, None
        if then is not None:
            then()

