"""The edit screen's save: validate, then drive the core's save transaction from one worker.

The server has no locking, so a save first reads the identity again: what someone else changed meanwhile
is merged in (``core.conflict``), overlapping changes go to the conflict dialog, and the plan is rebuilt
against the fresh copy. A failed save leaves the form as it was and says why in one sentence; a partial
one moves the baseline to what the server holds, so what is still unsaved stays marked. When an answer
is lost on the way back, a save re-reads to learn what landed and a create looks its key up before
posting again, so nothing is sent twice blindly. All of that is ``core.transaction``; the asking is the
shell's one save flow (``save_flow``), awaited in the same worker; this module turns each outcome into
what the person sees.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from identity_tui.core import transaction as tx
from identity_tui.core.display import one_line
from identity_tui.core.diff import diff
from identity_tui.core.draft import Draft, merged_into
from identity_tui.core.errors import AlreadyExists, LettaError, NotFound
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
from identity_tui.tui.screens.confirm import ConfirmScreen, ExistingKeyScreen
from identity_tui.tui.screens.save_flow import ask, decide

if TYPE_CHECKING:
    from collections.abc import Callable

    from identity_tui.tui.screens.edit_base import EditBase


def preview_note(job: SaveJob) -> str:
    """What the preview says besides the requests: others' changes kept, a key looked up first."""
    if job.lookup is not None:
        key = one_line(job.lookup.identifier_key, 40)
        return (f"The last try's answer was lost, so this first looks up identifier_key '{key}': if the last "
                "try created it, nothing is posted again.")
    if job.kept:
        return (f"Someone else saved this identity since you opened it. Their changes are kept: "
                f"{change_list(job.kept)}.")
    return ""


def cancelled_sentence(job: SaveJob | None) -> str:
    """What the line says when esc gave up waiting for ``job`` (None: only the read before a save)."""
    if job is None:
        return ("Cancelled: nothing was sent (the server's copy was still being read). The form is kept; "
                "ctrl+s tries again.")
    head = ("Save cancelled while waiting for the server: it may or may not have landed. The form keeps your edits; "
            "the next ctrl+s ")
    if job.basis is None:
        key = one_line((job.lookup or job.draft).identifier_key, 40)
        return f"{head}first looks up identifier_key '{key}' and posts only if it is not there."
    return f"{head}reads the server's copy first and sends only what is missing."


class SaveFlow:
    """One form's save, from ctrl+s to the sentence under the form, in one worker the screen owns."""

    def __init__(self, screen: EditBase) -> None:
        self.screen = screen
        self.busy = False  # waiting for the server (the form is disabled; esc stops waiting)
        self.after_save: Callable[[], Any] | None = None  # what runs once a save succeeds (leave, quit)
        self._refocus: str | None = None
        self._lost_create: Draft | None = None  # the draft of a create whose answer never came
        self._job: SaveJob | None = None  # the save being sent (None while only reading)
        self._answered = False  # the server has answered: what follows is the screen's own work
        self._unsure = False  # a save was given up: whether it landed is learnt from the next read

    def say(self, text: str, *, error: bool = False) -> None:
        self.screen.say(text, error=error)

    def readonly_save(self) -> None:
        self.say("Read-only connection: nothing was saved. Reconnect without --readonly to save.", error=True)

    # -- from ctrl+s to a plan ------------------------------------------------------------------

    def save(self) -> None:
        """Validate, then (in a worker) re-read and merge, ask what must be asked, send, and say the outcome."""
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
            self._run(None, draft, tx.prepare_create(draft, lookup=self._lost_create))
            return
        assert self.screen.baseline is not None
        if plan_save(self.screen.baseline, draft).empty:
            self.say("Nothing changed: nothing was sent.")
            self._continue()
            return
        self._busy("Checking the server's copy for changes made meanwhile…  esc stops waiting")
        self._run(self.screen.baseline, draft, None)

    def _run(self, base: Identity | None, mine: Draft, prepared: tx.Prepared | None) -> None:
        self.screen.run_worker(self._flow(base, mine, prepared), group="edit-save", exclusive=True,
                               exit_on_error=False)

    async def _flow(self, base: Identity | None, mine: Draft, prepared: tx.Prepared | None) -> None:
        """The whole save: read again (unless a create), ask, send, and turn the outcome into the form."""
        app = self.screen.app
        if prepared is None:
            assert base is not None
            # Someone may have saved the identity since the form was loaded: plan against the server's copy.
            prepared = await tx.prepare(app.client, base, mine)
            self._finish()
            self.say("")  # the check is over: "Checking…" must not stand behind the preview or the dialog
        while True:
            if prepared.error is not None:
                self._read_failed(prepared.error)
                return
            decided = await decide(
                app, prepared, preview=app.config.preview_saves, where=app.conn.label, note=preview_note,
                before_conflicts=lambda: self.say("Someone else saved this identity meanwhile: choose what to keep."))
            if decided.errors:
                first = decided.errors[0]
                self.after_save = None
                self.say(f"Not sent: with the changes made on the server meanwhile, {field_label(first.field)} "
                         "would be wrong: " f"{first.message} Go back and reopen the identity to see the server's "
                         "copy.", error=True)
                return
            if decided.declined:
                self.after_save = None
                self.say("Not sent: the overlapping changes were not resolved. The form is as you left it; "
                         "ctrl+s checks the server again." if decided.declined == "conflicts"
                         else "Not sent: the form is as you left it.")
                return
            job = decided.job
            if job is None:
                assert decided.holds is not None
                await self._now_holds(decided.holds)
                return
            if decided.previewed:
                # The preview may have stood open for minutes: read once more right before writing (see send).
                job = replace(job, check_first=job.basis is not None)
            outcome = await self._send(job)
            if isinstance(outcome, tx.Changed):
                # The read right before writing saw changes made meanwhile: back through the merge.
                self._finish()
                self.say("")
                prepared = outcome.prepared
                continue
            if isinstance(outcome, tx.ReadFailed):
                self._read_failed(outcome.error)
            elif isinstance(outcome, tx.Saved):
                await self._sent(outcome)
            elif isinstance(outcome, tx.Found):
                await self._found(outcome.identity)
            else:
                await self._send_failed(outcome)
            return

    def _read_failed(self, error: LettaError) -> None:
        """The read before sending failed: nothing was sent."""
        if self.busy:
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

    # -- sending --------------------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self.busy = True
        self._answered = False
        # A focus given back a moment ago may not have landed yet: then keep the place remembered before.
        self._refocus = self.screen.form.focus_path(self.screen.focused) or self._refocus
        self.screen.form.disabled = True
        self.say(text)
        self.screen.form.refresh_marks()

    async def _send(self, job: SaveJob) -> tx.Outcome:
        methods = ", ".join(r.method for r in job.plan.requests)
        self._busy(f"Saving… ({methods})  esc stops waiting")
        self._job = job
        outcome = await tx.send(self.screen.app.client, job)
        self._answered = True
        return outcome

    def cancel_save(self) -> bool:
        """Stop waiting for the server (esc; ctrl+q before it asks): the form keeps its edits, and the next
        save finds out what landed, re-reading (PATCH/PUT) or looking the key up (a create) first."""
        if not self.busy:
            return False
        if self._answered:
            return True  # the answer is in and being shown: nothing is waited for any more
        job = self._job
        self.screen.workers.cancel_group(self.screen, "edit-save")
        self._finish()
        self.after_save = None
        if job is not None and job.basis is None:
            self._lost_create = job.lookup or job.draft
        self._unsure = job is not None and job.basis is not None
        self.say(cancelled_sentence(job), error=job is not None)
        return True

    def crashed(self) -> None:
        """A save's worker raised (the app shows the error): the form comes back to life."""
        self._finish()

    def _finish(self) -> None:
        self.busy = False
        self._answered = False
        self._job = None
        self.screen.form.disabled = False
        self.screen.form.restore_focus(self._refocus)
        self.screen.form.refresh_marks()

    # -- answers --------------------------------------------------------------------------------

    async def _sent(self, saved: tx.Saved) -> None:
        """Every request succeeded, or a fresh read proved it."""
        # First, before the save may close the form or quit: what was typed is saved, nothing to keep.
        self.screen.drafts.saved(self.screen.identity_id, self.screen.baseline)
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

    async def _found(self, identity: Identity) -> None:
        """A lost create had landed, holding other values than the form."""
        self._lost_create = None
        self.screen.app.post_message(IdentityWritten(identity.id))
        await self.screen.become_editor(identity, self.screen.form.values().draft())
        self._finish()
        self.after_save = None
        key = one_line(identity.identifier_key, 40)
        self.say(f"Nothing sent: identifier_key '{key}' exists already, created by the earlier try whose answer "
                 "was lost. This form now edits it; the fields marked ● differ from what it holds, and ctrl+s "
                 "saves them.", error=True)

    async def _send_failed(self, failed: tx.Failed) -> None:
        """A request failed: say which, and what landed before it."""
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
            still = change_list(diff(partly, job.draft).names())
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
        if failed.created and isinstance(failed.error, AlreadyExists):
            await self._offer_existing(job.draft)  # get-or-create: offer the one that holds the key

    async def _offer_existing(self, draft: Draft) -> None:
        """A create's key is held already (a 409): offer to merge what was typed into the identity that holds
        it, or to open that identity as it is."""
        try:
            found = await self.screen.app.client.find_by_key(draft.identifier_key, draft.project_id)
        except LettaError:
            return  # the 409 sentence stands on its own
        if found is None:
            return
        key = one_line(found.identifier_key, 40)
        merged = merged_into(found, draft)
        changes = diff(Draft.of(found), merged).names()
        text = (f"An identity with identifier_key '{key}' exists already in this project: "
                f"{one_line(found.name, 40) or '(no name)'} ({found.short_id}).")
        what = (f"Merge into it: it would change {change_list(changes)}; its other properties stay. "
                if changes else "Merge into it: it holds all you typed already. ")
        what += "Open it: this form and what you typed are closed."
        choice = await ask(self.screen.app, ExistingKeyScreen(text, what))
        if choice == "open":
            self.screen.drop_draft()
            self.screen.app.pop_screen()
            self.screen.app.post_message(OpenIdentity(found))
        elif choice == "merge":
            await self.screen.become_editor(found, merged)
            self.say(f"This form now edits '{key}' with what you typed merged in: the fields marked ● are "
                     "what it would change. ctrl+s shows the requests and saves.", error=bool(changes))

    async def _rebase(self, holds: Identity, job: SaveJob) -> None:
        """Make ``holds`` the baseline; a form whose save merged others' changes shows the merged values, so
        that those changes are not taken for removals by the next save."""
        self.screen.baseline = holds
        if not diff(job.draft, self.screen.form.values().draft()).empty:
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
