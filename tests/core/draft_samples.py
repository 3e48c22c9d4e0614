"""A saved draft of Alice and the form texts in it, for the drafts tests."""

from __future__ import annotations

from datetime import datetime, timezone

from identity_tui.core.draft_texts import FormTexts, RowText, SavedDraft
from identity_tui.core.models import Identity

from .samples import ALICE

BASE = Identity.model_validate(ALICE)
SERVER = "http://letta.test:8283"
WHEN = datetime(2026, 5, 9, 7, 30, tzinfo=timezone.utc)


def texts(name: str = "Alice Jr", **changes) -> FormTexts:
    rows = changes.pop(
        "rows",
        (RowText("email", "string", "alice@example.com"), RowText("age", "number", "30")),
    )
    return FormTexts(name, changes.pop("identifier_key", "alice"), changes.pop("identity_type", "user"),
                     None, tuple(rows))


def saved(**fields) -> SavedDraft:
    values = dict(server=SERVER, form_id="0123456789ab", identity_id=BASE.id, base=BASE, texts=texts(),
                  saved_at=WHEN)
    values.update(fields)
    return SavedDraft(**values)
