"""Bulk import: a plan per row (create, update, unchanged, invalid), then an apply through the save transaction.

Rows are matched to identities by identifier key within their project (or by id). A file's properties
are merged into the identity's (set in place, or appended) unless ``prune``: then the identity's list
becomes the file's. Planning only reads. Applying sends each row's save through ``core.transaction``
(re-read, merge, minimal requests, read back), at most ``concurrency`` at a time, and one failed row
never stops the others.

Applying the same file twice sends no write the second time: every row plans as unchanged. A run
killed half-way and started again creates nothing twice: the identifier key is unique in its project,
and a create whose answer was lost is looked up by key before anything else is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from identity_tui.core import paging
from identity_tui.core import transaction as tx
from identity_tui.core.bulk_files import BadRow, Row
from identity_tui.core.draft import Draft, DraftProperty, set_properties
from identity_tui.core.errors import AlreadyExists, LettaError
from identity_tui.core.journal import NOT_LANDED
from identity_tui.core.keys import key_of
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, value_error
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import Plan, plan_create, plan_save

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient
    from identity_tui.core.journal import Entry
    from identity_tui.core.summary import IdentitySummary

CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "invalid"
KINDS = (CREATE, UPDATE, UNCHANGED, INVALID)
SCAN_AFTER = 50  # more rows than this: one pass over the server's list instead of a lookup per row
PAGE = 500


@dataclass
class RowPlan:
    """What importing one row means."""

    line: int
    kind: str
    key: str = ""
    project: str | None = None
    draft: Draft | None = None
    existing: Identity | None = None
    plan: Plan | None = None
    problem: str = ""


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def writes(self) -> list[RowPlan]:
        return [r for r in self.rows if r.kind in (CREATE, UPDATE)]


# -- from a row to a draft -------------------------------------------------------------------------------


def row_draft(row: Row, default_project: str | None) -> tuple[Draft | None, str]:
    """The draft a file row means, or a sentence naming the line and the field that is wrong."""
    draft, _, problem = _row_plan(row, default_project)
    return draft, problem


def _row_plan(row: Row, default_project: str | None) -> tuple[Draft | None, Plan | None, str]:
    """``row_draft``, with the create's plan it was checked by (the plan ``plan_create`` makes of the draft)."""
    data, line = row.data, row.line
    for name in ("identifier_key", "name"):
        if not isinstance(data.get(name), str):
            return None, None, f"Line {line}: {name} must be text."
    try:
        kind = IdentityType(data.get("identity_type"))
    except ValueError:
        return None, None, f"Line {line}: identity_type must be org, user or other."
    project = data.get("project_id")
    if project is not None and not isinstance(project, str):
        return None, None, f"Line {line}: project_id must be text."
    props: list[DraftProperty] = []
    raw_props = data.get("properties")
    if raw_props is None:
        raw_props = []
    if not isinstance(raw_props, list):
        return None, None, f"Line {line}: properties must be a list of {{key, type, value}}."
    for i, p in enumerate(raw_props, 1):
        if not isinstance(p, dict) or not isinstance(p.get("key"), str) or "value" not in p:
            return None, None, f"Line {line}: property {i} must be an object with key, type and value."
        try:
            ptype = PropertyType(p.get("type", "string"))
        except ValueError:
            return None, None, f"Line {line}: property '{p['key']}' has an unknown type {p.get('type')!r}."
        problem = value_error(ptype, p["value"])
        if problem:
            return None, None, f"Line {line}: property '{p['key']}' ({ptype.value}) {problem}."
        props.append(DraftProperty(p["key"], ptype, p["value"]))
    draft = Draft(data["name"], data["identifier_key"], kind, tuple(props), project or default_project)
    plan = plan_create(draft)
    if plan.errors:
        return None, None, f"Line {line}: {plan.errors[0].field}: {plan.errors[0].message}"
    return draft, plan, ""


def merged_draft(existing: Identity, wanted: Draft, prune: bool) -> Draft:
    """``existing`` brought to the file's fields; properties merged by key (or replaced when ``prune``)."""
    base = Draft.of(existing)
    props = wanted.properties if prune else set_properties(base.properties, wanted.properties)
    return replace(base, name=wanted.name, identifier_key=wanted.identifier_key,
                   identity_type=wanted.identity_type, properties=props)


# -- planning -----------------------------------------------------------------------------------------------


Source = AsyncIterator[Identity]


async def plan_import(client: LettaClient, rows: Iterable[Row | BadRow], *, match: str = "key",
                      project: str | None = None, prune: bool = False) -> ImportPlan:
    """Read the server (only) and plan every row of the file."""
    out = ImportPlan()
    wanted: list[tuple[int, Draft, str | None]] = []  # (index in out.rows, draft, id)
    creates: dict[int, Plan] = {}  # the create each valid row was checked by, by index in out.rows
    seen: dict[tuple[str | None, str], int] = {}
    for row in rows:
        if isinstance(row, BadRow):
            out.rows.append(RowPlan(row.line, INVALID, problem=row.problem))
            continue
        draft, create, problem = _row_plan(row, project)
        if draft is None or create is None:
            out.rows.append(RowPlan(row.line, INVALID, problem=problem))
            continue
        ident = key_of(draft)
        if ident in seen:
            out.rows.append(RowPlan(row.line, INVALID, draft.identifier_key, draft.project_id,
                                    problem=f"Line {row.line}: identifier_key '{draft.identifier_key}' is on line "
                                            f"{seen[ident]} already."))
            continue
        seen[ident] = row.line
        identity_id = row.data.get("id") if match == "id" else None
        if match == "id" and not isinstance(identity_id, str):
            out.rows.append(RowPlan(row.line, INVALID, draft.identifier_key, problem=f"Line {row.line}: id missing."))
            continue
        out.rows.append(RowPlan(row.line, CREATE, draft.identifier_key, draft.project_id, draft))
        wanted.append((len(out.rows) - 1, draft, identity_id))
        creates[len(out.rows) - 1] = create
    found = await _existing(client, wanted, match)
    for index, draft, identity_id in wanted:
        plan_row = out.rows[index]
        existing = found.get(identity_id if match == "id" else key_of(draft))
        if existing is None:
            if match == "id":
                plan_row.kind, plan_row.problem = INVALID, f"Line {plan_row.line}: no identity has id {identity_id}."
                continue
            plan_row.plan = creates[index]  # plan_create(draft), made once already when the row was checked
            continue
        plan_row.existing = existing
        plan_row.draft = merged_draft(existing, draft, prune)
        plan = plan_save(existing, plan_row.draft)
        if not plan.ok:
            plan_row.kind, plan_row.problem = INVALID, f"Line {plan_row.line}: {plan.errors[0].message}"
        elif plan.empty:
            plan_row.kind = UNCHANGED
        else:
            plan_row.kind, plan_row.plan = UPDATE, plan
    return out


async def _existing(client: LettaClient, wanted: list[tuple[int, Draft, str | None]],
                    match: str) -> dict[Any, Identity]:
    """The identities the rows name: one lookup each for a few rows, one pass over the list for many."""
    found: dict[Any, Identity] = {}
    if not wanted:
        return found
    if len(wanted) <= SCAN_AFTER:
        for _, draft, identity_id in wanted:
            if match == "id":
                assert identity_id is not None  # plan_import lets a row without an id through only by key
                try:
                    found[identity_id] = await client.get(identity_id)
                except LettaError:
                    pass
            else:
                hit = await client.find_by_key(draft.identifier_key, draft.project_id)
                if hit is not None:
                    found[key_of(draft)] = hit
        return found
    keys = {identity_id if match == "id" else key_of(d) for _, d, identity_id in wanted}
    async for row in walk(client):
        ident = row.id if match == "id" else key_of(row)
        if ident in keys:
            found[ident] = row.identity(client.host)
    return found


async def walk(client: LettaClient, page: int = PAGE, **filters: Any) -> AsyncIterator[IdentitySummary]:
    """Every identity row on the server (filters as ``list_page`` takes them), oldest first, page after page."""
    filters.setdefault("order", "asc")

    async def fetch(limit: int, after: str | None) -> list[IdentitySummary]:
        return await client.list_page(limit=limit, after=after, **filters)

    async for row in paging.rows(fetch, page, paging.row_id):
        yield row


# -- applying ------------------------------------------------------------------------------------------------


@dataclass
class RowResult:
    row: RowPlan
    ok: bool
    status: str  # created, updated, exists, failed, conflict
    message: str = ""
    identity: Identity | None = None


GROUP = 32  # creates whose intents go onto the journal's disk together (one append, one fsync)


async def apply_import(client: LettaClient, plan: ImportPlan, *, concurrency: int = 4,
                       done: Callable[[RowResult], Awaitable[None] | None] | None = None) -> list[RowResult]:
    """Send every create and update, at most ``concurrency`` at once; a failure is reported, not raised.

    With a journal, the creates' intents are written ``GROUP`` at a time (one append and one fsync for the
    group, in a thread) while the group before is being sent: a row goes to the workers only once its
    intent is on disk. When a group's intents cannot be written (a full disk), each of its rows tries its own
    and is sent all the same, as a single save is, its result saying that the journal missed it.
    Rows whose intent was written but that were never sent (a cancel) are recorded as not sent. An update
    is re-read before it is sent, so it begins its own intent then, as a single save does."""
    journal = client.journal
    queue: asyncio.Queue[tuple[RowPlan, Entry | None] | None] = asyncio.Queue(maxsize=GROUP)
    waiting: dict[int, tuple[RowPlan, Entry]] = {}  # begun, not yet taken by a worker (by id of the row)
    results: list[RowResult] = []
    workers = max(1, concurrency)

    async def report(result: RowResult) -> None:
        results.append(result)
        if done is not None:
            maybe = done(result)
            if asyncio.iscoroutine(maybe):
                await maybe

    async def feed() -> None:
        writes = plan.writes
        for start in range(0, len(writes), GROUP):
            group = writes[start:start + GROUP]
            entries: dict[int, Entry] = {}
            creates = [r for r in group if r.kind == CREATE and journal is not None]
            if creates:
                assert journal is not None
                begun = await journal.begin_group_async([tx.intent(_create_job(r)) for r in creates])
                if begun[0].written:  # else each row tries its own intent, and goes as a single save does
                    for row, entry in zip(creates, begun):
                        entries[id(row)] = entry
                        waiting[id(row)] = (row, entry)
            for row in group:
                await queue.put((row, entries.get(id(row))))
        for _ in range(workers):
            await queue.put(None)

    async def worker() -> None:
        while (item := await queue.get()) is not None:
            row, entry = item
            waiting.pop(id(row), None)
            try:
                result = await apply_row(client, row, entry=entry)
            except LettaError as exc:  # pragma: no cover - apply_row reports its own
                result = RowResult(row, False, "failed", exc.message)
            await report(result)

    tasks = [asyncio.ensure_future(feed()), *(asyncio.ensure_future(worker()) for _ in range(workers))]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        try:
            await asyncio.gather(*tasks, return_exceptions=True)  # each send records what it had in flight
        finally:
            if journal is not None:
                for _, entry in waiting.values():
                    journal.finish(entry, NOT_LANDED, "not sent: given up before the request left")
    results.sort(key=lambda r: r.row.line)
    return results


def _create_job(row: RowPlan) -> tx.SaveJob:
    assert row.plan is not None and row.draft is not None
    return tx.SaveJob(row.plan, row.draft, None)


async def apply_row(client: LettaClient, row: RowPlan, *, entry: Entry | None = None) -> RowResult:
    """One row's save through the transaction (``entry``: a create whose intent is on disk already)."""
    assert row.draft is not None
    if row.kind == CREATE:
        outcome = await tx.send(client, _create_job(row), entry=entry)
        if isinstance(outcome, tx.Saved):
            return RowResult(row, True, "created", outcome.journal_problem or "", identity=outcome.identity)
        assert isinstance(outcome, tx.Failed)
        if isinstance(outcome.error, AlreadyExists) or outcome.lost:
            # Created meanwhile (409), or our answer was lost: look the key up, never post twice blindly.
            try:
                found = await client.find_by_key(row.draft.identifier_key, row.draft.project_id)
            except LettaError as exc:
                return RowResult(row, False, "failed", exc.message)
            if found is not None:
                if outcome.lost:
                    tx.settle_lost_create(client, found)  # the journal learns it landed, and its id
                if not held_otherwise(found, row.draft):
                    return RowResult(row, True, "created" if outcome.lost else "exists", identity=found)
                return RowResult(row, False, "conflict", "Created by someone else meanwhile, with other values: run "
                                 "the import again to update it.", found)
        return RowResult(row, False, "failed", outcome.error.message)
    assert row.existing is not None
    prepared = await tx.prepare(client, row.existing, row.draft)
    if prepared.error is not None:
        return RowResult(row, False, "failed", prepared.error.message)
    if prepared.conflicts:
        return RowResult(row, False, "conflict", "Changed on the server since the plan, overlapping the file: "
                         "not overwritten.")
    if prepared.errors:
        return RowResult(row, False, "failed", prepared.errors[0].message)
    if prepared.job is None:
        return RowResult(row, True, "updated", identity=prepared.holds)
    outcome = await tx.send(client, prepared.job)
    if isinstance(outcome, tx.Saved):
        return RowResult(row, True, "updated", outcome.journal_problem or "", identity=outcome.identity)
    assert isinstance(outcome, tx.Failed)
    return RowResult(row, False, "failed", outcome.error.message)
