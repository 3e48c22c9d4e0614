"""Deleting an identity: a 404 is what was asked for; with a journal, what is deleted is kept for an undo.

Reached through ``core.transaction``, like every other write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from identity_tui.core.errors import LettaError, NotFound, answer_may_be_lost
from identity_tui.core.journal import LANDED, NOT_LANDED, UNKNOWN, Entry, image
from identity_tui.core.links import linked
from identity_tui.core.models import Identity
from identity_tui.core.paths import identity_path

if TYPE_CHECKING:
    from identity_tui.core.client import LettaClient


@dataclass(frozen=True)
class Deleted:
    """The identity is gone: deleted now, or found gone (``already``: a 404, e.g. a retry after a lost answer)."""

    identity_id: str
    already: bool = False
    journal_problem: str | None = None


@dataclass(frozen=True)
class DeleteFailed:
    error: LettaError

    @property
    def lost(self) -> bool:
        return answer_may_be_lost(self.error)


async def delete(client: LettaClient, identity_id: str, *, undoes: str | None = None) -> Deleted | DeleteFailed:
    """Delete one identity; a 404 means it is gone already, which is what was asked.

    With a journal, the identity and its links are read first, so that an undo can re-create them."""
    journal = client.journal
    before: Identity | None = None
    links: dict[str, list[str]] | None = None
    if journal is not None:
        try:
            before = await client.get(identity_id)
            links = await _links_of(client, identity_id)
        except NotFound:
            return Deleted(identity_id, already=True)
        except LettaError as exc:
            return DeleteFailed(exc)
    entry: Entry | None = None
    if journal is not None:
        request = {"method": "DELETE", "path": identity_path(identity_id), "body": None}
        entry = await journal.begin_async(
            "delete", identity_id=identity_id, identifier_key=before.identifier_key if before else None,
            requests=[request], before=image(before), undoes=undoes, links=links)
    try:
        await client.delete(identity_id)
    except NotFound:
        result: Deleted | DeleteFailed = Deleted(identity_id, already=True)
    except LettaError as exc:
        result = DeleteFailed(exc)
    except BaseException:  # a cancel: given up while the delete was in flight
        if journal is not None and entry is not None:
            journal.given_up(entry)
        raise
    else:
        result = Deleted(identity_id)
    if journal is not None and entry is not None:
        if isinstance(result, Deleted):
            status, words = (NOT_LANDED, "not needed: someone else had deleted it just before") if result.already \
                else (LANDED, "deleted")
        else:
            status, words = (UNKNOWN, "unknown: the answer was lost; a later read settles it") if result.lost \
                else (NOT_LANDED, f"refused: {result.error.message}")
        _, problem = journal.finish(entry, status, words)
        if problem and isinstance(result, Deleted):
            result = replace(result, journal_problem=problem)
    return result


async def _links_of(client: LettaClient, identity_id: str) -> dict[str, list[str]]:
    return {"agents": [str(a.get("id")) for a in await linked(client, identity_id, "agent")],
            "blocks": [str(b.get("id")) for b in await linked(client, identity_id, "block")]}
