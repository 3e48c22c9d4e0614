"""The edit screen: loads one identity afresh, and asks before unsaved changes could be lost.

Saving lives in ``edit_save``; every request runs in a worker and answers with a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Button, Static

from identity_tui.core.display import one_line
from identity_tui.core.drafts import FormTexts, SavedDraft
from identity_tui.core.errors import LettaError, NotFound
from identity_tui.core.form import empty_draft
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft
from identity_tui.tui.form_model import describe_changes
from identity_tui.tui.screens.edit_drafts import DraftKeepingScreen
from identity_tui.tui.screens.edit_save import refresh_list
from identity_tui.tui.widgets.edit_form import EditForm
from identity_tui.tui.widgets.key_bar import KeyBar
from identity_tui.tui.widgets.property_row import MARK, set_text

WRITES = frozenset({"save", "revert", "delete_identity"})


class EditScreen(DraftKeepingScreen):
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
        self.after_save: Callable[[], Any] | None = None
        self.busy = False
        self._fetch = fetch and identity is not None
        self._refocus: str | None = None
        self._said_texts: FormTexts | None = None  # the form's texts when the line's sentence was said

    @property
    def modified(self) -> set[str]:
        return self.form.modified

    def compose(self) -> ComposeResult:
        # The title shows at once, also while hundreds of rows are still going in.
        yield Static(self._heading_text(self._initial.name, modified=False), id="edit-title")
        yield EditForm(self._initial, identity_id=self.identity_id, readonly=self.app.readonly)
        yield Static("", id="edit-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self._draft_start()
        if self._fetch:
            # Nothing can be typed until the fresh copy is in: it would be overwritten.
            self.form.loading = True
            self.form.disabled = True
            self.fetch(self.baseline.id)  # type: ignore[union-attr]
        else:
            self.form.focus_name()

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
    def _marked(self, message: EditForm.Marked) -> None:
        text = self._heading_text(message.name, modified=bool(message.modified))
        title = self.query_one("#edit-title", Static)
        set_text(title, text, layout=False)  # a layout per keystroke costs dearly with hundreds of rows
        title.set_class(bool(message.modified), "-modified")
        self.sub_title = (f"{MARK} " if message.modified else "") + one_line(message.name, 40)
        self._draft_changed()
        if self._said_texts is not None and self._said_texts != self._draft_texts():
            self.say("")  # the last sentence was about the form as it was before this edit

    def say(self, text: str, *, error: bool = False) -> None:
        """One line under the form: the outcome of the last thing done."""
        line = self.query_one("#edit-message", Static)
        line.update(Text(text))
        line.set_class(error, "-error")
        # Compared at each change of the form until it differs (then the sentence goes): only while one shows.
        self._said_texts = self._draft_texts() if text and self.form.is_mounted else None

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
        if self._restoring is not None:
            await self._draft_apply(message.identity)
            return
        self.baseline = message.identity
        # In the background, rows in batches: esc and other keys are answered while hundreds load.
        self.form.open(Draft.of(message.identity))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.form.loading = self.form.disabled = False
        if self._restoring is not None:
            self._draft_load_failed(message.error)
            return
        if isinstance(message.error, NotFound):
            self.app.pop_screen()
            self.app.notify("That identity was deleted on the server.", severity="warning", timeout=5)
            refresh_list(self.app, None)
            return
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
        from identity_tui.tui.screens.confirm import LeaveScreen

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.after_save = then
                self.action_save()
            elif choice == "discard":
                self.drop_draft()
                then()

        can_save = not self.app.readonly
        keys = [row.key_input.value for row in self.form.rows]
        self.app.push_screen(LeaveScreen(describe_changes(self.modified, keys), can_save=can_save), answered)

    def action_back(self) -> None:
        """Back to the list, asking first when something is unsaved; while a save waits, stop waiting."""
        if not self.cancel_save():
            self.confirm_leave(self.app.pop_screen)

    def action_quit(self) -> None:
        """Quit the app, asking first when something is unsaved."""
        self.confirm_leave(self.app.exit)

    # -- drafts (kept by DraftKeepingScreen) --------------------------------------------------

    def restoring(self, draft: SavedDraft) -> EditScreen:
        """Open with ``draft`` applied once the form is ready (see ``screens.restore``)."""
        self._restoring = draft
        return self

    def _draft_load_failed(self, error: LettaError) -> None:
        draft = self._restoring
        assert draft is not None
        if isinstance(error, NotFound):
            # Deleted on the server: the texts open as a new identity rather than being lost.
            from identity_tui.tui.screens.restore import restore_as_new

            self._restoring = None
            self.app.pop_screen()
            restore_as_new(self.app, draft)
            return
        self.call_later(self._draft_apply, None, error.message.rstrip("."))

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

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for the form."""
        if not self.app.readonly:
            yield SystemCommand("Save", "Preview and send the changes (ctrl+s)", self.action_save)
            yield SystemCommand("Revert", "Put back the values as loaded (ctrl+r)", self.action_revert)
            yield from self.form.palette_commands()
            if not self.creating:
                yield SystemCommand("Delete identity", "After typing its identifier key (ctrl+delete)",
                                    self.action_delete_identity)
        if not self.creating:
            yield SystemCommand("Copy id", "Copy this identity's id", self.action_copy_id)
        yield SystemCommand("Back", "Back to the list (asks about unsaved changes)", self.action_back)


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
