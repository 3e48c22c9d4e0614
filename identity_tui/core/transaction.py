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
from functools import cached_property
from typing import TYPE_CHECKING

from identity_tui.core.conflict import MINE, THEIRS, Conflict, merge
from identity_tui.core.diff import diff, held_otherwise, patched_otherwise
from identity_tui.core.draft import Draft, DraftError
from identity_tui.core.errors import LettaError, NotFound, answer_may_be_lost
from identity_tui.core import journal_check
from identity_tui.core.fields import SCALARS, key_field
from identity_tui.core.journal import LANDED, NOT_LANDED, PARTLY, Entry, Intent, Journal, image, wire_requests
from identity_tui.core.journal import UNKNOWN as J_UNKNOWN
from identity_tui.core.journal_check import holds_request, holds_sent
from identity_tui.core.models import Identity
from identity_tui.core.planner import Plan, PlannedRequest, plan_create, plan_save

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient

NOTHING_LANDED = "nothing"
UNKNOWN = "unknown"
LANDED_AFTER_ALL = "the answer was lost on the way back, but a fresh read shows every change landed"
CREATED_AFTER_ALL = "the earlier try had created it; its answer was lost, so nothing was sent twice"


def sent_fields(requests: tuple[PlannedRequest, ...] | list[PlannedRequest]) -> set[str]:
    """The field names (``held_otherwise``'s) that ``requests`` set: a PATCH's fields and property keys; a PUT
    or a POST sets the whole list, so any property difference counts then (``(order)`` too)."""
    out: set[str] = set()
    for r in requests:
        body = r.body
        if r.method == "PATCH" and isinstance(body, dict):
            out.update(name for name in SCALARS if name in body)
            out.update(key_field(str(p.get("key"))) for p in body.get("properties") or [] if isinstance(p, dict))
        elif r.method == "PUT":
            out.add("properties.*")
        else:
            return {"*"}
    return out


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


async def prepare(client: LettaClient, loaded: Identity, mine: Draft, *, kept: tuple[str, ...] = (),
                  plan: Plan | None = None) -> Prepared:
    """Read ``loaded`` again and plan ``mine`` against what the server holds now, merging others' changes.

    ``plan``: ``plan_save(loaded, mine)``, when the caller made it already (a batch's plan)."""
    plan = plan if plan is not None else plan_save(loaded, mine)
    if not plan.ok:
        return Prepared(errors=tuple(plan.errors))
    if plan.empty:
        return Prepared(holds=loaded, unchanged=True)
    try:
        fresh = await client.get(loaded.id)
    except LettaError as exc:
        return Prepared(error=exc)
    await _settle_with(client, fresh)
    return merged(loaded, fresh, mine, kept=kept, plan=plan)


async def _settle_with(client: LettaClient, fresh: Identity) -> None:
    """An earlier write of this process to the identity whose outcome is unknown: this read settles it."""
    journal = client.journal
    if journal is None:
        return
    rec = journal.unsettled.get(fresh.id)
    if rec is not None and rec.operation == "update":
        await journal_check.check(client, journal, rec, fresh=fresh)


def merged(base: Identity, fresh: Identity, mine: Draft, *, kept: tuple[str, ...] = (),
           choices: Mapping[str, str] | None = None, plan: Plan | None = None) -> Prepared:
    """Plan ``mine`` (made from ``base``) against ``fresh``, merging what changed between the two.

    ``plan``: ``mine`` planned against ``base`` already; when nothing changed between the two it is the plan
    against ``fresh`` too (a plan reads the id and what differs from the draft, both the same then)."""
    if diff(base, fresh).empty:
        return _planned(fresh, mine, kept, plan if plan is not None and base.id == fresh.id else None)
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


def _planned(fresh: Identity, draft: Draft, kept: tuple[str, ...], plan: Plan | None = None) -> Prepared:
    plan = plan if plan is not None else plan_save(fresh, draft)
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
    requests: tuple[PlannedRequest, ...] = ()  # what was sent ((): judged against the whole draft)

    @cached_property  # asked by the journal and by the caller: the comparison is made once
    def dropped(self) -> list[str]:
        """Fields this save sent that the server answered 200 for but holds otherwise (it takes 1 and 1.0 as
        the same value). A field or property the save did not send is someone else's: never counted here."""
        if self.requests:
            sent = sent_fields(self.requests)
            if not sent & WHOLE_DIFF:  # PATCHes alone: only what they set is compared
                return patched_otherwise(self.identity, self.draft, sent)
        return dropped_by_diff(self.identity, self.draft, self.requests)


# Sent field names that ask for the whole diff: any method but PATCH and PUT ("*"), a PUT ("properties.*"), and
# "properties.(order)", the name a difference of order alone goes by.
WHOLE_DIFF = frozenset({"*", key_field("*"), key_field("(order)")})


def dropped_by_diff(identity: Identity, draft: Draft, requests: tuple[PlannedRequest, ...]) -> list[str]:
    """``Saved.dropped`` from the whole ``held_otherwise``, kept to what ``requests`` set (any requests)."""
    differ = held_otherwise(identity, draft)
    if not requests:
        return differ
    sent = sent_fields(requests)
    if "*" in sent:
        return differ
    return [f for f in differ if f in sent or ("properties.*" in sent and f.startswith(key_field("")))]


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
        return None if diff(self.landed, known).empty else self.landed


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


async def send(client: LettaClient, job: SaveJob, progress: SendProgress | None = None, *,
               undoes: str | None = None, entry: Entry | None = None) -> Outcome:
    """Send ``job``'s requests in order, stopping at the first failure; returns what happened.

    With a journal on the client (``core.journal``), the intent is on disk before the first request leaves
    and the outcome follows it: landed (with the identity as read after), partly, not landed, or unknown
    (the answer was lost and no read has shown it yet). A caller that gives up waiting (a cancel) leaves
    the write ``unknown``, to be settled by a later read.

    ``entry``: the intent was put on disk already (``intent`` of this job, written with others in one
    ``Journal.begin_group``); then this send records its outcome under it, and begins none of its own."""
    progress = progress if progress is not None else SendProgress()
    journal = client.journal
    try:
        early = await _before_sending(client, job)
    except BaseException:
        if entry is not None and journal is not None:
            journal.finish(entry, NOT_LANDED, "not sent: given up before the request left")
        raise
    if early is not None:
        if entry is not None and journal is not None:
            journal.finish(entry, NOT_LANDED, "not sent: a read before it showed it was not to be sent")
        return early
    if journal is None:
        return await _requests(client, job, progress)
    if entry is None:
        wanted = intent(job, undoes=undoes)
        entry = await journal.begin_async(wanted.operation, **wanted.fields)
    try:
        outcome = await _requests(client, job, progress)
    except BaseException:  # a cancel: the caller gave up waiting; what was in flight may still land
        _gave_up(journal, entry, progress)
        raise
    return _journaled(journal, entry, job, progress, outcome)


def intent(job: SaveJob, *, undoes: str | None = None) -> Intent:
    """What the journal records of ``job`` before it is sent (``Journal.begin_group`` takes a list of them)."""
    return Intent("create" if job.basis is None else "update", dict(
        identity_id=job.basis.id if job.basis else None,
        identifier_key=job.basis.identifier_key if job.basis else job.draft.identifier_key,
        requests=wire_requests(job.plan.requests), before=image(job.basis), undoes=undoes,
        project_id=job.draft.project_id))


def _gave_up(journal: Journal, entry: Entry, progress: SendProgress) -> None:
    after = image(progress.response)
    if progress.in_flight is None and not progress.applied:
        journal.finish(entry, NOT_LANDED, "not sent: given up before the first request left")
    elif progress.in_flight is None:
        journal.finish(entry, PARTLY, "partly saved: given up between two requests", after=after)
    else:
        journal.given_up(entry, after=after)


def _journaled(journal: Journal, entry: Entry, job: SaveJob, progress: SendProgress, outcome: Outcome) -> Outcome:
    if isinstance(outcome, Saved):
        if outcome.note == LANDED_AFTER_ALL or outcome.note == CREATED_AFTER_ALL:
            words = "saved: the answer was lost, and a read of the server showed it landed"
        else:
            dropped = outcome.dropped
            words = "saved" if not dropped else f"saved, but the server kept other values for {', '.join(dropped)}"
        _, problem = journal.finish(entry, LANDED, words, after=image(outcome.identity),
                                    identity_id=outcome.identity.id)
    elif isinstance(outcome, Failed):
        after = outcome.response
        if outcome.partly is not None:
            status, words, after = PARTLY, "partly saved: the answer was lost, and a read showed part of it", outcome.partly
        elif not outcome.lost:
            status = PARTLY if outcome.applied else NOT_LANDED
            words = (f"partly saved: the {outcome.failed.method} was refused ({outcome.error.message})"
                     if outcome.applied else f"refused: {outcome.error.message}")
        else:
            status = PARTLY if outcome.applied else J_UNKNOWN
            words = ("unknown: the answer was lost, and the server could not be read after it" if outcome.landed == UNKNOWN
                     else "unknown: the answer was lost, and a read right after did not show it (it may land late)")
        _, problem = journal.finish(entry, status, words, after=image(after))
    else:  # pragma: no cover - Found, Changed and ReadFailed come before anything is sent
        return outcome
    return replace(outcome, journal_problem=problem) if problem else outcome


async def _before_sending(client: LettaClient, job: SaveJob) -> Outcome | None:
    """The read right before the first write, and a lost create's lookup: an outcome when nothing is to be sent."""
    if job.check_first and job.basis is not None:
        # One GET is cheap next to a PUT that would overwrite a save made while a preview stood open.
        try:
            now = await client.get(job.basis.id)
        except LettaError as exc:
            return ReadFailed(exc)
        if not diff(now, job.basis).empty:
            return Changed(merged(job.basis, now, job.draft, kept=job.kept))
    if job.lookup is not None:
        first = job.plan.requests[0]
        try:
            found = await client.find_by_key(job.lookup.identifier_key, job.lookup.project_id)
        except LettaError as exc:
            return Failed(exc, first, (), None, job, UNKNOWN)
        if found is not None:
            settle_lost_create(client, found)
            if not held_otherwise(found, job.draft):
                return Saved(found, job.draft, True, note=CREATED_AFTER_ALL)
            return Found(found, job)
    return None


def settle_lost_create(client: LettaClient, found: Identity) -> None:
    """An earlier try of this create, by this process, whose answer was lost: a lookup of its key found it."""
    journal = client.journal
    if journal is None:
        return
    rec = journal.unsettled_creates.get((found.project_id, found.identifier_key))
    if rec is not None and rec.requests and holds_request(found, rec.requests[0]):
        journal.settle(rec, LANDED, "landed: its answer was lost, and a lookup of its key found it",
                       after=image(found), identity_id=found.id, checked="found by its key")


async def _requests(client: LettaClient, job: SaveJob, progress: SendProgress) -> Outcome:
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
    return Saved(held, job.draft, job.basis is None, job.kept, requests=tuple(job.plan.requests))


async def _one(client: LettaClient, job: SaveJob, request: PlannedRequest) -> Identity:
    if request.method == "POST":
        return await client.create(request.body)
    assert job.basis is not None
    if request.method == "PATCH":
        return await client.update(job.basis.id, request.body)
    return await client.replace_properties(job.basis.id, request.body)


async def _failed(client: LettaClient, job: SaveJob, exc: LettaError, request: PlannedRequest,
                  progress: SendProgress) -> Outcome:
    landed: Identity | str | None = None
    sent = tuple(job.plan.requests)
    if job.basis is not None and answer_may_be_lost(exc):
        landed = await read_back(client, job.basis.id)
        if isinstance(landed, Identity) and all(holds_sent(landed, sent)):
            return Saved(landed, job.draft, False, job.kept, LANDED_AFTER_ALL, requests=sent)
    failure = Failed(exc, request, tuple(progress.applied), progress.response, job, landed)
    if isinstance(landed, Identity) and failure.partly is None:
        failure = replace(failure, landed=NOTHING_LANDED)
    return failure


async def read_back(client: LettaClient, identity_id: str) -> Identity | str:
    """What the server holds after an answer was lost (``UNKNOWN`` when that read fails too)."""
    try:
        return await client.get(identity_id)
    except LettaError:
        return UNKNOWN
