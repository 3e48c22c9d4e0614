"""The wire under the Letta client: one shared httpx client, safe retries, readable errors, no token in them.

It knows nothing of identities: ``request`` sends one JSON request (retrying only when that is safe)
and returns the decoded answer or raises the ``LettaError`` the status means. ``core.client`` puts the
typed routes on top.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import random
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from identity_tui import __version__
from identity_tui.core.display import one_line
from identity_tui.core.errors import BadResponse, ConnectionFailed, LettaError, ReadOnlyError, TimedOut, error_for_status
from identity_tui.core.jsontext import loads
from identity_tui.httpx_lean import httpx, load_network
from identity_tui.core.secret import Secret, mask, shown_url, token_url_problem, url_credentials, url_host

if TYPE_CHECKING:
    import ssl

USER_AGENT = f"identity-tui/{__version__}"
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH"})
# Failures before a connection was made for the request: nothing of it reached the server.
NOT_CONNECTED = (httpx.ConnectError, httpx.ConnectTimeout)
RETRY_STATUSES = frozenset({408, 429})  # and every 5xx, like the official SDK
MAX_RETRY_AFTER = 30.0
MiB = 1024 * 1024
MAX_ANSWER_MIB = 64.0  # the most one answer may hold, decoded (max_answer_mib, --max-answer-mib)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's own for a client


class BadToken(ConnectionFailed):
    """A token no HTTP header can carry (a line break, a control character, not ASCII): nothing is sent."""


class _Deadline(Exception):
    """One request ran past its deadline (connect, send and the whole answer)."""


class _TooLarge(Exception):
    """An answer holds more than the client reads."""


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
    # The most one request may take as a whole (connect, send, the whole answer); None: connect + 2 x read.
    request_timeout: float | None = None
    max_answer_mib: float = MAX_ANSWER_MIB  # the most one answer may hold (decoded), in MiB
    retries: int = 2
    backoff: float = 0.5
    backoff_cap: float = 8.0
    verify_tls: bool = True
    extra_headers: dict[str, str] = field(default_factory=dict)


Sleep = Callable[[float], Awaitable[None]]


_Client = TypeVar("_Client", bound="HttpClient")


class HttpClient:
    """One shared ``httpx.AsyncClient`` for one server and its credentials; ``request`` is the only way out."""

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
        # A token no header can carry is never handed to httpx (its error would print it): requests refuse.
        self._token_refused = token_url_problem(self._token.reveal(), self.base_url) if self._token else None
        if self._token and self._token_refused is None:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        if user_id:
            headers["user_id"] = user_id
        if project_id:
            headers["X-Project-Id"] = project_id
        headers.update(self.options.extra_headers)
        if transport is None:
            load_network()
        self._tls = _tls_context(self.base_url, self.options.verify_tls, transport)
        verify = self._tls if self._tls is not None else self.options.verify_tls
        # The direct way (see ``_send``): no proxy from the environment, no credentials in the URL. The client
        # is then given its transport, the one it would have made itself (httpx's default limits).
        direct = _direct_ok(self.base_url, transport)
        if direct and transport is None:
            transport = httpx.AsyncHTTPTransport(verify=verify, limits=DEFAULT_LIMITS)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(
                self.options.read_timeout, connect=self.options.connect_timeout
            ),
            # A redirect to another host would carry the token along: never follow one.
            follow_redirects=False,
            verify=verify,
            transport=transport,
            cookies=_no_cookies(),  # an API answers the token; a cookie a server sets is never sent back
        )
        self._direct = transport if direct else None
        self._headers = self._http.headers  # ours over httpx's defaults (Accept-Encoding, Connection)
        self._timeouts = self._http.timeout.as_dict()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={shown_url(self.base_url)!r}, token={self._token!r}, "
            f"readonly={self.readonly})"
        )

    @property
    def host(self) -> str:
        """Host and port of the server, for the header line and error sentences (never user:password@)."""
        return url_host(self.base_url)

    @property
    def deadline(self) -> float:
        """Seconds one request may take as a whole: connecting, sending and reading the whole answer."""
        given = self.options.request_timeout
        return given if given else self.options.connect_timeout + 2 * self.options.read_timeout

    @property
    def plain_http_warning(self) -> str | None:
        """One line when the token would cross the network unencrypted (plain http:// to another machine)."""
        if not self._token or urlsplit(self.base_url).scheme != "http" or _loopback(self.host):
            return None
        return (f"the token is sent unencrypted over plain http:// to {self.host}, which is not this machine: "
                "use https:// or an SSH tunnel.")

    @property
    def has_token(self) -> bool:
        """Whether a token is sent with every request."""
        return bool(self._token)

    @property
    def timeout(self) -> httpx.Timeout:
        """The connect and read timeouts every request is sent with."""
        return self._http.timeout

    @property
    def closed(self) -> bool:
        """True once ``aclose`` has closed the connection pool."""
        return self._http.is_closed

    @property
    def tls_context(self) -> ssl.SSLContext | None:
        """The TLS context connections are made with (None with a transport of our own, which makes none)."""
        return self._tls

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self: _Client) -> _Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

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
        if self._token_refused is not None:
            raise BadToken(f"The token (********) {self._token_refused}: it was refused and nothing was sent.",
                           status=None)
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
        connected = False  # whether any try got a connection: only then can the server have the request
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response, answer = await self._exchange(method, path, clean, content, headers)
            except httpx.TransportError as exc:  # a timeout is one too
                connected = connected or not isinstance(exc, NOT_CONNECTED)
                self._record(method, path, clean, body, None)
                if last:
                    failed = self._unreachable(exc)
                    failed.never_sent = not connected
                    raise failed from None
                await self._sleep(self._backoff(attempt, None))
                continue
            except _Deadline:
                # Not tried again: a server that answers this slowly would hold us as long again.
                self._record(method, path, clean, body, None)
                raise TimedOut(f"{self.host} did not send its whole answer within {self.deadline:g} s "
                               "(request_timeout); stopped waiting.", status=None) from None
            except _TooLarge as exc:
                self._record(method, path, clean, body, exc.args[0])
                raise BadResponse(f"{self.host} answered with more than {self.options.max_answer_mib:g} MiB, the "
                                  "most one answer may hold (max_answer_mib); stopped reading.",
                                  status=exc.args[0]) from None
            connected = True
            self._record(method, path, clean, body, response.status_code)
            status = response.status_code
            if _retryable(status) and not last:
                await self._sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            try:
                return self._decode(response, answer)
            except LettaError as exc:
                # A server may echo what it was sent; the token must not travel on in an error.
                exc.message = self._scrub(exc.message)
                exc.detail = self._scrub(exc.detail)
                exc.args = (exc.message,)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(self, method: str, path: str, params: dict[str, str], content: bytes | None,
                        headers: dict[str, str]) -> tuple[httpx.Response, bytearray]:
        """Send one request and read its answer, at most ``max_answer_mib`` of it, within the deadline."""
        request = self._request(method, path, params, content, headers)
        if sys.version_info < (3, 11):  # pragma: no cover - a task per request, where asyncio.timeout is missing
            try:
                return await asyncio.wait_for(self._read(request), self.deadline)
            except asyncio.TimeoutError:
                raise _Deadline from None
        deadline = asyncio.timeout(self.deadline)  # a timer on this task: no task of its own per request
        try:
            async with deadline:
                return await self._read(request)
        except TimeoutError:
            if deadline.expired():
                raise _Deadline from None
            raise

    def _request(self, method: str, path: str, params: dict[str, str], content: bytes | None,
                 headers: dict[str, str]) -> httpx.Request:
        """The request as ``AsyncClient.build_request`` makes it: the base URL and the path, the client's headers
        and ``headers``, its timeouts. Made directly on the direct way (no cookie jar to consult)."""
        if self._direct is None:
            return self._http.build_request(method, path, params=params or None, content=content, headers=headers)
        merged = self._headers
        if headers:
            merged = merged.copy()
            merged.update(headers)
        return httpx.Request(method, self.base_url + path, params=params or None, content=content, headers=merged,
                             extensions={"timeout": self._timeouts})

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """``request`` sent, its answer's body still to be read.

        The direct way hands the request to the transport the client would have picked (its only one: no proxy
        from the environment), which is what ``AsyncClient.send`` comes to once it has looked for an auth flow
        (none: the token is a header), for redirects (never followed) and for cookies (this client keeps none):
        a tenth of a request's CPU, which a batch of thousands pays twice per identity. Any other set-up goes
        through ``send``."""
        if self._direct is None:
            return await self._http.send(request, stream=True)
        if self._http.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        response = await self._direct.handle_async_request(request)
        response.request = request
        return response

    async def _read(self, request: httpx.Request) -> tuple[httpx.Response, bytearray]:
        response = await self._send(request)
        try:
            cap = int(self.options.max_answer_mib * MiB)
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > cap:
                raise _TooLarge(response.status_code)
            answer = bytearray()  # one buffer, never a list of chunks and their join besides
            async for chunk in response.aiter_bytes():  # decoded: a compressed answer counts as it unpacks
                if len(answer) + len(chunk) > cap:
                    raise _TooLarge(response.status_code)
                answer += chunk
            return response, answer
        finally:
            await response.aclose()

    def _unreachable(self, exc: Exception) -> ConnectionFailed:
        """The error for a request that got no answer: TimedOut, or ConnectionFailed naming the cause."""
        if isinstance(exc, httpx.TimeoutException):
            return TimedOut(f"{self.host} did not answer in time ({type(exc).__name__}).", status=None)
        return ConnectionFailed(
            f"Cannot reach {shown_url(self.base_url)}: {self._scrub(str(exc)) or type(exc).__name__}.", status=None
        )

    def _record(self, method: str, path: str, params: dict[str, str], body: Any, status: int | None) -> None:
        self.sent.append(SentRequest(method, path, params, body, status))

    def _scrub(self, text: str) -> str:
        # The URL as a whole first: credentials too short for ``mask`` to take on their own still go.
        return mask(text.replace(self.base_url, shown_url(self.base_url)), [self._token, url_credentials(self.base_url)])

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = parse_retry_after(retry_after)
        if wait is not None:
            return min(wait, MAX_RETRY_AFTER)
        base = min(self.options.backoff * 2.0**attempt, self.options.backoff_cap)
        return base * (0.75 + random.random() / 2)

    def _decode(self, response: httpx.Response, answer: bytes | bytearray) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            where = one_line(response.headers.get("location", "?"), 120)
            raise BadResponse(
                f"The server redirected to {where} ({status}); not followed. Check the base URL.",
                status=status,
            )
        try:
            data = loads(answer) if answer else None
        except RecursionError:
            raise BadResponse(
                f"{self.host} answered with JSON nested too deeply to read.", status=status
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:  # a JSONDecodeError, or an integer of over 4,300 digits
            if not isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
                raise BadResponse(
                    f"{self.host} answered with a number too long to read (over 4,300 digits).", status=status
                ) from None
            if status >= 400:
                raise error_for_status(status, answer.decode(response.encoding or "utf-8", "replace")[:500]) from None
            raise BadResponse(
                f"{self.host} answered with something that is not JSON: is it a Letta server?",
                status=status,
            ) from None
        if status >= 400:
            raise error_for_status(
                status, data, retry_after=parse_retry_after(response.headers.get("retry-after"))
            )
        return data


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


class _RefuseCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that keeps none: the client's own way then sends none, as the direct way never does."""
    return http.cookiejar.CookieJar(policy=_RefuseCookies())


def _direct_ok(base_url: str, transport: httpx.AsyncBaseTransport | None) -> bool:
    """Whether requests to ``base_url`` may go straight to the client's transport: no ``user:password@`` in the URL
    (the client would turn it into an Authorization header) and, unless a transport is given (the client then
    reads no proxy from the environment), no proxy set in the environment (it would pick a proxy's transport)."""
    if url_credentials(base_url) is not None:
        return False
    if transport is not None:
        return True
    import urllib.request

    return not urllib.request.getproxies()


def _loopback(host: str) -> bool:
    """Whether ``host`` (a host[:port] as the URL gives it) is this machine: localhost, 127.0.0.0/8, ::1."""
    import ipaddress

    name = host.rpartition("]")[0].lstrip("[") if host.startswith("[") else host.rpartition(":")[0] or host
    name = name.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _tls_context(base_url: str, verify: bool, transport: httpx.AsyncBaseTransport | None) -> ssl.SSLContext | None:
    """The TLS context httpx is given, built here so that it can be read; None with a transport of our own.

    httpx builds its TLS context (reading the whole CA bundle: 60-150 ms and ~6 MB here) even for a
    client that never speaks TLS. A plain-HTTP base URL, no transport of our own and no proxy from
    the environment (an ``https://`` proxy would need the real thing) means no TLS at all; should
    TLS happen anyway, the empty context refuses every certificate rather than skipping the check.
    Any other server gets exactly the context httpx would build from ``verify``.
    """
    if transport is not None:
        return None
    if verify and urlsplit(base_url).scheme == "http":
        import urllib.request

        if not urllib.request.getproxies():
            import ssl

            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx.create_ssl_context(verify=verify)
