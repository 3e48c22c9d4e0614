"""The edit screen: loads one identity afresh, saves it with the fewest requests, and never drops an edit silently.

Every request runs in a worker and answers with a message; the handlers set the form's attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Static
from textual.worker import Worker, WorkerState

from identity_tui.core.display import one_line
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.form import empty_draft, field_order
from identity_tui.core.models import Identity, PropertyType
from identity_tui.core.planner import Draft, Plan, PlannedRequest, matches_draft, plan_create, plan_save
from identity_tui.tui.form_model import describe_changes, failure_sentence, field_label, field_value, server_field_errors
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.widgets.edit_form import EditForm
from identity_tui.tui.widgets.property_row import MARK, PropertyRow

WRITES = frozenset(
    {"save", "add_property", "delete_property", "move_up", "move_down", "cycle_type",
     "external_editor", "revert", "delete_identity"}
)


class EditScreen(ReportsWorkerErrors, Screen):
    """Edit an identity (or create one when ``identity`` is None); ctrl+s previews and saves."""

    CSS_PATH = "../edit.tcss"
    AUTO_FOCUS = None

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True, id="edit.save"),
        Binding("ctrl+s,f2", "readonly_save", "Save (refused: read-only)", show=False, priority=True,
                id="edit.save_readonly"),
        Binding("escape", "back", "Back", id="edit.back"),
        Binding("ctrl+n,a", "add_property", "Add prop", priority=True, id="edit.add_property"),
        Binding("ctrl+d,x", "delete_property", "Del prop", priority=True, id="edit.delete_property"),
        Binding("ctrl+t,t", "cycle_type", "Type", priority=True, id="edit.cycle_type"),
        Binding("alt+up,ctrl+up,K", "move_up", "Move up", show=False, priority=True, id="edit.move_up"),
        Binding("alt+down,ctrl+down,J", "move_down", "Move down", show=False, priority=True, id="edit.move_down"),
        Binding("f4,e", "external_editor", "Edit in $EDITOR", show=False, id="edit.external_editor"),
        Binding("ctrl+z", "revert", "Revert", show=False, id="edit.revert"),
        Binding("d", "delete_identity", "Delete identity", show=False, id="edit.delete"),
        Binding("c", "copy_id", "Copy id", show=False, id="edit.copy_id"),
        Binding("q,ctrl+c", "quit", "Quit", show=False, id="edit.quit"),
    ]

    class Loaded(Message):
        """A fresh copy of the identity came back."""

        def __init__(self, identity: Identity) -> None:
            super().__init__()
            self.identity = identity

    class LoadFailed(Message):
        """Reading the identity failed."""

        def __init__(self, error: LettaError) -> None:
            super().__init__()
            self.error = error

    class Sent(Message):
        """Every request of a save succeeded; ``identity`` is the last response."""

        def __init__(self, identity: Identity, draft: Draft, created: bool) -> None:
            super().__init__()
            self.identity = identity
            self.draft = draft
            self.created = created

    class SendFailed(Message):
        """A request failed; ``applied`` went through before it and ``response`` is their last answer."""

        def __init__(self, error: LettaError, failed: PlannedRequest, applied: list[PlannedRequest],
                     response: Identity | None, created: bool) -> None:
            super().__init__()
            self.error = error
            self.failed = failed
            self.applied = applied
            self.response = response
            self.created = created

    def __init__(self, identity: Identity | None = None, *, project_id: str | None = None,
                 fetch: bool = True) -> None:
        super().__init__()
        self.baseline = identity
        self.creating = identity is None
        self._initial = Draft.of(identity) if identity else empty_draft(project_id)
        self.after_save: Callable[[], Any] | None = None
        self.busy = False
        self._fetch = fetch and identity is not None
        self._refocus: str | None = None

    @property
    def identity_id(self) -> str | None:
        """The id being edited (None while creating)."""
        return None if self.creating or self.baseline is None else self.baseline.id

    @property
    def form(self) -> EditForm:
        return self.query_one(EditForm)

    @property
    def modified(self) -> set[str]:
        return self.form.modified

    def compose(self) -> ComposeResult:
        yield Static("", id="edit-title")
        yield EditForm(self._initial, identity_id=self.identity_id, readonly=self.app.readonly)
        yield Static("", id="edit-message")
        yield Footer()

    def on_mount(self) -> None:
        if self._fetch:
            # Nothing can be typed until the fresh copy is in: it would be overwritten.
            self.form.loading = True
            self.form.disabled = True
            self.fetch(self.baseline.id)  # type: ignore[union-attr]
        else:
            self.form.focus_name()

    @on(EditForm.Marked)
    def _marked(self, message: EditForm.Marked) -> None:
        text = Text("New identity" if self.creating else "Edit identity", style="bold")
        if message.name:
            text.append(" · ")
            text.append(one_line(message.name, 36))
        if message.modified:
            text.append(f"  {MARK} modified")
        if self.busy:
            text.append("  · saving…")
        if self.app.readonly:
            text.append("  · read-only")
        title = self.query_one("#edit-title", Static)
        title.update(text)
        title.set_class(bool(message.modified), "-modified")
        self.sub_title = (f"{MARK} " if message.modified else "") + one_line(message.name, 40)

    def say(self, text: str, *, error: bool = False) -> None:
        """One line under the form: the outcome of the last thing done."""
        line = self.query_one("#edit-message", Static)
        line.update(Text(text))
        line.set_class(error, "-error")

    # -- loading ------------------------------------------------------------------------------

    @work(exclusive=True, group="edit-load", exit_on_error=False)
    async def fetch(self, identity_id: str) -> None:
        """Read the identity afresh: the list's copy may be minutes old."""
        try:
            identity = await self.app.client.get(identity_id)
        except LettaError as exc:
            self.post_message(self.LoadFailed(exc))
            return
        self.post_message(self.Loaded(identity))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        self.baseline = message.identity
        await self.form.load_draft(Draft.of(message.identity))
        self.form.loading = self.form.disabled = False
        self.form.focus_name()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.form.loading = self.form.disabled = False
        if isinstance(message.error, NotFound):
            self.app.pop_screen()
            self.app.notify("That identity was deleted on the server.", severity="warning", timeout=5)
            refresh_list(self.app, None)
            return
        self.say(f"Could not read a fresh copy ({message.error.message}) Showing the list's copy.", error=True)
        self.form.focus_name()

    # -- saving -------------------------------------------------------------------------------

    def action_readonly_save(self) -> None:
        self.say("Read-only connection: nothing was saved. Reconnect without --readonly to save.", error=True)

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

    # -- leaving ------------------------------------------------------------------------------

    def confirm_leave(self, then: Callable[[], Any]) -> None:
        """Run ``then`` now if nothing is modified; otherwise ask save, discard or stay first."""
        if self.busy:
            self.notify("Wait: a save is under way.", timeout=3)
            return
        self.form.refresh_marks()
        if not self.modified:
            then()
            return
        from identity_tui.tui.screens.confirm import LeaveScreen

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.after_save = then
                self.action_save()
            elif choice == "discard":
                then()

        can_save = not self.app.readonly
        keys = [row.key_input.value for row in self.form.rows]
        self.app.push_screen(LeaveScreen(describe_changes(self.modified, keys), can_save=can_save), answered)

    def action_back(self) -> None:
        """Back to the list, asking first when something is unsaved."""
        self.confirm_leave(self.app.pop_screen)

    def action_quit(self) -> None:
        """Quit the app, asking first when something is unsaved."""
        self.confirm_leave(self.app.exit)

    # -- other actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        readonly = self.app.readonly
        if action == "readonly_save":
            return readonly
        if readonly and action in WRITES:
            return False
        if action in ("delete_identity", "copy_id") and self.creating:
            return False
        return True

    def action_copy_id(self) -> None:
        """Copy the id through the terminal (OSC 52)."""
        if self.identity_id:
            self.app.copy_to_clipboard(self.identity_id)
            self.notify(f"Copied {self.identity_id}", timeout=3, markup=False)

    @on(Button.Pressed, "#delete")
    def action_delete_identity(self) -> None:
        """Delete this identity after typing its key (unsaved edits go with it)."""
        if self.baseline is not None and not self.creating:
            from identity_tui.tui.screens.confirm import ask_delete

            ask_delete(self.app, self.baseline)

    @on(Button.Pressed, "#revert")
    def action_revert(self) -> None:
        """Put back the values as loaded, after a confirmation."""
        self.form.refresh_marks()
        if not self.modified:
            self.say("Nothing to revert.")
            return
        from identity_tui.tui.screens.confirm import ConfirmScreen

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.form.load_draft(self.form.loaded)
                self.form.focus_name()
                self.say("Reverted to the values as loaded.")

        text = "Every field goes back to the values as loaded."
        self.app.push_screen(ConfirmScreen("Revert all changes?", text, yes="Revert"), answered)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#add-property")
    async def action_add_property(self) -> None:
        """Add an empty string property at the end (appending keeps the save a PATCH)."""
        await self.form.props.add()
        self.form.refresh_marks()

    def _row(self, what: str) -> PropertyRow | None:
        row = self.form.props.row_of(self.focused)
        if row is None:
            self.say(f"Put the cursor in a property row to {what}.")
        return row

    async def action_delete_property(self) -> None:
        """Remove the focused property row; nothing is sent until ctrl+s."""
        row = self._row("delete it")
        if row is None:
            return
        key = row.key_input.value
        index = await self.form.props.delete(row)
        if not self.form.rows:
            self.query_one("#add-property").focus()
        self.form.refresh_marks()
        self.say(f"Removed row {index + 1} ({one_line(key, 30) or 'no key'}): ctrl+s saves, ctrl+z reverts all.")

    def action_move_up(self) -> None:
        """Move the focused row up one place."""
        row = self._row("move it")
        if row is not None and self.form.props.move(row, -1):
            self.form.refresh_marks()

    def action_move_down(self) -> None:
        """Move the focused row down one place."""
        row = self._row("move it")
        if row is not None and self.form.props.move(row, 1):
            self.form.refresh_marks()

    def action_cycle_type(self) -> None:
        """Next type for the focused row: string, number, boolean, json."""
        row = self._row("change its type")
        if row is not None:
            row.cycle_type()

    def action_external_editor(self) -> None:
        """Open the focused value in $VISUAL or $EDITOR, the app suspended meanwhile."""
        from identity_tui.tui.widgets.value_editors import edit_externally

        row = self.form.props.row_of(self.focused)
        if row is None or row.focused_part() != "value":
            self.say("Put the cursor on a property value to open it in $EDITOR.")
            return
        if row.ptype is PropertyType.BOOLEAN:
            self.say("A boolean has no text to edit: space toggles it.")
            return
        text, problem = edit_externally(self.app, row.editor.text, row.ptype)
        if problem:
            self.say(problem, error=True)
        elif text is not None:
            row.editor.load_text(text)
            self.form.refresh_marks()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for the form."""
        if not self.app.readonly:
            yield SystemCommand("Save", "Preview and send the changes (ctrl+s)", self.action_save)
            yield SystemCommand("Revert", "Put back the values as loaded (ctrl+z)", self.action_revert)
            yield SystemCommand("Add property", "A new row at the end (ctrl+n)", self.action_add_property)
            yield SystemCommand("Delete property", "Remove the focused row (ctrl+d)", self.action_delete_property)
            yield SystemCommand("Move property up", "The focused row (alt+up)", self.action_move_up)
            yield SystemCommand("Move property down", "The focused row (alt+down)", self.action_move_down)
            yield SystemCommand("Change property type", "string, number, boolean, json (ctrl+t)",
                                self.action_cycle_type)
            yield SystemCommand("Edit value in $EDITOR", "The focused value (F4)", self.action_external_editor)
            if not self.creating:
                yield SystemCommand("Delete identity", "After typing its identifier key", self.action_delete_identity)
        if not self.creating:
            yield SystemCommand("Copy id", "Copy this identity's id", self.action_copy_id)
        yield SystemCommand("Back", "Back to the list (asks about unsaved changes)", self.action_back)


def refresh_list(app: Any, select_id: str | None) -> None:
    """Reload the list screen underneath, selecting ``select_id``."""
    from identity_tui.tui.screens.list import ListScreen

    for screen in app.screen_stack:
        if isinstance(screen, ListScreen):
            screen.refresh_after_write(select_id)


def open_edit(app: Any, identity: Identity) -> None:
    """Open the form for ``identity``; a modified form already open is asked about first."""
    current = app.screen
    if isinstance(current, EditScreen):
        if current.identity_id == identity.id:
            return

        def swap() -> None:
            app.pop_screen()
            app.push_screen(EditScreen(identity))

        current.confirm_leave(swap)
        return
    app.push_screen(EditScreen(identity))


def open_create(app: Any) -> None:
    """Open an empty form for a new identity (type user, project from the connection)."""
    if app.readonly:
        app.notify("Read-only: creating is turned off.", severity="warning")
        return
    app.push_screen(EditScreen(None, project_id=app.conn.project_id))
