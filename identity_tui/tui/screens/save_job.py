"""What a save carries on its way (the job) and the messages its workers answer with; no widgets here."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from identity_tui.core.display import one_line
from identity_tui.core.errors import LettaError
from identity_tui.core.form import same_draft
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft, Plan, PlannedRequest
from identity_tui.tui.form_model import change_list


LANDED_AFTER_ALL = "the answer was lost on the way back, but a fresh read shows every change landed"
CREATED_AFTER_ALL = "the earlier try had created it; its answer was lost, so nothing was sent twice"


@dataclass(frozen=True)
class SaveJob:
    """One save on its way: the plan, what it means the server to hold, and what it was planned against."""

    plan: Plan
    draft: Draft  # the form's draft, with what others changed meanwhile merged in
    basis: Identity | None  # the copy the plan was built on (None: a create)
    check_first: bool = False  # re-read right before the first write
    kept: tuple[str, ...] = ()  # changes made by others that the draft keeps
    lookup: Draft | None = None  # a create whose answer was lost: look its key up before posting


def same_identity(a: Identity, b: Identity) -> bool:
    """Two reads of an identity that hold the same values (types told apart)."""
    return same_draft(Draft.of(a), Draft.of(b))


@dataclass
class Sent(Message):
    """Every request of a save succeeded (or a fresh read proved it); ``identity`` is what the server holds."""

    identity: Identity
    draft: Draft
    created: bool
    kept: tuple[str, ...] = ()
    note: str = ""


@dataclass
class SendFailed(Message):
    """A request failed; ``applied`` went through before it and ``response`` is their last answer."""

    error: LettaError
    failed: PlannedRequest
    applied: list[PlannedRequest]
    response: Identity | None
    created: bool
    job: SaveJob | None = None
    landed: str | Identity | None = None  # after a lost answer: a fresh read, or NOTHING_LANDED/UNKNOWN


@dataclass
class Rechecked(Message):
    """A fresh copy, read before sending, to merge with: ``base`` is what ``mine`` was made from."""

    base: Identity
    fresh: Identity
    mine: Draft
    kept: tuple[str, ...] = ()


@dataclass
class RecheckFailed(Message):
    """The read before sending failed: nothing was sent."""

    error: LettaError


@dataclass
class Found(Message):
    """A create's earlier try, whose answer was lost, had created an identity that differs from the form."""

    identity: Identity
    job: SaveJob


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
