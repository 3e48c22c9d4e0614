"""One exception family for everything the API can answer, each with a sentence a person can act on."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from identity_tui.core.display import printable
from identity_tui.core.jsontext import collector_paused, dumps


@dataclass(frozen=True)
class FieldError:
    """One validation problem the server named: where, and what."""

    loc: tuple[str | int, ...]
    msg: str

    @property
    def field(self) -> str:
        """The location without its 'body'/'query'/'path' prefix, dotted: ``properties.0.value``."""
        parts = list(self.loc)
        if parts and parts[0] in ("body", "query", "path", "header"):
            parts = parts[1:]
        return ".".join(str(p) for p in parts) or "request"

    def __str__(self) -> str:
        return f"{self.field}: {self.msg}"


def detail_text(detail: Any) -> str:
    """The server's ``detail`` (string, list or object) as readable text."""
    if detail is None:
        return ""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        errors = parse_field_errors(detail)
        if errors:
            return "; ".join(str(e) for e in errors)
    return str(detail)


def parse_field_errors(detail: Any) -> list[FieldError]:
    """Field errors from a 422 ``detail``: a JSON list, or the Python repr string the server sends."""
    items = detail
    if isinstance(detail, str):
        text = detail.strip()
        if not text.startswith("["):
            return []
        try:
            with collector_paused():
                items = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return []
    if not isinstance(items, list):
        return []
    out: list[FieldError] = []
    seen: set[tuple[Any, ...]] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        loc = item.get("loc") or ()
        if not isinstance(loc, (list, tuple)):
            loc = (str(loc),)
        loc = tuple(p if isinstance(p, (str, int)) else str(p) for p in loc)
        # A union failure lists one error per member type (…, 'value', 'str'); report the field once.
        union_member = (
            len(loc) >= 2
            and loc[-2] == "value"
            and (
                loc[-1] in ("str", "int", "float", "bool")
                or (isinstance(loc[-1], str) and loc[-1].startswith("dict["))
            )
        )
        if union_member:
            loc = loc[:-1]
            msg = "not an accepted value (text, number, true/false or a JSON object)"
        else:
            msg = str(item.get("msg", "invalid"))
        if (loc, msg) in seen:
            continue
        seen.add((loc, msg))
        out.append(FieldError(loc=loc, msg=msg))
    return out


class LettaError(Exception):
    """Anything that went wrong talking to the server, with a sentence to show."""

    status: int | None = None

    def __init__(self, message: str, *, detail: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class ConnectionFailed(LettaError):
    """The server could not be reached, or the connection broke. ``never_sent``: no connection was ever made
    for the request (every try failed to connect), so the server cannot have carried it out."""

    never_sent: bool = False


class TimedOut(ConnectionFailed):
    """The server took too long to answer."""


class BadResponse(LettaError):
    """The server answered with something that is not what the Letta API sends."""


class ReadOnlyError(LettaError):
    """A write was attempted on a read-only connection; nothing was sent."""


class APIError(LettaError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        detail: str = "",
        field_errors: list[FieldError] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, detail=detail, status=status)
        self.field_errors = field_errors or []
        self.retry_after = retry_after


class Unauthorized(APIError):
    """401: the token was rejected."""


class PaymentRequired(APIError):
    """402: the plan's identity limit is reached."""


class NotFound(APIError):
    """404: the identity (or cursor) no longer exists."""


class CursorGone(NotFound):
    """404 on a paging cursor: the row the page started from was deleted."""


class AlreadyExists(APIError):
    """409: the identifier_key is already used in this project."""


class ValidationFailed(APIError):
    """422: the server rejected a field."""


class ServerError(APIError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, tuple[type[APIError], str]] = {
    400: (APIError, "The server refused the request: {detail}"),
    401: (Unauthorized, "The server rejected the token (401): check the API key or password."),
    402: (PaymentRequired, "The plan's identity limit is reached (402): delete some or upgrade."),
    403: (APIError, "Not allowed (403): this token may not do that."),
    404: (NotFound, "That identity no longer exists on the server (404)."),
    405: (APIError, "The server does not allow that request (405): is this a Letta server?"),
    409: (AlreadyExists, "That identifier_key is already used in this project (409)."),
    429: (APIError, "The server is busy (429): try again in a moment."),
}


def answer_may_be_lost(error: LettaError) -> bool:
    """True when the request may have been carried out though no usable answer came back: the connection
    broke or timed out once made, the server failed (5xx, 408), or its 200 could not be read. Not when no
    connection could be made: then nothing reached the server."""
    if isinstance(error, ConnectionFailed):
        return not error.never_sent
    if isinstance(error, BadResponse):
        return True
    return isinstance(error, APIError) and error.status is not None and (error.status >= 500 or error.status == 408)


def error_for_status(
    status: int, body: Any, *, retry_after: float | None = None, action: str = ""
) -> APIError:
    """Build the right exception for an error response, with the server's detail kept readable."""
    # A body without ``detail`` (a proxy, another server) is still worth showing whole.
    raw = body["detail"] if isinstance(body, dict) and "detail" in body else body
    detail = _json_text(raw) if isinstance(raw, dict) else detail_text(raw)
    field_errors: list[FieldError] = []
    if status == 422:
        field_errors = parse_field_errors(raw)
        if field_errors:
            msg = "The server rejected " + printable("; ".join(str(e) for e in field_errors[:3])) + " (422)."
        else:
            msg = f"The server rejected the request (422): {_short(detail)}"
        cls: type[APIError] = ValidationFailed
    elif status in _BY_STATUS:
        cls, template = _BY_STATUS[status]
        msg = template.format(detail=_short(detail))
    elif 500 <= status < 600:
        cls = ServerError
        msg = f"The server failed ({status}): {_short(detail) or 'no detail'}"
    else:
        cls = APIError
        msg = f"The server answered {status}: {_short(detail) or 'no detail'}"
    if action:
        msg = f"{action}: {msg}"
    return cls(msg, status=status, detail=detail, field_errors=field_errors, retry_after=retry_after)


def _json_text(value: Any) -> str:
    try:
        return dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


def _short(text: str, limit: int = 200) -> str:
    """One printable line of at most ``limit`` characters: server details can hold whole SQL statements,
    and escape sequences that must reach no terminal."""
    line = printable(" ".join(text.split()))
    return line if len(line) <= limit else line[: limit - 1] + "…"
