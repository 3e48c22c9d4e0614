"""Keeping one form's draft: written a moment after the typing stops, removed when the form is back to what was loaded.

Textual-free: the edit screen hands in texts and asks when the next write is due; the clocks are injectable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from identity_tui.core.draft_store import DraftStore
from identity_tui.core.draft_texts import FormTexts, SavedDraft
from identity_tui.core.models import Identity

# Written this long after the last change, and at least this often while changes keep coming.
DELAY = 0.7
MAX_WAIT = 5.0


@dataclass(frozen=True)
class _State:
    identity_id: str | None
    base: Identity | None
    texts: FormTexts


class DraftKeeper:
    """One form's draft: debounced writes while it is modified, removal when it is not, a flush on demand.

    It only ever removes the file it wrote (or adopted on restore), so opening an identity that has an
    older draft on disk never deletes that draft.
    """

    def __init__(
        self,
        store: DraftStore,
        form_id: str,
        *,
        delay: float = DELAY,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.store = store
        self.form_id = form_id
        self.delay = delay
        self.max_wait = max_wait
        self.clock = clock
        self.now = now
        self.written: Path | None = None
        self.closed = False
        self._on_disk: _State | None = None
        self._pending: _State | None = None
        self._first_change: float | None = None
        self._due: float | None = None

    def adopt(self, draft: SavedDraft) -> None:
        """Take over a restored draft's file: it is this form's from now on (rewritten if it moves)."""
        self.written = draft.path
        if draft.path == self.store.path(self.form_id, draft.identity_id):
            self._on_disk = _State(draft.identity_id, draft.base, draft.texts)

    def update(self, identity_id: str | None, base: Identity | None, texts: FormTexts | None) -> None:
        """The form changed: ``texts`` when it is modified, None when it equals what was loaded."""
        if self.closed:
            return
        if texts is None:
            self._cancel()
            self._remove()
            return
        state = _State(identity_id, base, texts)
        if state == self._on_disk:
            self._cancel()
            return
        now = self.clock()
        if self._pending is None:
            self._first_change = now
        self._pending = state
        assert self._first_change is not None
        self._due = min(now + self.delay, self._first_change + self.max_wait)

    def wait(self) -> float | None:
        """Seconds until the pending write is due (0 when overdue), or None when nothing is pending."""
        if self._due is None:
            return None
        return max(0.0, self._due - self.clock())

    def tick(self) -> bool:
        """Write the pending draft if it is due; True when a file was written."""
        if self._due is None or self.clock() < self._due:
            return False
        return self.flush()

    def flush(self) -> bool:
        """Write the pending draft now (a signal, the app stopping); True when a file was written."""
        state = self._pending
        if state is None or self.closed:
            return False
        draft = SavedDraft(
            server=self.store.server,
            form_id=self.form_id,
            identity_id=state.identity_id,
            base=state.base,
            texts=state.texts,
            saved_at=self.now(),
        )
        path = self.store.write(draft)
        self._cancel()
        self._on_disk = state
        if self.written is not None and self.written != path:
            self.store.remove(self.written)  # a created identity's draft moves from new--… to its id
        self.written = path
        return True

    def discard(self) -> None:
        """The form was saved, discarded or deleted: remove its draft and keep no more."""
        self._cancel()
        self._remove()
        self.closed = True

    def _cancel(self) -> None:
        self._pending = None
        self._first_change = None
        self._due = None

    def _remove(self) -> None:
        if self.written is not None:
            self.store.remove(self.written)
        self.written = None
        self._on_disk = None
