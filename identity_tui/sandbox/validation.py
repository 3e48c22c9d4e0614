"""Request validation that reproduces FastAPI/pydantic's error lists for the identity routes, entry for entry."""

from __future__ import annotations

import re
from typing import Any, Callable

from identity_tui.sandbox.wire import ID_PATTERNS, ID_REGEX

IDENTITY_TYPES = ("org", "user", "other")
PROPERTY_TYPES = ("string", "number", "boolean", "json")
MISSING = object()  # an absent or empty body, which FastAPI reports as `missing` with input None

Errors = list[dict]
Loc = tuple


def _expected(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _string_type(loc: Loc, value: Any) -> dict:
    return {"type": "string_type", "loc": loc, "msg": "Input should be a valid string", "input": value}


def check_str(value: Any, loc: Loc, errors: Errors) -> Any:
    """A `str` field: pydantic's lax mode still refuses numbers and booleans."""
    if not isinstance(value, str):
        errors.append(_string_type(loc, value))
    return value


def check_choice(value: Any, loc: Loc, values: tuple[str, ...], errors: Errors, kind: str = "enum") -> Any:
    """A str Enum (`enum` error) or a Literal (`literal_error`); the message lists the allowed values."""
    if isinstance(value, str) and value in values:
        return value
    expected = _expected(values)
    errors.append({"type": kind, "loc": loc, "msg": f"Input should be {expected}", "input": value,
                   "ctx": {"expected": expected}})
    return value


_INT = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")


def check_query_int(value: str, loc: Loc, errors: Errors) -> int | None:
    """An int from a query string: pydantic strips spaces and accepts `_` separators and a `.0` tail."""
    text = value.strip(" \t\n\r\f\v")
    if _INT.fullmatch(text):
        return int(text.split(".")[0].replace("_", ""))
    errors.append({
        "type": "int_parsing", "loc": loc,
        "msg": "Input should be a valid integer, unable to parse string as an integer", "input": value,
    })
    return None


def constrained_id_errors(value: Any, prefix: str, loc: Loc) -> Errors:
    """pydantic's raw errors for a `<prefix>-<uuid4>` field: type, then length, then pattern."""
    if not isinstance(value, str):
        return [_string_type(loc, value)]
    size = len(prefix) + 37
    if len(value) < size:
        return [{"type": "string_too_short", "loc": loc, "msg": f"String should have at least {size} characters",
                 "input": value, "ctx": {"min_length": size}}]
    if len(value) > size:
        return [{"type": "string_too_long", "loc": loc, "msg": f"String should have at most {size} characters",
                 "input": value, "ctx": {"max_length": size}}]
    if not ID_REGEX[prefix].match(value):
        pattern = ID_PATTERNS[prefix]
        return [{"type": "string_pattern_mismatch", "loc": loc, "msg": f"String should match pattern '{pattern}'",
                 "input": value, "ctx": {"pattern": pattern}}]
    return []


def path_id_errors(value: str, prefix: str) -> Errors:
    """A path id error as the server's handler rewrites it: always `string_pattern_mismatch` with a short message."""
    if not constrained_id_errors(value, prefix, ("path", f"{prefix}_id")):
        return []
    return [{
        "type": "string_pattern_mismatch", "loc": ("path", f"{prefix}_id"),
        "msg": f"String should match pattern '{prefix}-{{uuid4}}'", "input": value,
        "ctx": {"pattern": ID_PATTERNS[prefix]},
    }]


def example_id(prefix: str) -> str:
    """The example the server puts in `examples` next to a bad path id."""
    return f"{prefix}-123e4567-e89b-42d3-8456-426614174000"


_VALUE_MEMBERS = (
    ("str", "string_type", "Input should be a valid string"),
    ("int", "int_type", "Input should be a valid integer"),
    ("float", "float_type", "Input should be a valid number"),
    ("bool", "bool_type", "Input should be a valid boolean"),
    ("dict[any,any]", "dict_type", "Input should be a valid dictionary"),
)


def check_property_value(value: Any, loc: Loc, errors: Errors) -> Any:
    """`Union[str, int, float, bool, dict]`: only null and arrays fail, with one error per union member."""
    if value is None or isinstance(value, list):
        for member, kind, msg in _VALUE_MEMBERS:
            errors.append({"type": kind, "loc": loc + (member,), "msg": msg, "input": value})
    return value


def _model_type_error(loc: Loc, value: Any) -> dict:
    return {"type": "model_attributes_type", "loc": loc,
            "msg": "Input should be a valid dictionary or object to extract fields from", "input": value}


def _list_type_error(loc: Loc, value: Any) -> dict:
    return {"type": "list_type", "loc": loc, "msg": "Input should be a valid list", "input": value}


Field = tuple[str, bool, Callable[[Any, Loc, Errors], Any]]


def check_model(value: Any, loc: Loc, fields: list[Field], errors: Errors) -> dict | None:
    """A pydantic model with `extra="forbid"`: fields in declaration order, then unknown keys in input order."""
    if not isinstance(value, dict):
        errors.append(_model_type_error(loc, value))
        return None
    out: dict[str, Any] = {}
    for name, required, check in fields:
        if name not in value:
            if required:
                errors.append({"type": "missing", "loc": loc + (name,), "msg": "Field required", "input": value})
            continue
        out[name] = check(value[name], loc + (name,), errors)
    known = {name for name, _, _ in fields}
    for key, extra in value.items():
        if key not in known:
            errors.append({"type": "extra_forbidden", "loc": loc + (key,), "msg": "Extra inputs are not permitted",
                           "input": extra})
    return out


def optional(check: Callable[[Any, Loc, Errors], Any]) -> Callable[[Any, Loc, Errors], Any]:
    """`Optional[...]`: null passes through untouched."""
    def wrapped(value: Any, loc: Loc, errors: Errors) -> Any:
        return None if value is None else check(value, loc, errors)
    return wrapped


def list_of(check: Callable[[Any, Loc, Errors], Any]) -> Callable[[Any, Loc, Errors], Any]:
    """`List[...]`: a JSON array, each item checked with its index appended to the location."""
    def wrapped(value: Any, loc: Loc, errors: Errors) -> Any:
        if not isinstance(value, list):
            errors.append(_list_type_error(loc, value))
            return None
        return [check(item, loc + (i,), errors) for i, item in enumerate(value)]
    return wrapped


def _ids(prefix: str) -> Callable[[Any, Loc, Errors], Any]:
    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        errors.extend(constrained_id_errors(value, prefix, loc))
        return value
    return check


def _identity_type(value: Any, loc: Loc, errors: Errors) -> Any:
    return check_choice(value, loc, IDENTITY_TYPES, errors)


def _property_type(value: Any, loc: Loc, errors: Errors) -> Any:
    return check_choice(value, loc, PROPERTY_TYPES, errors)


_PROPERTY_FIELDS: list[Field] = [
    ("key", True, check_str),
    ("value", True, check_property_value),
    ("type", True, _property_type),
]


def check_property(value: Any, loc: Loc, errors: Errors) -> dict | None:
    """One IdentityProperty, normalised to pydantic's key order (key, value, type)."""
    return check_model(value, loc, _PROPERTY_FIELDS, errors)


_properties = optional(list_of(check_property))
_agent_ids = optional(list_of(_ids("agent")))
_block_ids = optional(list_of(_ids("block")))

CREATE_FIELDS: list[Field] = [
    ("identifier_key", True, check_str),
    ("name", True, check_str),
    ("identity_type", True, _identity_type),
    ("project_id", False, optional(check_str)),
    ("agent_ids", False, _agent_ids),
    ("block_ids", False, _block_ids),
    ("properties", False, _properties),
]

# IdentityUpdate: the create's fields in the same order, each one optional, and no project (an identity
# cannot move to another).
UPDATE_FIELDS: list[Field] = [
    (name, False, optional(check) if required else check)
    for name, required, check in CREATE_FIELDS
    if name != "project_id"
]


def _block_limit(value: Any, loc: Loc, errors: Errors) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append({"type": "int_type", "loc": loc, "msg": "Input should be a valid integer", "input": value})
    return value


def _anything(value: Any, loc: Loc, errors: Errors) -> Any:
    return value


def _unchecked(*names: str) -> list[Field]:
    """Optional fields accepted as they come."""
    return [(name, False, _anything) for name in names]


# CreateBlock's fields; the ones an identity admin never sends are accepted without checks.
BLOCK_FIELDS: list[Field] = [
    ("value", True, check_str),
    ("limit", False, _block_limit),
    ("project_id", False, optional(check_str)),
    *_unchecked("template_name", "is_template", "template_id", "base_template_id", "deployment_id", "entity_id",
                "preserve_on_migration"),
    ("label", True, check_str),
    *_unchecked("read_only"),
    ("description", False, optional(check_str)),
    *_unchecked("metadata", "hidden", "tags"),
]


def check_body(kind: str, body: Any, errors: Errors) -> Any:
    """Validate a decoded body against the named schema; MISSING reports `missing` like an empty request."""
    loc: Loc = ("body",)
    if body is MISSING:
        errors.append({"type": "missing", "loc": loc, "msg": "Field required", "input": None})
        return None
    if kind == "properties":
        return list_of(check_property)(body, loc, errors)
    if kind == "agent":
        # CreateAgentRequest accepts many optional fields; the sandbox only needs an object.
        if not isinstance(body, dict):
            errors.append(_model_type_error(loc, body))
        return body
    fields = {"create": CREATE_FIELDS, "update": UPDATE_FIELDS, "block": BLOCK_FIELDS}[kind]
    return check_model(body, loc, fields, errors)
