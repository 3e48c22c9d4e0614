"""The route table and the FastAPI/Starlette request pipeline: match, redirect, decode, validate, call."""

from __future__ import annotations

import email.message
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from identity_tui.sandbox import api, links, validation, wire
from identity_tui.sandbox.api import Call, Result

Handler = Callable[[Call], Result]
QueryParam = tuple[str, str, Any]  # (name, kind, default)

_PAGE: tuple[QueryParam, ...] = (
    ("before", "str", None), ("after", "str", None), ("limit", "int", 50),
    ("order", "order", "desc"), ("order_by", "order_by", "created_at"),
)
_LIST_IDENTITIES: tuple[QueryParam, ...] = (
    ("name", "str", None), ("project_id", "str", None), ("identifier_key", "str", None),
    ("identity_type", "identity_type", None),
) + _PAGE


@dataclass(frozen=True)
class Route:
    """One FastAPI route: a method, a path template, what to validate, and the handler."""

    method: str
    template: str
    handler: Handler
    checked_ids: tuple[str, ...] = ()  # path params with an id pattern (identity, agent, block)
    query: tuple[QueryParam, ...] = ()
    body: str | None = None
    regex: re.Pattern = field(init=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        object.__setattr__(self, "regex", re.compile(pattern + "$"))


def _linking(base: str, kind: str, attach: Handler, detach: Handler) -> list[Route]:
    """The two routes that link an agent or a block to an identity and unlink it."""
    return [Route("PATCH", f"{base}/{{{kind}_id}}/identities/{verb}/{{identity_id}}", handler, (kind,))
            for verb, handler in (("attach", attach), ("detach", detach))]


def _routes(prefix: str) -> list[Route]:
    """The routes the sandbox serves under one prefix, in the server's registration order."""
    ident = f"{prefix}/identities"
    agents = f"{prefix}/agents"
    blocks = f"{prefix}/blocks"
    page = _PAGE
    return [
        Route("GET", f"{agents}/", links.list_agents,
              query=(("identity_id", "str", None), ("before", "str", None), ("after", "str", None),
                     ("limit", "int", 50), ("order", "order", "desc"), ("name", "str", None),
                     ("query_text", "str", None))),
        Route("POST", f"{agents}/", links.create_agent, body="agent"),
        Route("GET", f"{agents}/{{agent_id}}", links.retrieve_agent, ("agent",)),
        Route("DELETE", f"{agents}/{{agent_id}}", links.delete_agent, ("agent",)),
        *_linking(agents, "agent", links.attach_agent, links.detach_agent),
        Route("GET", f"{ident}/", api.list_identities, query=_LIST_IDENTITIES),
        Route("GET", f"{ident}/count", api.count_identities),
        Route("GET", f"{ident}/{{identity_id}}", api.retrieve_identity, ("identity",)),
        Route("POST", f"{ident}/", api.create_identity, body="create"),
        Route("PUT", f"{ident}/", api.upsert_identity, body="create"),
        Route("PATCH", f"{ident}/{{identity_id}}", api.modify_identity, ("identity",), body="update"),
        Route("PUT", f"{ident}/{{identity_id}}/properties", api.upsert_properties, ("identity",), body="properties"),
        Route("DELETE", f"{ident}/{{identity_id}}", api.delete_identity, ("identity",)),
        Route("GET", f"{ident}/{{identity_id}}/agents", api.list_agents_for_identity, ("identity",), query=page),
        Route("GET", f"{ident}/{{identity_id}}/blocks", api.list_blocks_for_identity, ("identity",), query=page),
        Route("GET", f"{blocks}/", links.list_blocks,
              query=(("identity_id", "identity_id", None), ("limit", "int", 50), ("before", "str", None),
                     ("after", "str", None), ("order", "order", "asc"), ("label", "str", None),
                     ("label_search", "str", None), ("value_search", "str", None),
                     ("description_search", "str", None))),
        Route("POST", f"{blocks}/", links.create_block, body="block"),
        Route("DELETE", f"{blocks}/{{block_id}}", links.delete_block, ("block",)),
        Route("GET", f"{blocks}/{{block_id}}", links.retrieve_block, ("block",)),
        *_linking(blocks, "block", links.attach_block, links.detach_block),
        Route("GET", f"{prefix}/health/", links.health),
    ]


ROUTES: list[Route] = _routes("/v1") + _routes("/latest")


def _match(method: str, path: str) -> tuple[Route | None, dict[str, str], Route | None]:
    """Starlette's rule: the first full match wins, else the first route whose path matched decides the 405."""
    partial = None
    for route in ROUTES:
        found = route.regex.match(path)
        if found:
            if route.method == method:
                return route, found.groupdict(), None
            partial = partial or route
    return None, {}, partial


def resolve(method: str, path: str, host: str, query_string: str) -> tuple[Route, dict[str, str]]:
    """Find the route, or raise the 405, the 307 to the path with its trailing slash toggled, or the 404."""
    route, params, partial = _match(method, path)
    if route:
        return route, params
    if partial:
        raise wire.HTTPError(405, {"detail": "Method Not Allowed"}, [("allow", partial.method)])
    if path != "/":
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        if any(r.regex.match(other) for r in ROUTES):
            location = f"http://{host}{other}" + (f"?{query_string}" if query_string else "")
            raise wire.HTTPError(307, None, [("location", location)])
    raise wire.HTTPError(404, {"detail": "Not Found"})


def decode_body(raw: bytes, content_type: str | None) -> Any:
    """FastAPI's body step: JSON unless a non-JSON content type is given; a decode error is an early 422."""
    if not raw:
        return validation.MISSING
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
            return raw
    try:
        parsed = wire.loads(raw)
    except json.JSONDecodeError as exc:
        raise wire.validation_error([{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                                      "input": {}, "ctx": {"error": exc.msg}}])
    except (ValueError, RecursionError):  # FastAPI: any other failure to decode is this 400
        raise wire.detail(400, "There was an error parsing the body")
    return validation.MISSING if parsed is None else parsed


def _check_query(spec: tuple[QueryParam, ...], query: Mapping[str, str], errors: list) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind, default in spec:
        if name not in query:
            values[name] = default
            continue
        raw, loc = query[name], ("query", name)
        if kind == "int":
            values[name] = validation.check_query_int(raw, loc, errors)
        elif kind == "identity_type":
            values[name] = validation.check_choice(raw, loc, validation.IDENTITY_TYPES, errors)
        elif kind == "order":
            values[name] = validation.check_choice(raw, loc, ("asc", "desc"), errors, "literal_error")
        elif kind == "order_by":
            values[name] = validation.check_choice(raw, loc, ("created_at",), errors, "literal_error")
        elif kind == "identity_id":
            errors.extend(validation.constrained_id_errors(raw, "identity", loc))
            values[name] = raw
        else:
            values[name] = raw
    return values


def dispatch(route: Route, params: dict[str, str], query: Mapping[str, str], headers: Mapping[str, str],
             raw_body: bytes, store: Any, actor: wire.Actor) -> Result:
    """Run one matched request through body decoding, the user_id check, validation and the handler."""
    body = decode_body(raw_body, headers.get("content-type")) if route.body else None
    user_id = headers.get("user_id")
    if user_id is not None and not wire.ID_REGEX["user"].match(user_id):
        raise wire.detail(400, f"INVALID_ARGUMENT: Invalid user ID format: {user_id}. Expected format: 'user-<uuid4>'")
    errors: list[dict] = []
    examples: list[str] = []
    for prefix in route.checked_ids:
        found = validation.path_id_errors(params[f"{prefix}_id"], prefix)
        if found:
            errors += found
            examples.append(validation.example_id(prefix))
    values = _check_query(route.query, query, errors)
    if route.body:
        body = validation.check_body(route.body, body, errors)
    if errors:
        raise wire.validation_error(errors, examples)
    return route.handler(Call(store=store, actor=actor, path=params, query=values, body=body))
