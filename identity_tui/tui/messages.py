"""The app-wide messages: a screen says what should happen next, and the app routes it (``navigation``).

No screen imports another screen to push it or walks the screen stack: it posts one of these to the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # names for annotations only: this module never loads the models at run time
    from identity_tui.core.draft_texts import SavedDraft
    from identity_tui.core.models import Identity
    from identity_tui.core.summary import IdentitySummary


@dataclass
class OpenIdentity(Message):
    """Open this identity's form (a modified form already open is asked about first)."""

    identity: Identity


@dataclass
class NewIdentity(Message):
    """Open an empty form that creates an identity."""


@dataclass
class DeleteIdentity(Message):
    """Ask for the identity's key, then delete it; its forms close and the lists reload."""

    identity: Identity | IdentitySummary  # the list's row will do: its name, key and id are all it needs


@dataclass
class ShowDetails(Message):
    """The identity's fields, properties and links."""

    identity: Identity


@dataclass
class ShowRawJson(Message):
    """The identity as the server sent it."""

    identity: Identity


@dataclass
class ShowHistory(Message):
    """The write journal: one identity's records, or every record when ``identity_id`` is None."""

    identity_id: str | None = None
    identifier_key: str | None = None


@dataclass
class ExportIdentities(Message):
    """The export dialog for what the list's filters select."""

    query: dict
    where: tuple
    key_match: tuple[str, str] | None = None  # (prefix or contains, text): a key filter the list scans for
    ids: tuple[str, ...] | None = None  # the marked identities: exported instead of what the filters select


@dataclass
class IdentityWritten(Message):
    """Something was written: the lists reload, selecting ``select_id`` when given."""

    select_id: str | None = None


@dataclass
class RestoreDraft(Message):
    """Open a kept draft's form."""

    draft: SavedDraft


@dataclass
class RestoreAsNew(Message):
    """A kept draft's identity was deleted on the server: open its texts as a new identity."""

    draft: SavedDraft


@dataclass
class ShowUnexpected(Message):
    """An exception nobody handled (a screen's worker failed): the error dialog shows it, token scrubbed."""

    error: BaseException
