"""One change to many identities: the plan per identity, then each written as a single write is, as one batch.

``set --where``, ``delete --where`` and the app's batch actions on marked identities share this. The plan is
made from one read of each identity: what changes on it (``changes``), ``unchanged`` (skipped), ``invalid``
(the change does not fit it; ``problem`` says why), or ``delete``. ``apply`` then writes every planned one
through the save transaction (read again, what others changed meanwhile merged, only what differs sent,
read back) or ``core.deletion``, at most four in flight, each its own journal record under one batch id
(``journal.in_batch``), so one undo puts the whole batch back. One that fails or meets an overlapping
change made meanwhile is reported in one sentence (``message``) and the others go on.

No widgets here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from identity_tui.core import batch as batch_ops
from identity_tui.core import deletion
from identity_tui.core import transaction as tx
from identity_tui.core.display import one_line
from identity_tui.core.draft import Draft, DraftError, DraftProperty, set_properties
from identity_tui.core.errors import AlreadyExists, LettaError, NotFound
from identity_tui.core.fields import FIELDS, LABELS, parse_row_field
from identity_tui.core.journal import in_batch
from identity_tui.core.jsontext import json_text
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, same_property
from identity_tui.core.paths import identity_path
from identity_tui.core.planner import Plan, PlannedRequest, plan_save

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient

# What the plan says of one identity.
CHANGE, UNCHANGED, INVALID, DELETE = "change", "unchanged", "invalid", "delete"
# What became of it (UNCHANGED too: the server held it so already when it was read again).
LANDED, CONFLICTED, GONE, FAILED = "landed", "conflicted", "gone", "failed"
SENDING, NOT_SENT = "sending", "not_sent"
RESULTS = (LANDED, FAILED, CONFLICTED, UNCHANGED, GONE, NOT_SENT)


class Unfit(ValueError):
    """The change does not fit one identity (a value its property's type cannot hold): one sentence."""


@dataclass
class Item:
    """One identity of the batch: what the plan means for it and, once applied, what became of it."""

    wire: dict[str, Any]
    identity: Identity | None
    draft: Draft | None
    plan: str
    changes: list[str] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    problem: str = ""
    planned: Plan | None = None  # the save's plan (a change): the one ``save_one`` starts from
    result: str | None = None
    message: str = ""
    journal_problem: str = ""  # the write went through but the journal could not record it

    @property
    def id(self) -> str:
        return str(self.wire.get("id", ""))

    @property
    def key(self) -> str:
        return str(self.wire.get("identifier_key", ""))

    @property
    def project(self) -> str | None:
        project = self.wire.get("project_id")
        return project if isinstance(project, str) else None

    @property
    def writes(self) -> bool:
        return self.plan in (CHANGE, DELETE)

    def what(self) -> str:
        """What the plan does to it, in a few words."""
        return {CHANGE: "; ".join(self.changes), UNCHANGED: "unchanged", DELETE: "delete",
                INVALID: f"invalid: {self.problem}"}[self.plan]

    def line(self) -> str:
        """The plan's line for a person: key, project, what changes."""
        return f"  {one_line(self.key, 60)}  ({project_words(self.project)})  {one_line(self.what(), 240)}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.wire.get("id"), "identifier_key": self.wire.get("identifier_key"),
                "project_id": self.project, "plan": self.plan, "changes": self.changes,
                "problem": self.problem or None,
                "requests": [{"method": r.method, "path": r.path, "body": r.body} for r in self.requests],
                "result": self.result, "message": self.message or None}


def project_words(project: str | None) -> str:
    return f"project {one_line(project, 40)}" if project else "no project"


def counts(items: Iterable[Item]) -> dict[str, int]:
    """How many items came to each result."""
    items = list(items)
    return {s: sum(1 for i in items if i.result == s) for s in RESULTS}


# -- the plan ---------------------------------------------------------------------------------------------


def changes(before: Draft, after: Draft) -> list[str]:
    """What a save from ``before`` to ``after`` changes, a few words each: fields, then properties."""
    out = []
    if before.name != after.name:
        out.append(f"name: {_short(before.name)} -> {_short(after.name)}")
    if IdentityType(before.identity_type) != IdentityType(after.identity_type):
        out.append(f"type: {IdentityType(before.identity_type).value} -> {IdentityType(after.identity_type).value}")
    old = {p.key: p for p in before.properties}
    new = {p.key: p for p in after.properties}
    for key in dict.fromkeys([*old, *new]):
        if key not in new:
            out.append(f"- {one_line(key, 40)}")
        elif key not in old:
            out.append(f"+ {one_line(key, 40)} = {_short(new[key].value)}")
        elif not same_property(old[key], new[key]):
            out.append(f"~ {one_line(key, 40)}: {_short(old[key].value)} -> {_short(new[key].value)}")
    return out or ["the property order"]


def _short(value: Any) -> str:
    return one_line(repr(value) if isinstance(value, str) else json_text(value, indent=None), 50)


def error_sentence(draft: Draft, error: DraftError) -> str:
    """A draft's problem worded as the form words it, naming the field."""
    where = LABELS[error.field] if error.field in FIELDS else error.field
    row = parse_row_field(error.field)
    if row is not None:
        index, part = row
        key = draft.properties[index].key if index < len(draft.properties) else str(index)
        part = part or "key"
        where = f"Property '{one_line(key, 40)}'" + ("" if part == "value" else f" {part}")
    return f"{where}: {sentence(error.message)}"


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."


def parse_typed(ptype: PropertyType, raw: str) -> object:
    """The value ``raw`` means as ``ptype``, checked as the form checks it (ints stay ints, NaN refused, a
    boolean is true or false, json an object); ``Unfit`` says why not, in one sentence."""
    from identity_tui.core.form import ValueProblem, parse_typed_text

    try:
        return parse_typed_text(ptype, raw)
    except ValueProblem as exc:
        raise Unfit(f"Not a {ptype.value}: {sentence(str(exc))}") from None


def set_property(key: str, ptype: PropertyType, value: object) -> Callable[[Identity], Draft]:
    """The draft that sets one typed property (in its place, or appended) on an identity."""
    prop = DraftProperty(key, ptype, value)

    def make(identity: Identity) -> Draft:
        base = Draft.of(identity)
        return replace(base, properties=set_properties(base.properties, [prop]))

    return make


def remove_property(key: str) -> Callable[[Identity], Draft]:
    """The draft that removes one property (an identity without it stays as it is)."""

    def make(identity: Identity) -> Draft:
        base = Draft.of(identity)
        return replace(base, properties=tuple(p for p in base.properties if p.key != key))

    return make


def plan_set(found: Iterable[tuple[dict[str, Any], Identity | None]],
             make_draft: Callable[[Identity], Draft]) -> list[Item]:
    """For each identity (as the server sent it, and validated: None when it is not a valid identity), what
    saving ``make_draft(identity)`` would change; ``make_draft`` raises ``Unfit`` for one it does not fit."""
    items = []
    for wire, identity in found:
        if identity is None:
            items.append(Item(wire, None, None, INVALID, problem="the server's copy is not a valid identity"))
            continue
        try:
            draft = make_draft(identity)
        except Unfit as exc:
            items.append(Item(wire, identity, None, INVALID, problem=str(exc)))
            continue
        plan = plan_save(identity, draft)
        if plan.errors:
            items.append(Item(wire, identity, draft, INVALID, problem=error_sentence(draft, plan.errors[0])))
        elif plan.empty:
            items.append(Item(wire, identity, draft, UNCHANGED))
        else:
            items.append(Item(wire, identity, draft, CHANGE, changes(Draft.of(identity), draft),
                              list(plan.requests), planned=plan))
    return items


def plan_delete(found: Iterable[tuple[dict[str, Any], Identity | None]]) -> list[Item]:
    """Each identity to be deleted: one DELETE each."""
    items = []
    for wire, identity in found:
        identity_id = str(wire.get("id", ""))
        items.append(Item(wire, identity, None, DELETE,
                          requests=[PlannedRequest("DELETE", identity_path(identity_id), None, "delete it")]))
    return items


def headline(kind: str, items: list[Item]) -> str:
    """``N identities, M would change, K unchanged, J invalid``: the plan in one line."""
    n = len(items)
    writes = sum(1 for i in items if i.writes)
    verb = "would be deleted" if kind == "delete" else "would change"
    line = f"{n:,} {'identity' if n == 1 else 'identities'}, {writes:,} {verb}"
    rest = [f"{c:,} {w}" for c, w in ((sum(1 for i in items if i.plan == UNCHANGED), "unchanged"),
                                      (sum(1 for i in items if i.plan == INVALID), "invalid")) if c]
    return line + (", " + ", ".join(rest) if rest else "")


# -- applying ---------------------------------------------------------------------------------------------


def _failure(exc: LettaError) -> str:
    return CONFLICTED if isinstance(exc, AlreadyExists) else GONE if isinstance(exc, NotFound) else FAILED


def _conflict_words(conflict: Any) -> str:
    key = conflict.key  # a property's conflict names its key
    return f"property '{one_line(key, 40)}'" if key is not None else conflict.field


async def save_one(client: LettaClient, item: Item) -> None:
    """Write one planned change as ``set`` writes one: read again, merge what others changed meanwhile (an
    overlapping change is kept and nothing is sent), send only what differs, read back. ``item.result`` and
    ``item.message`` say what became of it."""
    assert item.identity is not None and item.draft is not None
    item.result = SENDING
    try:
        prepared = await tx.prepare(client, item.identity, item.draft, plan=item.planned)
    except LettaError as exc:
        item.result, item.message = _failure(exc), exc.message
        return
    if prepared.errors:
        item.result = FAILED
        item.message = error_sentence(item.draft, prepared.errors[0]) + " Nothing was sent."
        return
    if prepared.error is not None:
        if prepared.gone:
            item.result, item.message = GONE, "The identity was deleted on the server meanwhile; nothing was sent."
        else:
            item.result, item.message = _failure(prepared.error), prepared.error.message
        return
    if prepared.conflicts:
        clash = ", ".join(_conflict_words(c) for c in prepared.conflicts[:5])
        item.result = CONFLICTED
        item.message = f"Changed on the server meanwhile, overlapping this change: {clash}. Nothing was sent."
        return
    if prepared.job is None:
        item.result = UNCHANGED
        return
    try:
        outcome = await tx.send(client, prepared.job)
    except LettaError as exc:
        item.result, item.message = _failure(exc), exc.message
        return
    _said(outcome, item)


def _said(outcome: Any, item: Item) -> None:
    item.journal_problem = getattr(outcome, "journal_problem", None) or ""
    if isinstance(outcome, tx.Saved):
        if outcome.dropped:
            item.result = FAILED
            item.message = f"Sent, but the server kept different values for: {', '.join(outcome.dropped)}."
        else:
            item.result, item.message = LANDED, ""
        return
    if isinstance(outcome, tx.Failed):
        item.result = _failure(outcome.error)
        words = outcome.error.message.rstrip(".")
        if outcome.partly is not None:
            item.message = f"Partly saved: the answer was lost and only part landed ({words})."
        elif outcome.lost and outcome.landed == tx.UNKNOWN:
            item.message = f"{words}; it is not known whether it landed (the history tells later)."
        elif outcome.lost:
            item.message = f"{words}; a read right after does not show it, but it may still land."
        else:
            item.message = f"{words}."
        return
    if isinstance(outcome, tx.Changed):
        item.result, item.message = CONFLICTED, "Changed on the server right before sending; nothing was sent."
        return
    item.result, item.message = FAILED, "The save did not complete."


async def delete_one(client: LettaClient, item: Item, still: Callable[[dict[str, Any]], bool] | None = None) -> None:
    """Delete one identity, read again first: ``still`` (the filter it was picked by) must hold of it now, else
    it is kept and reported as changed meanwhile; one already gone is ``gone``."""
    item.result = SENDING
    try:
        now = await client.request("GET", identity_path(item.id))
    except LettaError as exc:
        item.result, item.message = _failure(exc), exc.message
        if item.result == GONE:
            item.message = "Deleted meanwhile by someone else."
        return
    if still is not None and not (isinstance(now, dict) and still(now)):
        item.result = CONFLICTED
        item.message = "Changed since the plan, it no longer matches: it was kept."
        return
    result = await deletion.delete(client, item.id)
    if isinstance(result, deletion.DeleteFailed):
        item.result, item.message = _failure(result.error), result.error.message
        if result.lost:
            item.message = f"{result.error.message.rstrip('.')}; it may or may not be deleted (the history tells later)."
        return
    item.journal_problem = result.journal_problem or ""
    item.result, item.message = (GONE, "Deleted meanwhile by someone else.") if result.already else (LANDED, "")


async def apply(client: LettaClient, items: list[Item], work: Callable[[Item], Awaitable[None]], *,
                batch: str | None = None, stop: Callable[[], bool] | None = None,
                done: Callable[[Item], object] | None = None,
                concurrency: int = batch_ops.CONCURRENCY) -> str:
    """``work`` on every item that writes, at most ``concurrency`` at once, all journaled under one batch id
    (returned). ``stop()`` is asked before each one starts: once it says yes, those not started are
    ``not_sent`` and those in flight finish. ``done(item)`` is called as each one ends."""
    batch = batch or batch_ops.new_batch_id()

    async def one(item: Item) -> None:
        if stop is not None and stop():
            item.result, item.message = NOT_SENT, "Stopped before it was sent."
        else:
            await work(item)
        if done is not None:
            done(item)

    with in_batch(batch):
        await batch_ops.limited([i for i in items if i.writes], one, concurrency)
    return batch


def report_line(item: Item) -> str:
    """What became of one identity, for a person: key, project, the result and its sentence."""
    words = {LANDED: "done", FAILED: "failed", CONFLICTED: "kept (changed meanwhile)", UNCHANGED: "unchanged",
             GONE: "gone", NOT_SENT: "not sent (stopped)", SENDING: "in flight", None: "not sent"}[item.result]
    # A stop's "Stopped before it was sent." says no more than the words do.
    said = " ".join(m for m in (item.message if item.result != NOT_SENT else "", item.journal_problem) if m)
    tail = f": {one_line(said, 200)}" if said else ""
    return f"{one_line(item.key, 60)}  ({project_words(item.project)})  {words}{tail}"
