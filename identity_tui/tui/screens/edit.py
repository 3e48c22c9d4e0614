"""The edit screen: loads one identity afresh, and asks before unsaved changes could be lost.

One class composing two helpers: ``FormDrafts`` keeps the texts on disk while they are modified, and
``SaveFlow`` drives the core's save transaction, from ctrl+s to the outcome, in one worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from identity_tui.core.display import one_line
from identity_tui.core.draft import Draft
from identity_tui.core.draft_texts import FormTexts, SavedDraft
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.form import empty_draft
from identity_tui.core.models import Identity
from identity_tui.tui.form_model import modified_labels
from identity_tui.tui.messages import DeleteIdentity, IdentityWritten, RestoreAsNew
from identity_tui.tui.screens.base import HoldsUnsavedWork, ReportsWorkerErrors
from identity_tui.tui.screens.confirm import ConfirmScreen, LeaveScreen
from identity_tui.tui.screens.edit_base import EditBase
from identity_tui.tui.screens.edit_drafts import FormDrafts, form_texts, restored_baseline
from identity_tui.tui.screens.edit_save import SaveFlow
from identity_tui.tui.widgets.edit_form import MARK, EditForm, Marked, set_text
from identity_tui.tui.widgets.key_bar import KeyBar

WRITES = frozenset({"save", "revert", "delete_identity"})


class EditScreen(ReportsWorkerErrors, HoldsUnsavedWork, EditBase):
    """Edit an identity (or create one when ``identity`` is None); ctrl+s previews and saves."""

    CSS_PATH = "../edit.tcss"
    AUTO_FOCUS = None

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True, id="edit.save"),
        Binding("ctrl+s,f2", "readonly_save", "Save (refused: read-only)", show=False, priority=True,
                id="edit.save_readonly"),
        Binding("escape", "back", "Back", id="edit.back"),
        Binding("ctrl+r", "revert", "Revert the whole form (asks first)", show=False, id="edit.revert"),
        # A JSON value's editor takes ctrl+z itself (its undo); anywhere else it only says so.
        Binding("ctrl+z", "undo_elsewhere", "Undo typing in a JSON value (the whole form: ctrl+r)", show=False,
                id="edit.undo"),
        # No plain letter deletes or quits here: stray typing where no text field has the focus is harmless.
        Binding("ctrl+delete", "delete_identity", "Delete identity", show=False, id="edit.delete"),
        Binding("c", "copy_id", "Copy id", show=False, id="edit.copy_id"),
        Binding("ctrl+q,ctrl+c", "quit", "Quit", show=False, id="edit.quit"),
        Binding("q", "nothing", "Nothing here (ctrl+q quits from the form)", show=False, id="edit.q"),
    ]

    @dataclass
    class Loaded(Message):
        """A fresh copy of the identity came back."""

        identity: Identity

    @dataclass
    class LoadFailed(Message):
        """Reading the identity failed."""

        error: LettaError

    def __init__(self, identity: Identity | None = None, *, project_id: str | None = None,
                 fetch: bool = True) -> None:
        super().__init__()
        self.baseline = identity
        self.creating = identity is None
        self._initial = Draft.of(identity) if identity else empty_draft(project_id)
        self._fetch = fetch and identity is not None
        self._said_texts: FormTexts | None = None  # the form's texts when the line's sentence was said
        self.drafts = FormDrafts(self)
        self.saving = SaveFlow(self)
        self._keys_held: Callable[[], None] | None = None  # lets the keys held while the form loads go

    @property
    def modified(self) -> set[str]:
        return self.form.modified

    def has_unsaved_work(self) -> bool:
        """Whether the form holds changes (or a save is under way)."""
        return bool(self.modified) or self.busy

    @property
    def busy(self) -> bool:
        """Whether a save is waiting for the server."""
        return self.saving.busy

    def compose(self) -> ComposeResult:
        # The title shows at once, also while hundreds of rows are still going in.
        yield Static(self._heading_text(self._initial.name, modified=False), id="edit-title")
        # A form that waits for the fresh copy is covered while it loads: its rows come with that copy (the
        # list's are loaded only if the read fails), so a big identity's rows are read into the form once.
        shown = replace(self._initial, properties=()) if self._fetch else self._initial
        yield EditForm(shown, identity_id=self.identity_id, readonly=self.app.readonly)
        yield Static("", id="edit-message")
        yield KeyBar()

    def on_mount(self) -> None:
        store = self.app.draft_store()
        drafts = self.drafts
        restoring = drafts.restoring
        drafts.start(store)
        if store is not None and restoring is None and self.identity_id is not None and store.paths_for(self.identity_id):
            self.notify("This identity has an unsaved draft from an earlier session: the Drafts command "
                        "(ctrl+p) restores it.", timeout=6)
        if drafts.restoring is not None and not self._fetch:
            self.call_later(self._draft_apply, None)
        if self._fetch:
            # Nothing can be typed until the fresh copy is in: it would be overwritten. Keys typed meanwhile
            # are held by the app, in order, and go to the form once it is ready (esc still leaves at once).
            self.form.loading = True
            self.form.disabled = True
            self._keys_held = self.app.hold_keys()
            self.watch(self.form, "disabled", self._form_ready, init=False)
            assert self.baseline is not None  # a fetch is asked only with an identity to read
            self.fetch(self.baseline.id)
        else:
            self.form.focus_name()

    def _form_ready(self, disabled: bool) -> None:
        if not disabled:
            self._let_keys_go()

    def _let_keys_go(self) -> None:
        release, self._keys_held = self._keys_held, None
        if release is not None:
            release()

    @on(EditForm.Said)
    def _said(self, message: EditForm.Said) -> None:
        self.say(message.text, error=message.error)
        self._said_texts = None  # the form's own sentence is about the change just made

    def _heading_text(self, name: str, *, modified: bool) -> Text:
        readonly = self.app.readonly
        heading = "View identity" if readonly else "New identity" if self.creating else "Edit identity"
        text = Text(heading, style="bold")
        if name:
            text.append(" · ")
            text.append(one_line(name, 36))
        if modified and not readonly:
            text.append(f"  {MARK} modified")
        if self.busy:
            text.append("  · saving…")
        if readonly:
            text.append("  · read-only")
        return text

    @on(EditForm.Marked)
    def _marked(self, message: Marked) -> None:
        text = self._heading_text(message.name, modified=bool(message.modified))
        title = self.query_one("#edit-title", Static)
        set_text(title, text, layout=False)  # a layout per keystroke costs dearly with hundreds of rows
        title.set_class(bool(message.modified), "-modified")
        self.sub_title = (f"{MARK} " if message.modified else "") + one_line(message.name, 40)
        self._draft_changed()
        if self._said_texts is not None and self._said_texts != form_texts(self.form):
            self.say("")  # the last sentence was about the form as it was before this edit

    def say(self, text: str, *, error: bool = False) -> None:
        """One line under the form: the outcome of the last thing done."""
        line = self.query_one("#edit-message", Static)
        line.update(Text(text))
        line.set_class(error, "-error")
        # Compared at each change of the form until it differs (then the sentence goes): only while one shows.
        self._said_texts = form_texts(self.form) if text and self.form.is_mounted else None

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
        if self.drafts.restoring is not None:
            await self._draft_apply(message.identity)
            return
        self.baseline = message.identity
        self.form.open(Draft.of(message.identity))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.form.loading = self.form.disabled = False
        if self.drafts.restoring is not None:
            self._draft_load_failed(message.error)
            return
        if isinstance(message.error, NotFound):
            self.app.pop_screen()
            self.app.notify("That identity was deleted on the server.", severity="warning", timeout=5)
            self.app.post_message(IdentityWritten(None))
            return
        self.form.show(self._initial)
        self.say(f"Could not read a fresh copy ({message.error.message}) Showing the list's copy.", error=True)
        self.form.focus_name()

    # -- leaving ------------------------------------------------------------------------------

    def confirm_leave(self, then: Callable[[], Any]) -> None:
        """Run ``then`` now if nothing is modified; otherwise ask save, discard or stay first."""
        # Never a plain refusal while a save waits: stop waiting first, then ask as usual.
        self.cancel_save()
        self.form.refresh_marks()
        if not self.modified:
            then()
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.saving.after_save = then
                self.saving.save()
            elif choice == "discard":
                self.drop_draft()
                then()

        can_save = not self.app.readonly
        keys = [row.key for row in self.form.values().rows]
        self.app.push_screen(LeaveScreen(modified_labels(self.modified, keys), can_save=can_save), answered)

    def action_back(self) -> None:
        """Back to the list, asking first when something is unsaved; while a save waits, stop waiting."""
        if not self.cancel_save():
            self.confirm_leave(self.app.pop_screen)

    def action_quit(self) -> None:
        """Quit the app, asking first when something is unsaved."""
        self.confirm_leave(self.app.exit)

    # -- drafts (kept by FormDrafts) ------------------------------------------------------------

    def restoring(self, draft: SavedDraft) -> EditScreen:
        """Open with ``draft`` applied once the form is ready (see ``screens.restore``)."""
        self.drafts.restoring = draft
        return self

    @property
    def draft_form_id(self) -> str | None:
        """The id naming this form's draft file (None when no draft is kept)."""
        return self.drafts.form_id

    def flush_draft(self) -> None:
        """Write the draft now if a change is pending (a signal is stopping the app)."""
        self.drafts.flush()

    def drop_draft(self) -> None:
        """The edits are given up (or saved): remove the draft and keep no more."""
        self.drafts.drop()

    def _draft_changed(self) -> None:
        """After the marks were recomputed: note the texts (or that nothing is modified any more)."""
        if not self.drafts.keeping or not self.is_mounted:
            return  # checked before the texts are read: that costs a pass over every row
        texts = form_texts(self.form) if self.form.modified else None
        self.drafts.changed(self.identity_id, None if self.creating else self.baseline, texts)

    def on_unmount(self) -> None:
        self._let_keys_go()
        self.drafts.closed(self.app.is_running)

    def _draft_load_failed(self, error: LettaError) -> None:
        if isinstance(error, NotFound):
            # Deleted on the server: the texts open as a new identity rather than being lost.
            draft = self.drafts.take_restoring()
            assert draft is not None  # a draft's load is the only one that fails here
            self.app.pop_screen()
            self.app.post_message(RestoreAsNew(draft))
            return
        self.call_later(self._draft_apply, None, error.message.rstrip("."))

    async def _draft_apply(self, fresh: Identity | None, problem: str | None = None) -> None:
        """Show the restored draft's texts; "modified" compares with the identity as the draft found it."""
        draft = self.drafts.take_restoring()
        if draft is None:
            return
        baseline, note = restored_baseline(draft, fresh, problem)
        if baseline is not None:
            self.baseline = baseline
        form = self.form
        await form.load_draft(draft.texts.draft())
        form.rebase(Draft.of(baseline) if baseline is not None else self._initial)
        self.drafts.adopt(draft)
        form.loading = form.disabled = False
        form.focus_name()
        self.say(note)
        self._draft_changed()

    # -- saving (driven by SaveFlow, in one worker) ------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Validate, re-read and merge, then preview the plan (unless turned off), then send it.

        ctrl+s is a priority key; the app's key gate hands it on only once the keys typed ahead of it have
        reached their field (a burst ending in ctrl+s saves every key of it).
        """
        self.saving.save()

    def action_readonly_save(self) -> None:
        self.saving.readonly_save()

    def cancel_save(self) -> bool:
        """Stop waiting for the server (esc): the form keeps its edits; the next save learns what landed."""
        return self.saving.cancel_save()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A crash in a worker: the form must come back to life. The error reaches the app's dialog through
        # ReportsWorkerErrors' own handler, which Textual calls too (a super() call here made two dialogs).
        if event.state is WorkerState.ERROR:
            self.form.loading = self.form.disabled = False
            if event.worker.group == "edit-save":
                self.saving.crashed()

    async def become_editor(self, identity: Identity, typed: Draft | None = None) -> None:
        """From now on this is ``identity``'s edit form; ``typed`` values stay, compared with what it holds."""
        self.creating = False
        self.baseline = identity
        await self.form.remove()
        form = EditForm(Draft.of(identity), identity_id=identity.id, readonly=self.app.readonly)
        await self.mount(form, after="#edit-title")
        if typed is not None:
            await form.load_draft(replace(typed, project_id=identity.project_id))
            form.rebase(Draft.of(identity))

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

    def action_nothing(self) -> None:
        """Swallow a key that means something elsewhere."""

    def action_undo_elsewhere(self) -> None:
        """ctrl+z outside a JSON value: say what it does, and what reverts the form."""
        self.say("ctrl+z undoes typing in a JSON value only; ctrl+r reverts the whole form (after asking).")

    def action_copy_id(self) -> None:
        """Copy the id through the terminal (OSC 52)."""
        if self.identity_id:
            self.app.copy_to_clipboard(self.identity_id)
            self.notify(f"Copied {self.identity_id}", timeout=3, markup=False)

    @on(Button.Pressed, "#add-property")
    def _add_property_pressed(self) -> None:
        # Here, not on the form's row commands: Textual reads @on handlers from the widget classes themselves,
        # not from a plain mixin, so the button's press went unheard there.
        self.form.action_add_property()

    @on(Button.Pressed, "#delete")
    def action_delete_identity(self) -> None:
        """Delete this identity after typing its key (unsaved edits go with it)."""
        if self.baseline is not None and not self.creating:
            self.app.post_message(DeleteIdentity(self.baseline))

    @on(Button.Pressed, "#revert")
    def action_revert(self) -> None:
        """Put back the values as loaded, after a confirmation."""
        self.form.refresh_marks()
        if not self.modified:
            self.say("Nothing to revert.")
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.form.load_draft(self.form.loaded)
                self.form.focus_name()
                self.say("Reverted to the values as loaded.")

        text = "Every field goes back to the values as loaded."
        self.app.push_screen(ConfirmScreen("Revert all changes?", text, yes="Revert"), answered)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for the form."""
        if not self.app.readonly:
            yield SystemCommand("Save", "Preview and send the changes (ctrl+s)", self.action_save)
            yield SystemCommand("Revert", "Put back the values as loaded (ctrl+r)", self.action_revert)
            yield from self.form.palette_commands()
            if not self.creating:
                yield SystemCommand("Delete identity", "After typing its identifier key (ctrl+delete)",
                                    self.action_delete_identity)
        yield SystemCommand("Find in properties", "A text in the property keys and values (ctrl+f; F3 next)",
                            self.form.action_find)
        yield SystemCommand("Copy value", "The focused field's value, or the cursor row's (ctrl+o)",
                            self.form.action_copy_value)
        yield SystemCommand("Copy key", "The cursor row's key (ctrl+g)", self.form.action_copy_key)
        if not self.creating:
            yield SystemCommand("Copy id", "Copy this identity's id", self.action_copy_id)
        yield SystemCommand("Back", "Back to the list (asks about unsaved changes)", self.action_back)

