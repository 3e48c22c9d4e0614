"""The messages a save's workers answer with, and the words around a save; the save itself is the core's.

Every message carries what ``core.transaction`` returned, unchanged: the screen only decides what the
person sees next.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from identity_tui.core import transaction as tx
from identity_tui.core.display import one_line
from identity_tui.core.errors import LettaError
from identity_tui.core.models import Identity
from identity_tui.core.transaction import SaveJob
from identity_tui.tui.form_model import change_list


@dataclass
class Sent(Message):
    """Every request of a save succeeded (or a fresh read proved it)."""

    outcome: tx.Saved


@dataclass
class SendFailed(Message):
    """A request failed (``outcome`` says which, what went before it, and what a re-read found)."""

    outcome: tx.Failed


@dataclass
class Rechecked(Message):
    """The identity read again before sending, planned against with others' changes merged in."""

    prepared: tx.Prepared


@dataclass
class RecheckFailed(Message):
    """The read before sending failed: nothing was sent."""

    error: LettaError


@dataclass
class ExistingFound(Message):
    """A create was refused (409): this identity holds its key already."""

    identity: Identity


@dataclass
class Found(Message):
    """A create's earlier try, whose answer was lost, had created an identity that differs from the form."""

    outcome: tx.Found


def preview_note(job: SaveJob) -> str:
    """What the preview says besides the requests: others' changes kept, a key looked up first."""
    if job.lookup is not None:
        key = one_line(job.lookup.identifier_key, 40)
        return (f"The last try's answer was lost, so this first looks up identifier_key '{key}': if the last "
                "try created it, nothing is posted again.")
    if job.kept:
        return (f"Someone else saved this identity since you opened it. Their changes are kept: "
                f"{change_list(job.kept)}.")
    return ""


def cancelled_sentence(job: SaveJob | None) -> str:
    """What the line says when esc gave up waiting for ``job`` (None: only the read before a save)."""
    if job is None:
        return ("Cancelled: nothing was sent (the server's copy was still being read). The form is kept; "
                "ctrl+s tries again.")
    head = ("Save cancelled while waiting for the server: it may or may not have landed. The form keeps your edits; "
            "the next ctrl+s ")
    if job.basis is None:
        key = one_line((job.lookup or job.draft).identifier_key, 40)
        return f"{head}first looks up identifier_key '{key}' and posts only if it is not there."
    return f"{head}reads the server's copy first and sends only what is missing."
