"""Drafts: a modified form's raw texts kept on disk, so a dropped SSH session or a kill loses no edit.

Each open form has one JSON file under ``state_dir()/drafts/<server hash>/``, written atomically with
mode 0600 a moment after the typing stops; it holds the identity as loaded (the base) and every field's
text, never a token. Textual-free: the edit screen hands in texts and the clock is injectable.

This module is the drafts' one address; the parts live in ``draft_texts`` (what a draft holds),
``draft_store`` (the files), ``draft_keeper`` (one form's debounced writes) and ``draft_words`` (the
restore offer's words).
"""

from __future__ import annotations

# drafts_dir and server_key live in config (the list needs them before any draft is read).
from identity_tui.core.config import drafts_dir, server_key
from identity_tui.core.draft_keeper import DELAY, MAX_WAIT, DraftKeeper
from identity_tui.core.draft_store import DraftStore
from identity_tui.core.draft_texts import FORMAT, FormTexts, RowText, SavedDraft, as_new, new_form_id
from identity_tui.core.draft_words import describe_age, describe_changes, server_changes

__all__ = [
    "DELAY",
    "FORMAT",
    "MAX_WAIT",
    "DraftKeeper",
    "DraftStore",
    "FormTexts",
    "RowText",
    "SavedDraft",
    "as_new",
    "describe_age",
    "describe_changes",
    "drafts_dir",
    "new_form_id",
    "server_changes",
    "server_key",
]
