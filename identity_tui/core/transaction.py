"""The save transaction: re-read, merge, plan, send, read back, recover. No widgets here.

The server has no locking, so a save first reads the identity again (``prepare``): what someone else
changed meanwhile is merged in three-way (``core.conflict``), and overlapping changes come back as data
for the caller to choose (``resolve``). ``send`` then sends the planner's requests in order and returns
one outcome: saved (with any field the server silently kept otherwise), refused or failed (what landed
before), found (a create whose earlier answer was lost had landed), or changed-meanwhile (a re-read
right before the first write saw something new: back to ``resolve``).

When an answer is lost on the way back, a save re-reads to learn what landed and a create looks its key
up before posting again, so nothing is ever sent twice blindly. A caller that gives up waiting (a
cancelled task) keeps ``SendProgress``: what was sent and what was in flight, so it can say what may
have landed; the next ``prepare`` re-reads before anything else, which finds it out.

Every writer goes through here: the edit form, the commands, bulk import, undo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from identity_tui.core.conflict import MINE, THEIRS, Conflict, merge
# answer_may_be_lost and the deletion are found here too: every writer comes to this module.
from identity_tui.core.deletion import DeleteFailed, Deleted, delete  # noqa: F401
from identity_tui.core.draft import same_draft
from identity_tui.core.errors import LettaError, NotFound, answer_may_be_lost
from identity_tui.core.journal import image, wire_requests
from identity_tui.core.models import Identity
from identity_tui.core.planner import Draft, DraftError, Plan, PlannedRequest, matches_draft, plan_create, plan_save

NOTHING_LANDED = "nothing"
UNKNOWN = "unknown"
LANDED_AFTER_ALL = "the answer was lost on the way back, but a fresh read shows every change landed"
CREATED_AFTER_ALL = "the earlier try had created it; its answer was lost, so nothing was sent twice"


class Client(Protocol):
    """The part of ``LettaClient`` a save uses."""

    async def get(self, identity_id: str) -> Identity: ...
    async def create(self, body: dict) -> Identity: ...  # type: ignore[type-arg]
    async def update(self, identity_id: str, body: dict) -> Identity: ...  # type: ignore[type-arg]
    async def replace_properties(self, identity_id: str, body: list) -> Identity: ...  # type: ignore[type-arg]
    async def delete(self, identity_id: str) -> None: ...
    async def find_by_key(self, identifier_key: str, project_id: str | None = None) -> Identity | None: ...


def same_identity(a: Identity, b: Identity) -> bool:
    """Two reads of an identity that hold the same values (types told apart)."""
    return same_draft(Draft.of(a), Draft.of(b))


# -- preparing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveJob:
    """One save ready to send: the plan, what it means the server to hold, and what it was planned against."""

    plan: Plan
    draft: Draft  # the caller's draft, with what others changed meanwhile merged in
    basis: Identity | None  # the copy the plan was built on (None: a create)
    check_first: bool = False  # re-read right before the first write
    kept: tuple[str, ...] = ()  # changes made by others that the draft keeps
    lookup: Draft | None = None  # a create whose answer was lost: look its key up before posting


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` found. Exactly one of its kinds holds:

    - ``job``: ready to send (preview it, then ``send``);
    - ``conflicts``: overlapping changes: ``resolve`` with a choice per conflict's ``field``;
    - ``holds``: nothing to send, the server holds the draft already (``unchanged`` if nothing was edited);
    - ``errors``: with the changes merged in, the draft would be invalid;
    - ``error``: the read failed (``gone`` when the identity was deleted: a 404).
    """

    job: SaveJob | None = None
    conflicts: tuple[Conflict, ...] = ()
    holds: Identity | None = None
    unchanged: bool = False
    errors: tuple[DraftError, ...] = ()
    error: LettaError | None = None
    kept: tuple[str, ...] = ()
    # for resolve: the three sides of the merge
    base: Identity | None = None
    fresh: Identity | None = None
    mine: Draft | None = None

    @property
    def gone(self) -> bool:
        return isinstance(self.error, NotFound)


def prepare_create(draft: Draft, *, lookup: Draft | None = None) -> Prepared:
    """A create: one POST (after a lookup of the key when an earlier try's answer was lost)."""
    plan = plan_create(draft)
    if not plan.ok:
        return Prepared(errors=tuple(plan.errors))
    return Prepared(job=SaveJob(plan, draft, None, lookup=lookup))


async def prepare(client: Client, loaded: Identity, mine: Draft, *, kept: tuple[str, ...] = ()) -> Prepared:
    """Read ``loaded`` again and plan ``mine`` against what the server holds now, merging others' changes."""
    plan = plan_save(loaded, mine)
    if not plan.ok:
        return Prepared(errors=tuple(plan.errors))
    if plan.empty:
        return Prepared(holds=loaded, unchanged=True)
    try:
        fresh = await client.get(loaded.id)
    except LettaError as exc:
        return Prepared(error=exc)
    return merged(loaded, fresh, mine, kept=kept)


def merged(base: Identity, fresh: Identity, mine: Draft, *, kept: tuple[str, ...] = (),
           choices: Mapping[str, str] | None = None) -> Prepared:
    """Plan ``mine`` (made from ``base``) against ``fresh``, merging what changed between the two."""
    if same_identity(base, fresh):
        return _planned(fresh, mine, kept)
    result = merge(Draft.of(base), Draft.of(fresh), mine, choices)
    kept = tuple(dict.fromkeys(kept + result.theirs))
    open_ = [c for c in result.conflicts if (choices or {}).get(c.field) not in (MINE, THEIRS)]
    if open_:
        return Prepared(conflicts=tuple(result.conflicts), kept=kept, base=base, fresh=fresh, mine=mine)
    return _planned(fresh, result.draft, kept)


def resolve(prepared: Prepared, choices: Mapping[str, str]) -> Prepared:
    """The conflicts of ``prepared`` settled by ``choices`` (field -> ``mine`` or ``theirs``)."""
    assert prepared.base is not None and prepared.fresh is not None and prepared.mine is not None
    return merged(prepared.base, prepared.fresh, prepared.mine, kept=prepared.kept, choices=choices)


def _planned(fresh: Identity, draft: Draft, kept: tuple[str, ...]) -> Prepared:
    plan = plan_save(fresh, draft)
    if not plan.ok:
        return Prepared(errors=tuple(plan.errors), kept=kept, fresh=fresh)
    if plan.empty:
        return Prepared(holds=fresh, kept=kept)
    return Prepared(job=SaveJob(plan, draft, fresh, kept=kept), kept=kept, fresh=fresh)


# -- sending ---------------------------------------------------------------------------------------


@dataclass
class SendProgress:
    """What a send has done so far, kept by the caller: after a cancel it tells what may have landed."""

    applied: list[PlannedRequest] = field(default_factory=list)
    answers: list[Identity] = field(default_factory=list)  # the server's answer to each applied request
    in_flight: PlannedRequest | None = None

    @property
    def response(self) -> Identity | None:
        """The last answer, if any."""
        return self.answers[-1] if self.answers else None


@dataclass(frozen=True)
class Saved:
    """Every request went through (or a fresh read proved it did): ``identity`` is what the server holds."""

    identity: Identity
    draft: Draft
    created: bool
    kept: tuple[str, ...] = ()
    note: str = ""
    journal_problem: str | None = None  # why the journal could not record this write (it went through)

    @property
    def dropped(self) -> list[str]:
        """Fields the server answered 200 for but holds otherwise (it takes 1 and 1.0 as the same value)."""
        return matches_draft(self.identity, self.draft)


@dataclass(frozen=True)
class Failed:
    """A request failed; ``applied`` went through before it and ``response`` is their last answer.

    ``landed``, after an answer that may be lost: a fresh read of the identity, ``NOTHING_LANDED`` when it
    shows nothing of the failed request landed, ``UNKNOWN`` when that read failed too (None otherwise).
    """

    error: LettaError
    failed: PlannedRequest
    applied: tuple[PlannedRequest, ...]
    response: Identity | None
    job: SaveJob
    landed: Identity | str | None = None
    journal_problem: str | None = None

    @property
    def created(self) -> bool:
        return self.job.basis is None

    @property
    def lost(self) -> bool:
        """The answer may be lost: the request may have been carried out."""
        return answer_may_be_lost(self.error)

    @property
    def partly(self) -> Identity | None:
        """What the server holds when part of the save landed before the answer was lost (else None)."""
        if not isinstance(self.landed, Identity) or self.job.basis is None:
            return None
        known = self.response if self.applied and self.response is not None else self.job.basis
        return None if same_identity(self.landed, known) else self.landed


@dataclass(frozen=True)
class Found:
    """A create's earlier try, whose answer was lost, had created an identity that differs from the draft."""

    identity: Identity
    job: SaveJob


@dataclass(frozen=True)
class Changed:
    """The read right before the first write saw changes made meanwhile: nothing was sent."""

    prepared: Prepared


@dataclass(frozen=True)
class ReadFailed:
    """The read right before the first write failed: nothing was sent."""

    error: LettaError


Outcome = Saved | Failed | Found | Changed | ReadFailed


async def send(client: Client, job: SaveJob, progress: SendProgress | None = None, *,
               undoes: str | None = None) -> Outcome:
    """Send ``job``'s requests in order, stopping at the first failure; returns what happened.

    Each write that went out is recorded in the client's journal, if it keeps one (``core.journal``)."""
    progress = progress if progress is not None else SendProgress()
    outcome = await _send(client, job, progress)
    return _journaled(client, job, progress, outcome, undoes)


def _journaled(client: Client, job: SaveJob, progress: SendProgress, outcome: Outcome, undoes: str | None) -> Outcome:
    journal = getattr(client, "journal", None)
    if journal is None or not isinstance(outcome, (Saved, Failed)):
        return outcome
    sent = list(progress.applied)
    if isinstance(outcome, Failed):
        sent.append(outcome.failed)
    elif outcome.note == CREATED_AFTER_ALL:
        return outcome  # found by the lookup: nothing was sent this time
    if not sent:
        return outcome
    if isinstance(outcome, Saved):
        after: Identity | None = outcome.identity
        result = "saved" if not outcome.dropped else "saved, but the server kept other values"
    else:
        landed = outcome.landed if isinstance(outcome.landed, Identity) else None
        after = landed or outcome.response
        result = ("partly saved" if outcome.partly is not None else
                  "unknown: the answer was lost" if outcome.lost and outcome.landed == UNKNOWN else
                  "failed: nothing landed" if outcome.lost else f"refused: {outcome.error.message}")
    identity = after or job.basis
    _, problem = journal.record(
        "create" if job.basis is None else "update",
        identity_id=identity.id if identity is not None else None,
        identifier_key=job.draft.identifier_key,
        requests=wire_requests(sent), before=image(job.basis), after=image(after), outcome=result, undoes=undoes)
    return replace(outcome, journal_problem=problem) if problem else outcome


async def _send(client: Client, job: SaveJob, progress: SendProgress) -> Outcome:
    if job.check_first and job.basis is not None:
        # One GET is cheap next to a PUT that would overwrite a save made while a preview stood open.
        try:
            now = await client.get(job.basis.id)
        except LettaError as exc:
            return ReadFailed(exc)
        if not same_identity(now, job.basis):
            return Changed(merged(job.basis, now, job.draft, kept=job.kept))
    if job.lookup is not None:
        first = job.plan.requests[0]
        try:
            found = await client.find_by_key(job.lookup.identifier_key, job.lookup.project_id)
        except LettaError as exc:
            return Failed(exc, first, (), None, job, UNKNOWN)
        if found is not None:
            if not matches_draft(found, job.draft):
                return Saved(found, job.draft, True, note=CREATED_AFTER_ALL)
            return Found(found, job)
    for request in job.plan.requests:
        progress.in_flight = request
        try:
            answer = await _one(client, job, request)
        except LettaError as exc:
            progress.in_flight = None
            return await _failed(client, job, exc, request, progress)
        progress.in_flight = None
        progress.applied.append(request)
        progress.answers.append(answer)
    held = progress.response or job.basis  # an empty plan sends nothing: the basis holds the draft
    assert held is not None
    return Saved(held, job.draft, job.basis is None, job.kept)


async def _one(client: Client, job: SaveJob, request: PlannedRequest) -> Identity:
    if request.method == "POST":
        return await client.create(request.body)
    assert job.basis is not None
    if request.method == "PATCH":
        return await client.update(job.basis.id, request.body)
    return await client.replace_properties(job.basis.id, request.body)


async def _failed(client: Client, job: SaveJob, exc: LettaError, request: PlannedRequest,
                  progress: SendProgress) -> Outcome:
    landed: Identity | str | None = None
    if job.basis is not None and answer_may_be_lost(exc):
        landed = await read_back(client, job.basis.id)
        if isinstance(landed, Identity) and not matches_draft(landed, job.draft):
            return Saved(landed, job.draft, False, job.kept, LANDED_AFTER_ALL)
    failure = Failed(exc, request, tuple(progress.applied), progress.response, job, landed)
    if isinstance(landed, Identity) and failure.partly is None:
        failure = replace(failure, landed=NOTHING_LANDED)
    return failure


async def read_back(client: Client, identity_id: str) -> Identity | str:
    """What the server holds after an answer was lost (``UNKNOWN`` when that read fails too)."""
    try:
        return await client.get(identity_id)
    except LettaError:
        return UNKNOWN
