"""The HTTP client for the Letta identities API: exact paths, safe retries, readable errors."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from identity_tui import __version__
from identity_tui.core.display import one_line
from identity_tui.core.errors import (
    BadResponse,
    ConnectionFailed,
    CursorGone,
    LettaError,
    NotFound,
    ReadOnlyError,
    TimedOut,
    error_for_status,
)
from identity_tui.core.httpx_lean import httpx, load_network
from identity_tui.core.kinds import IdentityType
from identity_tui.core.secret import Secret, mask
from identity_tui.core.paths import API, IDENTITIES, identity_path
from identity_tui.core.summary import IdentitySummary, parse_identity, parse_page

if TYPE_CHECKING:
    # The models load pydantic, which the list does not need: imported when an identity is parsed.
    from identity_tui.core.models import Identity, IdentityCreate, IdentityProperty, IdentityUpdate

USER_AGENT = f"identity-tui/{__version__}"
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH"})
RETRY_STATUSES = frozenset({408, 429})  # and every 5xx, like the official SDK
MAX_RETRY_AFTER = 30.0


class BadRequestBody(LettaError):
    """A body that JSON cannot carry (NaN, an unpaired surrogate): refused before sending."""


@dataclass(frozen=True)
class SentRequest:
    """What the client put on the wire, for tests and the save report."""

    method: str
    path: str
    params: dict[str, str]
    body: Any
    status: int | None


@dataclass
class ClientOptions:
    """Transport settings with the official SDK's defaults."""

    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 2
    backoff: float = 0.5
    backoff_cap: float = 8.0
    verify_tls: bool = True
    extra_headers: dict[str, str] = field(default_factory=dict)


Sleep = Callable[[float], Awaitable[None]]


class LettaClient:
    """One shared ``httpx.AsyncClient`` speaking the identities routes, and nothing cleverer."""

    # The write journal (core.journal) the save transaction records into; None keeps none.
    journal: Any = None

    def __init__(
        self,
        base_url: str,
        *,
        token: Secret | str | None = None,
        user_id: str | None = None,
        project_id: str | None = None,
        readonly: bool = False,
        options: ClientOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token if isinstance(token, Secret) or token is None else Secret(token)
        self.user_id = user_id
        self.project_id = project_id
        self.readonly = readonly
        self.options = options or ClientOptions()
        self._sleep = sleep
        self.sent: deque[SentRequest] = deque(maxlen=200)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        if user_id:
            headers["user_id"] = user_id
        if project_id:
            headers["X-Project-Id"] = project_id
        headers.update(self.options.extra_headers)
        if transport is None:
            load_network()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(
                self.options.read_timeout, connect=self.options.connect_timeout
            ),
            # A redirect to another host would carry the token along: never follow one.
            follow_redirects=False,
            verify=_tls_setting(self.base_url, self.options.verify_tls, transport),
            transport=transport,
        )

    def __repr__(self) -> str:
        return (
            f"LettaClient(base_url={self.base_url!r}, token={self._token!r}, "
            f"readonly={self.readonly})"
        )

    @property
    def host(self) -> str:
        """Host and port of the server, for the header line."""
        parts = urlsplit(self.base_url)
        return parts.netloc or self.base_url

    @property
    def has_token(self) -> bool:
        """Whether a token is sent with every request."""
        return bool(self._token)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> LettaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the wire ---------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        has_body: bool = False,
    ) -> Any:
        """Send one request (retrying only when that is safe) and return the decoded JSON."""
        method = method.upper()
        if self.readonly and method not in ("GET", "HEAD"):
            raise ReadOnlyError(
                "This connection is read-only: nothing was sent.", status=None
            )
        clean = {k: str(v) for k, v in (params or {}).items() if v is not None}
        content = None
        headers = {}
        if has_body or body is not None:
            try:
                content = json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
            except (ValueError, UnicodeEncodeError, RecursionError):
                raise BadRequestBody(
                    "The request holds a value that cannot be sent as JSON "
                    "(not a finite number, broken text, or nested too deeply): nothing was sent.",
                    status=None,
                ) from None
            headers["Content-Type"] = "application/json"
        attempts = 1 + (self.options.retries if method in IDEMPOTENT else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._http.request(
                    method, path, params=clean or None, content=content, headers=headers
                )
            except httpx.TimeoutException as exc:
                self._record(method, path, clean, body, None)
                if last:
                    raise TimedOut(
                        f"{self.host} did not answer in time ({type(exc).__name__}).",
                        status=None,
                    ) from None
                await self._sleep(self._backoff(attempt, None))
                continue
            except httpx.TransportError as exc:
                self._record(method, path, clean, body, None)
                if last:
                    raise ConnectionFailed(
                        f"Cannot reach {self.base_url}: {self._scrub(str(exc)) or type(exc).__name__}.",
                        status=None,
                    ) from None
                await self._sleep(self._backoff(attempt, None))
                continue
            self._record(method, path, clean, body, response.status_code)
            status = response.status_code
            if _retryable(status) and not last:
                await self._sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            try:
                return self._decode(response)
            except LettaError as exc:
                # A server may echo what it was sent; the token must not travel on in an error.
                exc.message = self._scrub(exc.message)
                exc.detail = self._scrub(exc.detail)
                exc.args = (exc.message,)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _record(self, method: str, path: str, params: dict[str, str], body: Any, status: int | None) -> None:
        self.sent.append(SentRequest(method, path, params, body, status))

    def _scrub(self, text: str) -> str:
        return mask(text, [self._token])

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = parse_retry_after(retry_after)
        if wait is not None:
            return min(wait, MAX_RETRY_AFTER)
        base = min(self.options.backoff * (2**attempt), self.options.backoff_cap)
        return base * (0.75 + random.random() / 2)

    def _decode(self, response: httpx.Response) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            where = one_line(response.headers.get("location", "?"), 120)
            raise BadResponse(
                f"The server redirected to {where} ({status}); not followed. Check the base URL.",
                status=status,
            )
        try:
            data = response.json() if response.content else None
        except RecursionError:
            raise BadResponse(
                f"{self.host} answered with JSON nested too deeply to read.", status=status
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            if status >= 400:
                raise error_for_status(status, response.text[:500]) from None
            raise BadResponse(
                f"{self.host} answered with something that is not JSON: is it a Letta server?",
                status=status,
            ) from None
        if status >= 400:
            raise error_for_status(
                status, data, retry_after=parse_retry_after(response.headers.get("retry-after"))
            )
        return data

    # -- typed routes --------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        """``GET /v1/health/``: proves the base URL is a Letta server."""
        data = await self.request("GET", f"{API}/health/")
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
        after: str | None = None
        while True:
            page = await self.list_identities(limit=page_size, after=after, **filters)
            for identity in page:
                yield identity
            if len(page) < page_size or not page:
                return
            after = page[-1].id

    async def count(self) -> int:
        """``GET /v1/identities/count``: the whole organization's total (filters are ignored)."""
        data = await self.request("GET", f"{API}/identities/count")
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
        for identity in page:
            if identity.identifier_key == identifier_key and (identity.project_id or None) == (project_id or None):
                return identity
        return None

    async def list_agents(
        self, identity_id: str, *, limit: int = 50, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Agents linked to an identity (the identity's own ``agent_ids`` is always empty)."""
        return _parse_objects(
            await self.request(
                "GET",
                identity_path(identity_id, "/agents"),
                params={"limit": limit, "after": after or None},
            ),
            self.host,
        )

    async def list_blocks(
        self, identity_id: str, *, limit: int = 50, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Memory blocks linked to an identity."""
        return _parse_objects(
            await self.request(
                "GET",
                identity_path(identity_id, "/blocks"),
                params={"limit": limit, "after": after or None},
            ),
            self.host,
        )

    async def search_agents(self, *, query_text: str | None = None, name: str | None = None, limit: int = 50,
                            after: str | None = None) -> list[dict[str, Any]]:
        """Agents whose name contains ``query_text`` (any case) or equals ``name``, newest first."""
        params = {"query_text": query_text or None, "name": name or None, "limit": limit, "after": after or None}
        return _parse_objects(await self.request("GET", f"{API}/agents/", params=params), self.host)

    async def search_blocks(self, *, label: str | None = None, label_search: str | None = None,
                            value_search: str | None = None, limit: int = 50,
                            after: str | None = None) -> list[dict[str, Any]]:
        """Memory blocks by exact label, or whose label or value contains the text (any case)."""
        params = {"label": label or None, "label_search": label_search or None, "value_search": value_search or None,
                  "limit": limit, "after": after or None}
        return _parse_objects(await self.request("GET", f"{API}/blocks/", params=params), self.host)

    async def attach_agent(self, agent_id: str, identity_id: str) -> Any:
        """Link an agent to an identity."""
        return await self.request("PATCH", f"{API}/agents/{agent_id}/identities/attach/{identity_id}")

    async def detach_agent(self, agent_id: str, identity_id: str) -> Any:
        """Unlink an agent from an identity."""
        return await self.request("PATCH", f"{API}/agents/{agent_id}/identities/detach/{identity_id}")

    async def attach_block(self, block_id: str, identity_id: str) -> Any:
        """Link a memory block to an identity."""
        return await self.request("PATCH", f"{API}/blocks/{block_id}/identities/attach/{identity_id}")

    async def detach_block(self, block_id: str, identity_id: str) -> Any:
        """Unlink a memory block from an identity."""
        return await self.request("PATCH", f"{API}/blocks/{block_id}/identities/detach/{identity_id}")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import email.utils  # only for a Retry-After given as a date, which is rare

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _retryable(status: int) -> bool:
    """408, 429 and 5xx are worth another try; any other status is the server's answer."""
    return status in RETRY_STATUSES or 500 <= status < 600


def _enum_value(value: IdentityType | str | None) -> str | None:
    if value is None or value == "":
        return None
    return value.value if isinstance(value, IdentityType) else str(value)


def _tls_setting(base_url: str, verify: bool, transport: Any) -> Any:
    """What httpx is given as ``verify``: for a plain ``http://`` server, a context that trusts nobody.

    httpx builds its TLS context (reading the whole CA bundle: 60-150 ms and ~6 MB here) even for a
    client that never speaks TLS. A plain-HTTP base URL, no transport of our own and no proxy from
    the environment (an ``https://`` proxy would need the real thing) means no TLS at all; should
    TLS happen anyway, the empty context refuses every certificate rather than skipping the check.
    """
    if transport is not None or not verify or urlsplit(base_url).scheme != "http":
        return verify
    import urllib.request

    if urllib.request.getproxies():
        return verify
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _wire(body: Any) -> Any:
    """A model's JSON body (``.wire()``); a dict is sent as it is."""
    return body if isinstance(body, dict) else body.wire()


def _parse_objects(data: Any, host: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise BadResponse(f"{host} answered, but not with a list.", status=200)
    return data


__all__ = [
    "ClientOptions",
    "LettaClient",
    "LettaError",
    "SentRequest",
    "identity_path",
    "parse_identity",
    "parse_retry_after",
]
