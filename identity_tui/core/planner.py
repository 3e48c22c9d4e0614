"""The save planner: from the identity as loaded and the edited draft, the fewest requests that make them equal.

Server semantics it plans for (see the wire notes): PATCH sets the scalar fields it is given and merges
``properties`` by key (a sent key replaces that entry in place, a new key is appended, nothing is ever
removed); ``PUT /{id}/properties`` replaces the whole list. So a PATCH suffices unless a property was
removed, renamed or moved, and then the list is PUT whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from identity_tui.core.diff import diff
from identity_tui.core.draft import Draft, DraftError, DraftProperty
from identity_tui.core.fields import SCALARS, row_field
from identity_tui.core.jsontext import depth
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, IdentityProperty, value_error
from identity_tui.core.paths import IDENTITIES, identity_path


@dataclass(frozen=True)
class PlannedRequest:
    """One request of a plan: exactly what goes on the wire."""

    method: str
    path: str
    body: Any
    why: str = ""

    @property
    def kind(self) -> str:
        """``patch``, ``put`` (properties), ``post`` or ``delete``."""
        return self.method.lower()


@dataclass
class Plan:
    """The requests to send, in order; empty when nothing changed."""

    requests: list[PlannedRequest] = field(default_factory=list)
    errors: list[DraftError] = field(default_factory=list)
    put_reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the draft was valid (the plan may still be empty)."""
        return not self.errors

    @property
    def empty(self) -> bool:
        """True when there is nothing to send."""
        return not self.requests


# The server stores any integer but writes its answers with orjson, which only knows 64-bit ones: a
# bigger one is saved, then every read of that identity (and every list page holding it) fails with 500.
WIRE_INT_MIN = -(2**63)
WIRE_INT_MAX = 2**64 - 1
# Measured on Letta 0.16.8: an object 251 levels deep round-trips; from 252 the write is committed but the
# answer (and every later read of the identity) fails, because pydantic refuses to serialize deeper values.
WIRE_DEPTH_MAX = 250
NOT_TEXT = "has characters that cannot be sent (unpaired surrogates)"
# PostgreSQL text columns cannot hold NUL: in a name or identifier key the server answers 500 and saves
# nothing. Property keys and values live in a JSON column, where NUL is stored and read back exactly.
_NUL = "cannot hold the NUL character (\\x00): the server's database refuses it"


def validate_draft(draft: Draft) -> list[DraftError]:
    """Everything that would stop us sending the draft: empty names, bad keys, values of the wrong kind."""
    errors: list[DraftError] = []
    for name, label in (("name", "Name"), ("identifier_key", "Identifier key")):
        problem = _name_problem(getattr(draft, name))
        if problem:
            errors.append(DraftError(name, f"{label} {problem}."))
    try:
        IdentityType(draft.identity_type)
    except ValueError:
        errors.append(DraftError("identity_type", "Type must be org, user or other."))
    seen: dict[str, int] = {}
    for i, prop in enumerate(draft.properties):
        # A blank key is the server's to hold (it stores "" and "  "): what a person types in the form is
        # checked there (``FormValues.errors``), so what an export read back imports exactly.
        if not is_text(prop.key):
            errors.append(DraftError(row_field(i, "key"), f"Key {NOT_TEXT}."))
        elif prop.key in seen:
            first = seen[prop.key]
            message = duplicate_key_message(prop.key, first, i)
            errors.append(DraftError(row_field(first, "key"), message))
            errors.append(DraftError(row_field(i, "key"), message))
        else:
            seen[prop.key] = i
        try:
            ptype = PropertyType(prop.type)
        except ValueError:
            errors.append(DraftError(row_field(i, "type"), "Unknown property type."))
            continue
        problem = value_error(ptype, prop.value) or wire_problem(prop.value)
        if problem:
            errors.append(DraftError(row_field(i, "value"), f"Value {problem}."))
    return errors


def duplicate_key_message(key: str, first: int, later: int) -> str:
    """The error both rows of a repeated key show; ``first`` and ``later`` count from 0."""
    return f"Key {key!r} is used twice (rows {first + 1} and {later + 1})."


def _name_problem(text: str) -> str | None:
    """What is wrong with a name or an identifier key, as the end of a sentence; None when nothing is."""
    if not text.strip():
        return "is required"
    if not is_text(text):
        return NOT_TEXT
    if "\x00" in text:
        return _NUL
    return None


def is_text(text: str) -> bool:
    """False for a string holding lone surrogates (``json.loads`` makes them), which UTF-8 cannot carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def wire_problem(value: Any) -> str | None:
    """Why a value the type accepts would still break on the server's side of the wire, or None."""
    if isinstance(value, (dict, list)) and depth(value) > WIRE_DEPTH_MAX:
        return (f"is nested more than {WIRE_DEPTH_MAX} levels deep: the server would store it, then fail "
                "every read of this identity")
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and not WIRE_INT_MIN <= item <= WIRE_INT_MAX:
            return f"must be a whole number from {WIRE_INT_MIN} to {WIRE_INT_MAX}"
        if isinstance(item, str) and not is_text(item):
            return NOT_TEXT
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def put_reason(original: list[IdentityProperty], draft: tuple[DraftProperty, ...]) -> str | None:
    """Why a merge-only PATCH cannot reach the draft's property list, or None when it can."""
    old_keys = [p.key for p in original]
    new_keys = [p.key for p in draft]
    if len(set(old_keys)) != len(old_keys):
        return "the stored list has duplicate keys, which only a full replacement can fix"
    new_set = set(new_keys)
    removed = [k for k in old_keys if k not in new_set]
    if removed:
        old_set = set(old_keys)
        added = [k for k in new_keys if k not in old_set]
        listed = ", ".join(repr(k) for k in removed[:3])
        if len(removed) > 3:
            listed += f" and {len(removed) - 3} more"
        verb = "renamed or removed" if added else "removed"
        if len(removed) > 1:
            return f"properties {listed} were {verb}, and PATCH cannot delete a property"
        return f"property {listed} was {verb}, and PATCH cannot delete a property"
    # Kept keys must keep their order, and new ones can only be appended at the end.
    if new_keys[: len(old_keys)] != old_keys:
        return "the properties were reordered, and PATCH keeps the stored order"
    return None


def plan_save(original: Identity, draft: Draft) -> Plan:
    """The minimal requests that turn ``original`` into ``draft`` on the server (or the draft's errors)."""
    errors = validate_draft(draft)
    if errors:
        return Plan(errors=errors)
    path = identity_path(original.id)
    found = diff(original, draft)
    patch: dict[str, Any] = {name: getattr(draft, name) for name in found.fields if name in SCALARS}
    reason = put_reason(original.properties, draft.properties)
    plan = Plan(put_reason=reason)
    if reason is None:
        sent = set(found.added) | set(found.changed)
        changed = [p.wire() for p in draft.properties if p.key in sent]
        if changed:
            patch["properties"] = changed
        if patch:
            plan.requests.append(PlannedRequest("PATCH", path, patch, _describe_patch(patch)))
        return plan
    if patch:
        plan.requests.append(PlannedRequest("PATCH", path, patch, _describe_patch(patch)))
    if not found.same_rows:
        plan.requests.append(
            PlannedRequest(
                "PUT",
                identity_path(original.id, "/properties"),
                [p.wire() for p in draft.properties],
                f"replace the property list: {reason}",
            )
        )
    return plan


def plan_create(draft: Draft) -> Plan:
    """One POST for a new identity (or the draft's errors)."""
    errors = validate_draft(draft)
    if errors:
        return Plan(errors=errors)
    body: dict[str, Any] = {
        "identifier_key": draft.identifier_key,
        "name": draft.name,
        "identity_type": IdentityType(draft.identity_type).value,
    }
    if draft.project_id:
        body["project_id"] = draft.project_id
    body["properties"] = [p.wire() for p in draft.properties]
    return Plan(requests=[PlannedRequest("POST", IDENTITIES, body, "create the identity")])


def apply_to(identity: Identity, request: PlannedRequest) -> Identity:
    """What the server will hold after ``request``, by its own rules (merge-by-key PATCH, replacing PUT)."""
    data = identity.model_dump(mode="json")
    body = request.body
    stored = data["properties"]
    props = stored
    if request.method == "PATCH":
        for name in SCALARS:
            if body.get(name) is not None:
                data[name] = body[name]
        if body.get("properties") is not None:
            # The server rebuilds the list as {key: prop} | {key: sent}: stored duplicates collapse
            # (first place, last value), a sent key replaces in place, a new key is appended.
            merged = {p["key"]: p for p in stored}
            merged.update((p["key"], dict(p)) for p in body["properties"])
            props = list(merged.values())
    elif request.method == "PUT":
        props = [dict(p) for p in body]
    else:
        raise ValueError(f"apply_to does not model {request.method}")
    # The ORM writes the column only when the new list differs by Python's ``==``, so a list
    # that differs only by 1 -> 1.0 or True -> 1 is silently not saved.
    if props != stored:
        data["properties"] = props
    return Identity.model_validate(data)


def _describe_patch(patch: dict[str, Any]) -> str:
    parts = [f for f in SCALARS if f in patch]
    if "properties" in patch:
        n = len(patch["properties"])
        parts.append(f"{n} propert{'y' if n == 1 else 'ies'} added or changed")
    return "set " + ", ".join(parts)
