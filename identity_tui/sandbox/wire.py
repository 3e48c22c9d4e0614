"""Wire-level constants and the exact error bodies a Letta 0.16.8 server sends, so the sandbox can copy them."""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
from typing import Any

VERSION = "0.16.8"
ORG_ID = "org-00000000-0000-4000-8000-000000000000"
USER_ID = "user-00000000-0000-4000-8000-000000000000"
SANDBOX_HEADER = ("x-identity-tui-sandbox", "1")

_UUID4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ID_PATTERNS = {p: "^" + p + "-" + _UUID4 + "$" for p in ("identity", "agent", "block", "user")}
ID_REGEX = {p: re.compile(pattern) for p, pattern in ID_PATTERNS.items()}


class HTTPError(Exception):
    """A response that ends request handling early, carrying status and JSON body."""

    def __init__(self, status: int, body: Any, headers: list[tuple[str, str]] | None = None):
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or []


def detail(status: int, text: str) -> HTTPError:
    """The `{"detail": text}` shape every non-validation error uses."""
    return HTTPError(status, {"detail": text})


def validation_error(errors: list[dict], examples: list[str] | None = None) -> HTTPError:
    """A 422 whose detail is the Python repr of pydantic's error list, as the server's custom handler sends."""
    body: dict[str, Any] = {"trace_id": "", "detail": repr(errors)}
    if examples:
        body["examples"] = sorted(set(examples))
    return HTTPError(422, body)


def unknown_error() -> HTTPError:
    """What the server's catch-all handler answers for any unexpected exception."""
    return detail(500, "An unknown error occurred")


def database_error() -> HTTPError:
    """What the server answers when Postgres rejects a statement (e.g. a negative LIMIT)."""
    return detail(500, "A database error occurred.")


def invalid_argument(kind: str, value: str) -> HTTPError:
    """The 400 for an id of the wrong shape that is checked in code rather than by FastAPI."""
    return detail(400, f"INVALID_ARGUMENT: Invalid {kind} ID format: {value}. Expected format: '{kind}-<uuid4>'")


INT_MIN, INT_MAX = -(2**63), 2**64 - 1  # orjson's range: a larger int fails the whole answer


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, the way orjson writes it; OverflowError for an int orjson cannot write."""
    _check_ints(value, 0)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _check_ints(value: Any, depth: int) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise OverflowError("Integer exceeds 64-bit range")
    elif isinstance(value, dict) and depth < 2000:
        for item in value.values():
            _check_ints(item, depth + 1)
    elif isinstance(value, list) and depth < 2000:
        for item in value:
            _check_ints(item, depth + 1)


def loads(text: str | bytes | bytearray) -> Any:
    """``json.loads`` with the garbage collector paused: on deeply nested text the decoder recurses to the
    interpreter's limit before it gives up, and a collection down there would run finalizers with no stack
    left ("Exception ignored in sys.unraisablehook" on stderr). The core's ``jsontext.loads`` does the same;
    the sandbox imports nothing of the core."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text)
    finally:
        if enabled:
            gc.enable()


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone UTF-16 surrogate (which UTF-8 cannot carry)."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def strip_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates removed from every string, keys included, as the server's JSON column does."""
    if isinstance(value, str):
        return "".join(ch for ch in value if not "\ud800" <= ch <= "\udfff") if has_surrogate(value) else value
    if isinstance(value, dict):
        return {strip_surrogates(k): strip_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_surrogates(v) for v in value]
    return value


def py_datetime_repr(moment: dt.datetime) -> str:
    """repr() of an aware UTC datetime, as it appears inside the server's messages."""
    return repr(moment.astimezone(dt.timezone.utc))


class Actor:
    """The default user every request acts as; its str() is embedded in 404 messages."""

    def __init__(self, created_at: dt.datetime):
        self.created_at = created_at

    def __str__(self) -> str:
        stamp = py_datetime_repr(self.created_at)
        return (
            f"id='{USER_ID}' organization_id='{ORG_ID}' name='default_user' "
            f"created_at={stamp} updated_at={stamp} is_deleted=False"
        )


def not_found_by_id(model: str, object_id: str, actor: Actor) -> HTTPError:
    """The 404 from `read_async` for an id that is not there."""
    return detail(404, f"{model} not found with id='{[object_id]}', access level in ['read'] for actor='{actor}'")


def not_found_by_key(identifier_key: str, project_id: str | None, actor: Actor) -> HTTPError:
    """The 404 that PUT /v1/identities/ answers for a key that does not exist yet (the upsert never inserts)."""
    return detail(
        404,
        f"Identity not found with identifier_key='{identifier_key}', project_id='{project_id}', "
        f"organization_id='{ORG_ID}', access level in ['read'] for actor='{actor}'",
    )


def unknown_cursor(model: str, cursor: str) -> HTTPError:
    """The 404 for a `before`/`after` cursor that names no row."""
    return detail(404, f"No {model} found with id {cursor}")


def _pg_value(value: str | None) -> str:
    return "null" if value is None else value


_CONSTRAINT = (
    "A unique constraint was violated for Identity. Check your input for duplicates: "
    "(sqlalchemy.dialects.postgresql.asyncpg.IntegrityError) <class 'asyncpg.exceptions.UniqueViolationError'>: "
    'duplicate key value violates unique constraint "unique_identifier_key_project_id_organization_id"\n'
    "DETAIL:  Key (identifier_key, project_id, organization_id)=({key}, {project}, {org}) already exists.\n"
    "[SQL: {sql}]\n[parameters: {params}]\n(Background on this error at: https://sqlalche.me/e/20/gkpj)"
)


def clash_on_insert(row: dict, properties_json: str) -> HTTPError:
    """The 409 for a create whose (identifier_key, project_id) is taken, raw SQL included like the server's."""
    sql = (
        "INSERT INTO identities (id, identifier_key, name, identity_type, properties, _created_by_id, "
        "_last_updated_by_id, organization_id, project_id) VALUES ($1::VARCHAR, $2::VARCHAR, $3::VARCHAR, "
        "$4::VARCHAR, $5::JSON, $6::VARCHAR, $7::VARCHAR, $8::VARCHAR, $9::VARCHAR) "
        "RETURNING identities.created_at, identities.updated_at, identities.is_deleted"
    )
    kind = row["identity_type"]
    params = (
        f"({row['id']!r}, {row['identifier_key']!r}, {row['name']!r}, <IdentityType.{kind}: {kind!r}>, "
        f"{properties_json!r}, {USER_ID!r}, {USER_ID!r}, {ORG_ID!r}, {row['project_id']!r})"
    )
    text = _CONSTRAINT.format(
        key=row["identifier_key"], project=_pg_value(row["project_id"]), org=ORG_ID, sql=sql, params=params
    )
    return detail(409, text)


def clash_on_update(identity_id: str, changes: dict, project_id: str | None, now: dt.datetime) -> HTTPError:
    """The 409 for a PATCH whose new identifier_key is taken; the SQL lists only the changed columns."""
    sets, params = [], []
    for n, (column, value) in enumerate(changes.items(), start=1):
        cast = "JSON" if column == "properties" else "VARCHAR"
        sets.append(f"{column}=${n}::{cast}")
        if column == "properties":
            value = json.dumps(value)
        elif column == "identity_type":
            value = f"<IdentityType.{value}: {value!r}>"
        params.append(value if column == "identity_type" else repr(value))
    n = len(sets)
    sets.append(f"updated_at=${n + 1}::TIMESTAMP WITH TIME ZONE")
    params += [py_datetime_repr(now), repr(identity_id)]
    sql = f"UPDATE identities SET {', '.join(sets)} WHERE identities.id = ${n + 2}::VARCHAR"
    text = _CONSTRAINT.format(
        key=changes["identifier_key"], project=_pg_value(project_id), org=ORG_ID, sql=sql,
        params="(" + ", ".join(params) + ")",
    )
    return detail(409, text)
