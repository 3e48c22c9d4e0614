"""The client for the Letta identities API: its routes, typed, over the wire of ``core.http_client``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from identity_tui.core import paging
from identity_tui.core.errors import BadResponse, CursorGone, NotFound
from identity_tui.core.http_client import HttpClient
from identity_tui.core.keys import key_of, project_key
from identity_tui.core.kinds import IdentityType
from identity_tui.core.paths import AGENTS, BLOCKS, HEALTH, IDENTITIES, IDENTITY_COUNT, identity_path, link_path
from identity_tui.core.summary import IdentitySummary, parse_identity, parse_page

if TYPE_CHECKING:
    # The models load pydantic, which the list does not need: imported when an identity is parsed.
    from identity_tui.core.journal import Journal
    from identity_tui.core.models import Identity, IdentityCreate, IdentityProperty, IdentityUpdate


class LettaClient(HttpClient):
    """The identities routes (and the agent and block routes that link to them), and nothing cleverer."""

    # The write journal (core.journal) the save transaction records into; None keeps none.
    journal: Journal | None = None

    async def health(self) -> dict[str, Any]:
        """``GET /v1/health/``: proves the base URL is a Letta server."""
        data = await self.request("GET", HEALTH)
        if not isinstance(data, dict) or "status" not in data:
            raise BadResponse(
                f"{self.host} answered the health check, but not like a Letta server.",
                status=200,
            )
        return data

    async def list_page(
        self,
        *,
        name: str | None = None,
        identifier_key: str | None = None,
        identity_type: IdentityType | str | None = None,
        project_id: str | None = None,
        limit: int = 50,
        after: str | None = None,
        before: str | None = None,
        order: str = "desc",
    ) -> list[IdentitySummary]:
        """One page of the list as rows (a bare array on the wire; a short page is the last).

        Rows keep the server's JSON and are validated in full when opened, so the list works before
        pydantic is loaded; ``list_identities`` is the same page as validated models.
        """
        params = {
            "name": name or None,
            "identifier_key": identifier_key or None,
            "identity_type": _enum_value(identity_type),
            "project_id": project_id or None,
            "limit": limit,
            "after": after or None,
            "before": before or None,
            "order": order or None,
        }
        try:
            data = await self.request("GET", IDENTITIES, params=params)
        except NotFound as exc:
            if after or before:
                raise CursorGone(
                    "The identity this page started from no longer exists: start from the top.",
                    status=404,
                    detail=exc.detail,
                ) from None
            raise
        return parse_page(data, self.host)

    async def list_identities(self, **query: Any) -> list[Identity]:
        """One page of identities, each validated (same arguments as ``list_page``)."""
        return [row.identity(self.host) for row in await self.list_page(**query)]

    async def iter_identities(self, *, page_size: int = 50, **filters: Any) -> AsyncIterator[Identity]:
        """Every identity matching ``filters``, walking pages with ``after`` until a short page."""

        async def page(limit: int, after: str | None) -> list[Identity]:
            return await self.list_identities(limit=limit, after=after, **filters)

        async for identity in paging.rows(page, page_size, paging.row_id):
            yield identity

    async def count(self) -> int:
        """``GET /v1/identities/count``: the whole organization's total (filters are ignored)."""
        data = await self.request("GET", IDENTITY_COUNT)
        if isinstance(data, bool) or not isinstance(data, int):
            raise BadResponse(f"{self.host} sent a count that is not a number.", status=200)
        return data

    async def get(self, identity_id: str) -> Identity:
        """``GET /v1/identities/{id}``."""
        return parse_identity(await self.request("GET", identity_path(identity_id)), self.host)

    async def create(self, body: IdentityCreate | dict[str, Any]) -> Identity:
        """``POST /v1/identities/`` (200 on success). Never retried."""
        wire = _wire(body)
        return parse_identity(await self.request("POST", IDENTITIES, body=wire), self.host)

    async def upsert(self, body: IdentityCreate | dict[str, Any]) -> Identity:
        """``PUT /v1/identities/``: replaces by identifier_key; a new key gives 404 (a server bug)."""
        wire = _wire(body)
        return parse_identity(await self.request("PUT", IDENTITIES, body=wire), self.host)

    async def update(self, identity_id: str, body: IdentityUpdate | dict[str, Any]) -> Identity:
        """``PATCH /v1/identities/{id}``: properties merge by key; nothing can be removed."""
        wire = _wire(body)
        return parse_identity(
            await self.request("PATCH", identity_path(identity_id), body=wire, has_body=True),
            self.host,
        )

    async def replace_properties(
        self, identity_id: str, properties: Iterable[IdentityProperty | dict[str, Any]]
    ) -> Identity:
        """``PUT /v1/identities/{id}/properties`` with a bare array: replaces the whole list."""
        wire = [_wire(p) for p in properties]
        return parse_identity(
            await self.request(
                "PUT", identity_path(identity_id, "/properties"), body=wire, has_body=True
            ),
            self.host,
        )

    async def delete(self, identity_id: str) -> None:
        """``DELETE /v1/identities/{id}`` (answers JSON null; anything else is not a Letta server's answer)."""
        data = await self.request("DELETE", identity_path(identity_id))
        if data is not None:
            raise BadResponse(
                f"{self.host} answered the delete, but not like a Letta server (it answers null).",
                status=200,
            )

    async def find_by_key(self, identifier_key: str, project_id: str | None = None) -> Identity | None:
        """The identity with exactly this key in this project (no project is a project too), or None."""
        page = await self.list_identities(identifier_key=identifier_key, project_id=project_id, limit=50)
        wanted = project_key(identifier_key, project_id)
        return next((identity for identity in page if key_of(identity) == wanted), None)

    # -- links: agents and memory blocks ------------------------------------------------------------

    async def list_agents(
        self, identity_id: str, *, limit: int = 50, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Agents linked to an identity (the identity's own ``agent_ids`` is always empty)."""
        return await self._objects(identity_path(identity_id, "/agents"), {"limit": limit, "after": after or None})

    async def list_blocks(
        self, identity_id: str, *, limit: int = 50, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Memory blocks linked to an identity."""
        return await self._objects(identity_path(identity_id, "/blocks"), {"limit": limit, "after": after or None})

    async def search_agents(self, *, query_text: str | None = None, name: str | None = None, limit: int = 50,
                            after: str | None = None) -> list[dict[str, Any]]:
        """Agents whose name contains ``query_text`` (any case) or equals ``name``, newest first."""
        params = {"query_text": query_text or None, "name": name or None, "limit": limit, "after": after or None}
        return await self._objects(AGENTS, params)

    async def search_blocks(self, *, label: str | None = None, label_search: str | None = None,
                            value_search: str | None = None, limit: int = 50,
                            after: str | None = None) -> list[dict[str, Any]]:
        """Memory blocks by exact label, or whose label or value contains the text (any case)."""
        params = {"label": label or None, "label_search": label_search or None, "value_search": value_search or None,
                  "limit": limit, "after": after or None}
        return await self._objects(BLOCKS, params)

    async def attach_agent(self, agent_id: str, identity_id: str) -> Any:
        """Link an agent to an identity."""
        return await self.request("PATCH", link_path("agent", agent_id, identity_id, attach=True))

    async def detach_agent(self, agent_id: str, identity_id: str) -> Any:
        """Unlink an agent from an identity."""
        return await self.request("PATCH", link_path("agent", agent_id, identity_id, attach=False))

    async def attach_block(self, block_id: str, identity_id: str) -> Any:
        """Link a memory block to an identity."""
        return await self.request("PATCH", link_path("block", block_id, identity_id, attach=True))

    async def detach_block(self, block_id: str, identity_id: str) -> Any:
        """Unlink a memory block from an identity."""
        return await self.request("PATCH", link_path("block", block_id, identity_id, attach=False))

    async def _objects(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """A GET answered with a list of JSON objects (agents or blocks); anything else is a BadResponse."""
        data = await self.request("GET", path, params=params)
        if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
            raise BadResponse(f"{self.host} answered, but not with a list.", status=200)
        return data


def _enum_value(value: IdentityType | str | None) -> str | None:
    if value is None or value == "":
        return None
    return value.value if isinstance(value, IdentityType) else str(value)


def _wire(body: Any) -> Any:
    """A model's JSON body (``.wire()``); a dict is sent as it is."""
    return body if isinstance(body, dict) else body.wire()

