"""The saving half of the edit screen: validate, then drive the core's save transaction from workers.

The server has no locking, so a save first reads the identity again: what someone else changed meanwhile
is merged in (``core.conflict``), overlapping changes go to the conflict dialog, and the plan is rebuilt
against the fresh copy. A failed save leaves the form as it was and says why in one sentence; a partial
one moves the baseline to what the server holds, so what is still unsaved stays marked. When an answer
is lost on the way back, a save re-reads to learn what landed and a create looks its key up before
posting again, so nothing is sent twice blindly. All of that is ``core.transaction``; this screen asks
it from workers, and turns each outcome into what the person sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import on, work
from textual.screen import Screen
from textual.widgets import Button
from textual.worker import Worker, WorkerState

from identity_tui.core import transaction as tx
from identity_tui.core.conflict import changed_between
from identity_tui.core.display import one_line
from identity_tui.core.errors import Conflict, LettaError, NotFound
from identity_tui.core.form import field_order, same_draft
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft, plan_save
from identity_tui.tui.form_model import (
    change_list,
    failure_sentence,
    field_label,
    field_value,
    server_field_errors,
)
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.save_job import (
    ExistingFound,
    Found,
    OpenIdentity,
    RecheckFailed,
    Rechecked,
    SaveJob,
    Sent,
    SendFailed,
    cancelled_sentence,
    preview_note,
)
from identity_tui.tui.widgets.edit_form import EditForm


class SavingScreen(ReportsWorkerErrors, Screen):
    """Base of the edit screen: ``action_save`` and everything after it; the subclass builds the form."""

    baseline: Identity | None
    creating: bool
    busy: bool
    after_save: Callable[[], Any] | None
    _refocus: str | None
    _lost_create: Draft | None = None  # the draft of a create whose answer never came
    _job: SaveJob | None = None  # the save being sent (None while only reading)
    _unsure = False  # a save was given up: whether it landed is learnt from the next read

    # The messages live in save_job; here they are also reachable as SavingScreen.Sent and so on.
    Sent = Sent
    SendFailed = SendFailed
    Rechecked = Rechecked
    RecheckFailed = RecheckFailed
    Found = Found

    @property
    def identity_id(self) -> str | None:
        """The id being edited (None while creating)."""
        return None if self.creating or self.baseline is None else self.baseline.id

    @property
    def form(self) -> EditForm:
        return self.query_one(EditForm)

    def say(self, text: str, *, error: bool = False) -> None:
        """One line under the form (the subclass owns where)."""
        raise NotImplementedError

    def action_readonly_save(self) -> None:
        self.say("Read-only connection: nothing was saved. Reconnect without --readonly to save.", error=True)

    # -- from ctrl+s to a plan ------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Validate, re-read and merge, then preview the plan (unless turned off), then send it in a worker."""
        if self.busy:
            self.notify("A save is already under way.", timeout=3)
            return
        form = self.form
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
        if self.creating:
            self._settle(tx.prepare_create(draft, lookup=self._lost_create))
            return
        assert self.baseline is not None
        if plan_save(self.baseline, draft).empty:
            self.say("Nothing changed: nothing was sent.")
            self._continue()
            return
        self._busy("Checking the server's copy for changes made meanwhile…  esc stops waiting")
        self.recheck(self.baseline, draft)

    @work(exclusive=True, group="edit-save", exit_on_error=False)
    async def recheck(self, base: Identity, mine: Draft) -> None:
        """Read the identity again (someone may have saved it since the form was loaded) and plan against it."""
        prepared = await tx.prepare(self.app.client, base, mine)
        if prepared.error is not None:
            self.post_message(self.RecheckFailed(prepared.error))
            return
        self.post_message(self.Rechecked(prepared))

    @on(Rechecked)
    def _rechecked(self, message: Rechecked) -> None:
        if not self.busy:
            return  # the answer of a save given up with esc
        self._finish()
        self.say("")  # the check is over: "Checking…" must not stand behind the preview or the dialog
        self._settle(message.prepared)

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
            self.app.push_screen(ConflictScreen(list(prepared.conflicts), kept=list(prepared.kept)), answered)
            return
        if prepared.job is not None:
            self._preview(prepared.job)
            return
        assert prepared.holds is not None
        self.call_later(self._now_holds, prepared.holds)

    @on(RecheckFailed)
    def _recheck_failed(self, message: RecheckFailed) -> None:
        if not self.busy:
            return  # the answer of a save given up with esc
        self._finish()
        self.after_save = None
        if isinstance(message.error, NotFound):
            self.say("Not saved: this identity was deleted on the server after you opened it (404).", error=True)
            self._offer_recreate()
            return
        self.say(f"Not sent: could not read the server's copy to check for changes made meanwhile "
                 f"({message.error.message.rstrip('.')}). The form is kept; ctrl+s tries again.", error=True)

    async def _now_holds(self, fresh: Identity) -> None:
        # Every change of the form is on the server already (made there too): show what it holds.
        self.baseline = fresh
        refresh_list(self.app, fresh.id)
        await self.form.load_draft(Draft.of(fresh))
        if self._unsure:
            self.say("Saved: the save given up earlier had landed after all; nothing was sent twice.")
        else:
            self.say("Nothing sent: the server already holds these values (saved there meanwhile).")
        self._unsure = False
        self._continue()

    def _preview(self, job: SaveJob) -> None:
        if not self.app.config.preview_saves:
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

        self.app.push_screen(PreviewScreen(job.plan, where=self.app.conn.label, note=preview_note(job)), answered)

    # -- sending --------------------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self.busy = True
        # A focus given back a moment ago may not have landed yet: then keep the place remembered before.
        self._refocus = self.form.focus_path(self.focused) or self._refocus
        self.form.disabled = True
        self.say(text)
        self.form.refresh_marks()

    def _start(self, job: SaveJob) -> None:
        methods = ", ".join(r.method for r in job.plan.requests)
        self._busy(f"Saving… ({methods})  esc stops waiting")
        self._job = job
        self.send(job)

    def cancel_save(self) -> bool:
        """Stop waiting for the server (esc; ctrl+q before it asks): the form keeps its edits, and the next
        save finds out what landed, re-reading (PATCH/PUT) or looking the key up (a create) first."""
        if not self.busy:
            return False
        job = self._job
        self.workers.cancel_group(self, "edit-save")
        self._finish()
        self.after_save = None
        if job is not None and job.basis is None:
            self._lost_create = job.lookup or job.draft
        self._unsure = job is not None and job.basis is not None
        self.say(cancelled_sentence(job), error=job is not None)
        return True

    @work(exclusive=True, group="edit-save", exit_on_error=False)
    async def send(self, job: SaveJob) -> None:
        """Send the plan through the core's transaction; its outcome comes back as one message."""
        outcome = await tx.send(self.app.client, job)
        if isinstance(outcome, tx.Saved):
            self.post_message(self.Sent(outcome))
        elif isinstance(outcome, tx.Failed):
            self.post_message(self.SendFailed(outcome))
        elif isinstance(outcome, tx.Found):
            self.post_message(self.Found(outcome))
        elif isinstance(outcome, tx.Changed):
            # Read once more right before writing, after the preview: anything new goes back through the merge.
            self.post_message(self.Rechecked(outcome.prepared))
        else:
            self.post_message(self.RecheckFailed(outcome.error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A crash in a worker goes to the app's error dialog; the form must come back to life.
        super().on_worker_state_changed(event)
        if event.state is WorkerState.ERROR:
            self.form.loading = self.form.disabled = False
            if event.worker.group == "edit-save":
                self._finish()

    def _finish(self) -> None:
        self.busy = False
        self._job = None
        self.form.disabled = False
        self.form.restore_focus(self._refocus)
        self.form.refresh_marks()

    # -- answers --------------------------------------------------------------------------------

    @on(Sent)
    async def _sent(self, message: Sent) -> None:
        if not self.busy:
            return  # the answer of a save given up with esc
        saved = message.outcome
        identity = saved.identity
        differs = saved.dropped
        refresh_list(self.app, identity.id)
        self._unsure = False
        if saved.created:
            self._lost_create = None
        note = f" ({saved.note})" if saved.note else ""
        journal = f" {saved.journal_problem}" if saved.journal_problem else ""
        if saved.created and not differs:
            self.busy = False
            self.app.pop_screen()
            self.app.notify(f"Created {one_line(identity.name, 40)}{note}.{journal}", timeout=6, markup=False)
            return
        self.baseline = identity
        if saved.created:
            await self._become_editor(identity)
        else:
            await self.form.load_draft(Draft.of(identity))
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

    async def _become_editor(self, identity: Identity, typed: Draft | None = None) -> None:
        """From now on this is ``identity``'s edit form; ``typed`` values stay, compared with what it holds."""
        self.creating = False
        self.baseline = identity
        await self.form.remove()
        form = EditForm(Draft.of(identity), identity_id=identity.id, readonly=self.app.readonly)
        await self.mount(form, after="#edit-title")
        if typed is not None:
            await form.load_draft(replace(typed, project_id=identity.project_id))
            form.rebase(Draft.of(identity))

    @on(Found)
    async def _found(self, message: Found) -> None:
        if not self.busy:
            return  # the answer of a save given up with esc
        self._lost_create = None
        identity = message.outcome.identity
        refresh_list(self.app, identity.id)
        await self._become_editor(identity, self.form.values().draft())
        self._finish()
        self.after_save = None
        key = one_line(identity.identifier_key, 40)
        self.say(f"Nothing sent: identifier_key '{key}' exists already, created by the earlier try whose answer "
                 "was lost. This form now edits it; the fields marked ● differ from what it holds, and ctrl+s "
                 "saves them.", error=True)

    @on(SendFailed)
    async def _send_failed(self, message: SendFailed) -> None:
        if not self.busy:
            return  # the answer of a save given up with esc
        failed = message.outcome
        job = failed.job
        form = self.form
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
            self.find_existing(job.draft)  # get-or-create: offer the one that holds the key

    @work(exclusive=True, group="edit-existing", exit_on_error=False)
    async def find_existing(self, draft: Draft) -> None:
        """The identity that already holds a new identity's key (a 409), to offer it instead."""
        try:
            found = await self.app.client.find_by_key(draft.identifier_key, draft.project_id)
        except LettaError:
            return  # the 409 sentence stands on its own
        if found is not None:
            self.post_message(ExistingFound(found))

    @on(ExistingFound)
    def _existing_found(self, message: ExistingFound) -> None:
        from identity_tui.tui.screens.confirm import ConfirmScreen

        found = message.identity

        def answered(yes: bool | None) -> None:
            if yes:
                self.drop_draft()
                self.app.pop_screen()
                self.app.post_message(OpenIdentity(found))

        key = one_line(found.identifier_key, 40)
        text = (f"An identity with identifier_key '{key}' exists already in this project: "
                f"{one_line(found.name, 40) or '(no name)'} ({found.short_id}). Open it instead? "
                "This new form and what you typed in it are closed.")
        self.app.push_screen(ConfirmScreen("The key exists", text, yes="Open it", no="Stay here"), answered)

    async def _rebase(self, holds: Identity, job: SaveJob) -> None:
        """Make ``holds`` the baseline; a form whose save merged others' changes shows the merged values, so
        that those changes are not taken for removals by the next save."""
        self.baseline = holds
        if not same_draft(job.draft, self.form.values().draft()):
            await self.form.load_draft(job.draft)
        self.form.rebase(Draft.of(holds))

    def _offer_recreate(self) -> None:
        from identity_tui.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.creating = True
                self.action_save()

        text = ("This identity no longer exists on the server (404). Re-create it from the form with one "
                "POST? It gets a new id.")
        self.app.push_screen(ConfirmScreen("Deleted on the server", text, yes="Re-create", no="Not now"), answered)

    def _continue(self) -> None:
        then, self.after_save = self.after_save, None
        if then is not None:
            then()


def refresh_list(app: Any, select_id: str | None) -> None:
    """Reload the list screen underneath, selecting ``select_id``."""
    from identity_tui.tui.screens.list import ListScreen

    for screen in app.screen_stack:
        if isinstance(screen, ListScreen):
            screen.refresh_after_write(select_id)
