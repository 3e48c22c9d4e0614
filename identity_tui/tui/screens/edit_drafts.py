"""The edit screen's draft keeper: while the form is modified its texts go to a draft file.

A dropped session (SIGHUP), a kill or a crash then loses nothing: the next start offers the draft back
(``screens.restore``). The file goes once the form is saved, discarded, reverted or its identity deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from identity_tui.core.draft_keeper import DraftKeeper
from identity_tui.core.draft_store import DraftStore
from identity_tui.core.draft_texts import FormTexts, SavedDraft, new_form_id
from identity_tui.core.draft_words import describe_age, server_changes
from identity_tui.core.models import Identity
from identity_tui.tui.widgets.edit_form import EditForm

if TYPE_CHECKING:
    from identity_tui.tui.screens.base import AppScreen


def form_texts(form: EditForm) -> FormTexts:
    """The form's texts as typed (a draft keeps half-typed and invalid values too)."""
    return form.texts()


def restored_baseline(draft: SavedDraft, fresh: Identity | None, problem: str | None) -> tuple[Identity | None, str]:
    """What a restored draft's form compares with, and the sentence that says where it came from.

    An unchanged server copy is the baseline; a changed one is not, so that saving sends only what the
    draft changed and the copy the draft began from stays what it is compared with.
    """
    note = f"Restored the draft from {describe_age(draft.saved_at)}."
    if draft.base is None:
        return None, note
    changed = server_changes(draft.base, fresh) if fresh is not None else []
    baseline = fresh if fresh is not None and not changed else draft.base
    if changed:
        note += (f" The server copy has changed since ({', '.join(changed[:4])}): the marks compare "
                 "with the copy the draft began from. Check the preview before saving.")
    elif problem:
        note += f" Could not read the server copy ({problem}): check the preview before saving."
    return baseline, note


class FormDrafts:
    """One form's draft on disk, written a moment after typing stops (a timer on ``node``, the screen)."""

    def __init__(self, node: AppScreen[Any], restoring: SavedDraft | None = None) -> None:
        self.node = node
        self.keeper: DraftKeeper | None = None  # none until started, and none at all when read-only
        self.restoring = restoring
        self._timer: Timer | None = None
        self._warned = False

    def start(self, store: DraftStore | None) -> None:
        """Keep drafts in ``store`` from now on (None: read-only, nothing could be saved, so nothing is kept)."""
        if store is None:
            self.restoring = None
            return
        timing = self.node.app.timing
        form_id = self.restoring.form_id if self.restoring is not None else new_form_id()
        self.keeper = DraftKeeper(store, form_id, delay=timing.draft_delay, max_wait=timing.draft_max_wait,
                                  clock=timing.clock)

    @property
    def form_id(self) -> str | None:
        """The id naming this form's draft file (None when no draft is kept)."""
        return self.keeper.form_id if self.keeper is not None else None

    @property
    def keeping(self) -> bool:
        """Whether the form's changes are noted now (not read-only, no restored draft still to apply)."""
        return self.keeper is not None and self.restoring is None

    def changed(self, identity_id: str | None, base: Identity | None, texts: FormTexts | None) -> None:
        """The marks were recomputed: note the texts (None: nothing is modified any more)."""
        keeper = self.keeper
        if keeper is None or not self.keeping:
            return
        self._io(keeper.update, identity_id, base, texts)
        self._schedule()

    @property
    def pending(self) -> bool:
        """Whether a write is waiting for typing to pause (nothing is written later when False)."""
        return self._timer is not None

    def _schedule(self) -> None:
        wait = self.keeper.wait() if self.keeper is not None else None
        if wait is None:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
        elif self._timer is None:
            # One timer at a time: when it fires early (typing went on) it is set again for the rest.
            self._timer = self.node.set_timer(max(wait, 0.01), self._tick)

    def _tick(self) -> None:
        self._timer = None
        if self.keeper is not None:
            self._io(self.keeper.tick)
        self._schedule()

    def _io(self, call: Callable[..., Any], *args: Any) -> None:
        try:
            call(*args)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                self.node.notify(f"Could not keep a draft of this form ({exc.strerror or exc}): a lost session "
                                 "would lose these edits.", severity="warning", timeout=8, markup=False)

    def flush(self) -> None:
        """Write the draft now if a change is pending (a signal is stopping the app)."""
        if self.keeper is not None:
            self._io(self.keeper.flush)

    def drop(self) -> None:
        """The edits are given up (or saved): remove the draft and keep no more."""
        if self.keeper is not None:
            self._io(self.keeper.discard)

    def saved(self, identity_id: str | None, base: Identity | None) -> None:
        """What was typed is on the server: nothing is left to keep."""
        if self.keeper is not None:
            self._io(self.keeper.update, identity_id, base, None)

    def closed(self, app_running: bool) -> None:
        """The form is gone: closed from inside the app (drop), or the app stopping under it (keep)."""
        if app_running:
            self.drop()  # saved, discarded or deleted
        else:
            self.flush()  # a signal or a crash: keep the edit

    def take_restoring(self) -> SavedDraft | None:
        """The draft to apply now, once (``adopt`` it once its texts are in the form)."""
        draft, self.restoring = self.restoring, None
        return draft

    def adopt(self, draft: SavedDraft) -> None:
        """The restored draft's file is this form's from now on."""
        if self.keeper is not None:
            self.keeper.adopt(draft)
