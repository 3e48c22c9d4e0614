"""Links between an identity and agents or memory blocks: one request per change, then read back.

The server answers attach and detach with 200 whatever the state was (a second detach answers ``null``),
so whether anything changed is told by the identity's link list before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from identity_tui.core import paging
from identity_tui.core.errors import LettaError, answer_may_be_lost
from identity_tui.core.journal import LANDED, NOT_LANDED, UNKNOWN, Entry
from identity_tui.core.paths import link_path

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient

KINDS = ("agent", "block")
PAGE = 100


@dataclass(frozen=True)
class LinkChange:
    """What a link or unlink did: ``status`` is linked, unlinked, already_linked or already_unlinked."""

    kind: str
    target_id: str
    status: str
    target: dict[str, Any] | None  # the agent or block as listed, when known
    journal_problem: str | None = None  # why the journal could not record it (the change went through)


async def linked(client: LettaClient, identity_id: str, kind: str) -> list[dict[str, Any]]:
    """Every agent (or block) linked to the identity, page after page."""
    listing = client.list_agents if kind == "agent" else client.list_blocks

    async def page(limit: int, after: str | None) -> list[dict[str, Any]]:
        return await listing(identity_id, limit=limit, after=after)

    return [target async for target in paging.rows(page, PAGE, paging.dict_id)]


async def change(client: LettaClient, identity_id: str, kind: str, target_id: str, *, attach: bool,
                 undoes: str | None = None) -> LinkChange:
    """Attach or detach one agent or block, reading the links before and after; journaled when the
    client keeps a journal."""
    if kind not in KINDS:
        raise ValueError(kind)
    before = {t.get("id"): t for t in await linked(client, identity_id, kind)}
    if attach and target_id in before:
        return LinkChange(kind, target_id, "already_linked", before[target_id])
    if not attach and target_id not in before:
        return LinkChange(kind, target_id, "already_unlinked", None)
    method = {("agent", True): client.attach_agent, ("agent", False): client.detach_agent,
              ("block", True): client.attach_block, ("block", False): client.detach_block}[(kind, attach)]
    path = link_path(kind, target_id, identity_id, attach=attach)
    journal = client.journal
    entry: Entry | None = None
    if journal is not None:
        entry = await journal.begin_async(
            "link" if attach else "unlink", identity_id=identity_id, identifier_key=None,
            requests=[{"method": "PATCH", "path": path, "body": None}], before=None, undoes=undoes,
            target={"kind": kind, "id": target_id})
    try:
        await method(target_id, identity_id)
    except LettaError as exc:
        if journal is not None and entry is not None:
            lost = answer_may_be_lost(exc)
            journal.finish(entry, UNKNOWN if lost else NOT_LANDED,
                           "unknown: the answer was lost; a later read settles it" if lost
                           else f"refused: {exc.message}")
        raise
    except BaseException:  # a cancel
        if journal is not None and entry is not None:
            journal.given_up(entry)
        raise
    try:
        after = {t.get("id"): t for t in await linked(client, identity_id, kind)}
    except LettaError:
        if journal is not None and entry is not None:
            journal.finish(entry, UNKNOWN, "unknown: answered, but the links could not be read after it")
        raise
    problem = None
    if journal is not None and entry is not None:
        there = target_id in after
        _, problem = journal.finish(entry, LANDED if there == attach else NOT_LANDED,
                                    ("linked" if attach else "unlinked") if there == attach
                                    else "answered, but the links read after it do not show the change")
    if attach and target_id not in after:
        raise LettaError(f"The server answered the link, but the {kind} is not among the identity's links.")
    if not attach and target_id in after:
        raise LettaError(f"The server answered the unlink, but the {kind} is still linked.")
    return LinkChange(kind, target_id, "linked" if attach else "unlinked", after.get(target_id) or before.get(target_id),
                      problem)
