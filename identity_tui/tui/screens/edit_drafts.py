"""The draft-keeping half of the edit screen: while the form is modified its texts go to a draft file.

A dropped session (SIGHUP), a kill or a crash then loses nothing: the next start offers the draft back
(``screens.restore``). The file goes once the form is saved, discarded, reverted or its identity deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.timer import Timer

from identity_tui.core.drafts import (
    DraftKeeper,
    FormTexts,
    RowText,
    SavedDraft,
    describe_age,
    new_form_id,
    server_changes,
)
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft
from identity_tui.tui.screens.edit_save import SavingScreen


class DraftKeepingScreen(SavingScreen):
    """Base of the edit screen: keeps the form's draft on disk; the subclass calls the ``_draft_*`` hooks."""

    _initial: Draft
    _fetch: bool
    _keeper: DraftKeeper | None = None
    _restoring: SavedDraft | None = None
    _draft_timer: Timer | None = None
    _draft_warned = False

    def _draft_start(self) -> None:
        """On mount: start keeping (unless read-only), and apply a restored draft once the form is ready."""
        store = self.app.draft_store()
        if store is None:
            return  # read-only: nothing could be saved, so nothing is kept
        form_id = self._restoring.form_id if self._restoring is not None else new_form_id()
        self._keeper = DraftKeeper(store, form_id)
        if self._restoring is None and self.identity_id is not None and store.paths_for(self.identity_id):
            self.notify("This identity has an unsaved draft from an earlier session: the Drafts command "
                        "(ctrl+p) restores it.", timeout=6)
        if self._restoring is not None and not self._fetch:
            self.call_later(self._draft_apply, None)

    @property
    def draft_form_id(self) -> str | None:
        """The id naming this form's draft file (None when no draft is kept)."""
        return self._keeper.form_id if self._keeper is not None else None

    def _draft_texts(self) -> FormTexts:
        values = self.form.values()
        rows = []
        for row in self.form.rows:
            editor = row.editor
            text = "" if getattr(editor, "pending", False) else editor.text
            rows.append(RowText(row.key_input.value, row.ptype.value, text))
        return FormTexts(values.name, values.identifier_key, str(values.identity_type), values.project_id,
                         tuple(rows))

    def _draft_changed(self) -> None:
        """After the marks were recomputed: note the texts (or that nothing is modified any more)."""
        keeper = self._keeper
        if keeper is None or self._restoring is not None or not self.is_mounted:
            return
        texts = self._draft_texts() if self.form.modified else None
        self._draft_io(keeper.update, self.identity_id, None if self.creating else self.baseline, texts)
        self._draft_schedule()

    def _draft_schedule(self) -> None:
        wait = self._keeper.wait() if self._keeper is not None else None
        if wait is None:
            if self._draft_timer is not None:
                self._draft_timer.stop()
                self._draft_timer = None
        elif self._draft_timer is None:
            # One timer at a time: when it fires early (typing went on) it is set again for the rest.
            self._draft_timer = self.set_timer(max(wait, 0.01), self._draft_tick)

    def _draft_tick(self) -> None:
        self._draft_timer = None
        if self._keeper is not None:
            self._draft_io(self._keeper.tick)
        self._draft_schedule()

    def _draft_io(self, call: Callable[..., Any], *args: Any) -> None:
        try:
            call(*args)
        except OSError as exc:
            if not self._draft_warned:
                self._draft_warned = True
                self.notify(f"Could not keep a draft of this form ({exc.strerror or exc}): a lost session "
                            "would lose these edits.", severity="warning", timeout=8, markup=False)

    def flush_draft(self) -> None:
        """Write the draft now if a change is pending (a signal is stopping the app)."""
        if self._keeper is not None:
            self._draft_io(self._keeper.flush)

    def drop_draft(self) -> None:
        """The edits are given up (or saved): remove the draft and keep no more."""
        if self._keeper is not None:
            self._draft_io(self._keeper.discard)

    @on(SavingScreen.Sent)
    def _draft_saved(self) -> None:
        # Runs before the save's own handler, which may close the form or quit: what was typed is saved.
        if self._keeper is not None:
            self._draft_io(self._keeper.update, self.identity_id, self.baseline, None)

    def on_unmount(self) -> None:
        if self._keeper is None:
            return
        if self.app.is_running:
            self.drop_draft()  # closed from inside the app: saved, discarded or deleted
        else:
            self.flush_draft()  # the app is stopping under the form (a signal, a crash): keep the edit

    async def _draft_apply(self, fresh: Identity | None, problem: str | None = None) -> None:
        """Show the restored draft's texts; "modified" compares with the identity as the draft found it."""
        draft, self._restoring = self._restoring, None
        if draft is None:
            return
        note = f"Restored the draft from {describe_age(draft.saved_at)}."
        if draft.base is not None:
            changed = server_changes(draft.base, fresh) if fresh is not None else []
            # An unchanged server copy is the baseline; a changed one is not, so that saving sends only
            # what the draft changed and the copy the draft began from stays what it is compared with.
            self.baseline = fresh if fresh is not None and not changed else draft.base
            loaded = Draft.of(self.baseline)
            if changed:
                note += (f" The server copy has changed since ({', '.join(changed[:4])}): the marks compare "
                         "with the copy the draft began from. Check the preview before saving.")
            elif problem:
                note += f" Could not read the server copy ({problem}): check the preview before saving."
        else:
            loaded = self._initial
        form = self.form
        await form.load_draft(draft.texts.draft())
        form.rebase(loaded)
        if self._keeper is not None:
            self._keeper.adopt(draft)
        form.loading = form.disabled = False
        form.focus_name()
        self.say(note)
        self._draft_changed()
