"""The saving half of the edit screen: validate, preview, send the planner's requests, and read the answers.

A failed save leaves the form as it was and says why in one sentence; a partial one moves the baseline to
what the server holds, so what is still unsaved stays marked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button
from textual.worker import Worker, WorkerState

from identity_tui.core.display import one_line
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.form import field_order
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft, Plan, PlannedRequest, matches_draft, plan_create, plan_save
from identity_tui.tui.form_model import failure_sentence, field_label, field_value, server_field_errors
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.widgets.edit_form import EditForm


class SavingScreen(ReportsWorkerErrors, Screen):
    """Base of the edit screen: ``action_save`` and everything after it; the subclass builds the form."""

    baseline: Identity | None
    creating: bool
    busy: bool
    after_save: Callable[[], Any] | None
    _refocus: str | None

    @dataclass
    class Sent(Message):
        """Every request of a save succeeded; ``identity`` is the last response."""

        identity: Identity
        draft: Draft
        created: bool

    @dataclass
    class SendFailed(Message):
        """A request failed; ``applied`` went through before it and ``response`` is their last answer."""

        error: LettaError
        failed: PlannedRequest
        applied: list[PlannedRequest]
        response: Identity | None
        created: bool

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

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Validate, then preview the plan (unless turned off), then send it in a worker."""
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
        plan = plan_create(draft) if self.creating else plan_save(self.baseline, draft)  # type: ignore[arg-type]
        if plan.empty:
            self.say("Nothing changed: nothing was sent.")
            self._continue()
            return
        if not self.app.config.preview_saves:
            self._start(plan, draft)
            return
        from identity_tui.tui.screens.preview import PreviewScreen

        def answered(send: bool | None) -> None:
            if send:
                self._start(plan, draft)
            else:
                self.after_save = None
                self.say("Not sent: the form is as you left it.")

        self.app.push_screen(PreviewScreen(plan, where=self.app.conn.label), answered)

    def _start(self, plan: Plan, draft: Draft) -> None:
        self.busy = True
        self._refocus = self.form.focus_path(self.focused)
        self.form.disabled = True
        methods = ", ".join(r.method for r in plan.requests)
        self.say(f"Saving… ({methods})")
        self.form.refresh_marks()
        self.send(plan, draft, self.identity_id)

    @work(exclusive=True, group="edit-save", exit_on_error=False)
    async def send(self, plan: Plan, draft: Draft, identity_id: str | None) -> None:
        """Send the plan's requests in order, stopping at the first failure."""
        client = self.app.client
        applied: list[PlannedRequest] = []
        response: Identity | None = None
        for request in plan.requests:
            try:
                if request.method == "POST":
                    response = await client.create(request.body)
                elif request.method == "PATCH":
                    response = await client.update(identity_id, request.body)
                else:
                    response = await client.replace_properties(identity_id, request.body)
            except LettaError as exc:
                self.post_message(self.SendFailed(exc, request, applied, response, identity_id is None))
                return
            applied.append(request)
        assert response is not None
        self.post_message(self.Sent(response, draft, identity_id is None))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A crash in a worker goes to the app's error dialog; the form must come back to life.
        super().on_worker_state_changed(event)
        if event.state is WorkerState.ERROR:
            self.form.loading = self.form.disabled = False
            if event.worker.group == "edit-save":
                self._finish()

    def _finish(self) -> None:
        self.busy = False
        self.form.disabled = False
        self.form.restore_focus(self._refocus)
        self.form.refresh_marks()

    @on(Sent)
    async def _sent(self, message: Sent) -> None:
        identity = message.identity
        differs = matches_draft(identity, message.draft)
        refresh_list(self.app, identity.id)
        if message.created and not differs:
            self.busy = False
            self.app.pop_screen()
            self.app.notify(f"Created {one_line(identity.name, 40)}.", timeout=4, markup=False)
            return
        self.baseline = identity
        if message.created:
            # From now on this is the new identity's edit form, showing what the server holds.
            self.creating = False
            await self.form.remove()
            await self.mount(EditForm(Draft.of(identity), identity_id=identity.id,
                                      readonly=self.app.readonly), after="#edit-title")
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
        self.say("Saved.")
        self._continue()

    @on(SendFailed)
    def _send_failed(self, message: SendFailed) -> None:
        self._finish()
        self.after_save = None
        form = self.form
        values = form.values()
        if message.applied and message.response is not None:
            # The first request landed: the server's answer becomes the baseline, so the changes the
            # failed request carried stay marked as modified.
            self.baseline = message.response
            form.rebase(Draft.of(message.response))
        for name, text in server_field_errors(message.error, message.failed, values).items():
            form.server_errors[name] = (text, field_value(values, name))
        form.refresh_marks()
        self.say(failure_sentence(message.error, message.failed, message.applied, values), error=True)
        if form.server_errors:
            form.focus_field(min(form.server_errors, key=field_order))
        if isinstance(message.error, NotFound) and not message.created and not message.applied:
            self._offer_recreate()

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
