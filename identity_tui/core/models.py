"""Wire models for Letta identities, and the value-vs-type check our users expect."""

from __future__ import annotations

import math
import re
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field

from identity_tui.core.kinds import IdentityType, PropertyType

ID_PATTERN = re.compile(
    r"^identity-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)

# Ints before floats and bool before both would be wrong: pydantic's smart union keeps the
# exact Python type (int stays int, float stays float, bool stays bool), which is what we want.
PropertyValue = Union[str, bool, int, float, dict[str, Any]]


class IdentityProperty(BaseModel):
    """One typed key/value pair on an identity."""

    model_config = ConfigDict(extra="ignore")

    key: str
    value: PropertyValue
    type: PropertyType

    def wire(self) -> dict[str, Any]:
        """The JSON body of this property, in the server's field order."""
        return {"key": self.key, "value": self.value, "type": self.type.value}


class Identity(BaseModel):
    """An identity as the server returns it; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str
    identifier_key: str
    name: str
    identity_type: IdentityType
    project_id: str | None = None
    organization_id: str | None = None
    agent_ids: list[str] = Field(default_factory=list)
    block_ids: list[str] = Field(default_factory=list)
    properties: list[IdentityProperty] = Field(default_factory=list)

    def wire(self) -> dict[str, Any]:
        """The identity as JSON values, at any depth (pydantic's own dump refuses values nested past a few
        hundred levels, which the server stores and returns)."""
        data = self.model_dump(mode="json", exclude={"properties"})
        data["properties"] = [p.wire() for p in self.properties]
        return data

    @property
    def short_id(self) -> str:
        """The first block of the uuid: enough to tell rows apart on screen."""
        return self.id.removeprefix("identity-")[:8]

    @property
    def property_count(self) -> int:
        """How many properties the identity holds (the list's Props column)."""
        return len(self.properties)


class IdentityCreate(BaseModel):
    """Body of ``POST /v1/identities/``."""

    model_config = ConfigDict(extra="forbid")

    identifier_key: str
    name: str
    identity_type: IdentityType
    project_id: str | None = None
    properties: list[IdentityProperty] = Field(default_factory=list)

    def wire(self) -> dict[str, Any]:
        """The JSON body; project_id only when set."""
        body: dict[str, Any] = {
            "identifier_key": self.identifier_key,
            "name": self.name,
            "identity_type": self.identity_type.value,
        }
        if self.project_id:
            body["project_id"] = self.project_id
        body["properties"] = [p.wire() for p in self.properties]
        return body


class IdentityUpdate(BaseModel):
    """Body of ``PATCH /v1/identities/{id}``: only the fields that change are sent."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    identifier_key: str | None = None
    identity_type: IdentityType | None = None
    properties: list[IdentityProperty] | None = None

    def wire(self) -> dict[str, Any]:
        """The JSON body holding only fields that are set (null would mean unchanged anyway)."""
        body: dict[str, Any] = {}
        if self.name is not None:
            body["name"] = self.name
        if self.identifier_key is not None:
            body["identifier_key"] = self.identifier_key
        if self.identity_type is not None:
            body["identity_type"] = self.identity_type.value
        if self.properties is not None:
            body["properties"] = [p.wire() for p in self.properties]
        return body


def value_error(type_: PropertyType | str, value: Any) -> str | None:
    """Why ``value`` does not fit ``type_``, or None when it does."""
    t = type_ if type_.__class__ is PropertyType else PropertyType(type_)
    if t is PropertyType.STRING:
        return None if isinstance(value, str) else "must be text"
    if t is PropertyType.BOOLEAN:
        return None if isinstance(value, bool) else "must be true or false"
    if t is PropertyType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        return None
    if not isinstance(value, dict):
        return "must be a JSON object"
    return _json_problem(value)


def _json_problem(value: Any) -> str | None:
    """Why a JSON object's contents cannot go on the wire as they are, or None when they can.

    ``json.loads`` accepts ``NaN`` and ``Infinity``, which the client refuses to send, and a
    non-text key would come back as text, so neither may hide inside an object.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return "must have text keys only"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "must hold finite numbers only"
        elif item is not None and not isinstance(item, (str, int)):
            return "must hold JSON values only"
    return None


def value_matches(type_: PropertyType | str, value: Any) -> bool:
    """True when ``value`` is of the kind ``type_`` promises (bool is never a number)."""
    return value_error(type_, value) is None


def same_value(a: Any, b: Any) -> bool:
    """Equality that tells ``True`` from ``1`` and ``1`` from ``1.0`` at any depth (a loop, not recursion)."""
    if a is b:
        return True  # a value is itself (NaN too): a loaded row's untouched value is the loaded object
    pairs = [(a, b)]
    while pairs:
        x, y = pairs.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if x.keys() != y.keys():
                return False
            pairs.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            pairs.extend(zip(x, y))
        elif isinstance(x, float) and math.isnan(x) and math.isnan(y):
            continue
        elif x != y:
            return False
    return True


def same_property(a: Any, b: Any) -> bool:
    """The one "same property": key, type and value all equal, with ``True``, ``1`` and ``1.0`` told apart.

    Takes anything with ``key``, ``type`` and ``value``: a property from the server or a draft's row."""
    return a.key == b.key and PropertyType(a.type) is PropertyType(b.type) and same_value(a.value, b.value)
