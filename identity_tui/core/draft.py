"""The draft (what the form says an identity should be) and the comparisons every module shares.

``models.same_property`` is the one "same property"; here are the one way a field is compared
(``field_value``) and the one "same rows" (``same_properties``). ``core.diff`` says what differs between
two versions, and so whether they are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from identity_tui.core.fields import parse_row_field
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, IdentityProperty, same_property


@dataclass(frozen=True)
class DraftProperty:
    """A property row as the form holds it, value already parsed to its Python type."""

    key: str
    type: PropertyType
    value: Any

    def wire(self) -> dict[str, Any]:
        """The property as the server wants it."""
        return {"key": self.key, "value": self.value, "type": PropertyType(self.type).value}

    @classmethod
    def of(cls, prop: IdentityProperty) -> DraftProperty:
        """The draft row for a loaded property."""
        return cls(prop.key, prop.type, prop.value)


@dataclass(frozen=True)
class Draft:
    """What the form says the identity should be: the fields, then the property rows in their order (the
    project only says where a new identity goes, for an edit cannot move one)."""

    name: str
    identifier_key: str
    identity_type: IdentityType | str  # a form's draft keeps a type typed in that is none of them (the planner says so)
    properties: tuple[DraftProperty, ...] = ()
    project_id: str | None = None

    @classmethod
    def of(cls, identity: Identity) -> Draft:
        """The draft that changes nothing."""
        return cls(
            name=identity.name,
            identifier_key=identity.identifier_key,
            identity_type=identity.identity_type,
            properties=tuple(DraftProperty.of(p) for p in identity.properties),
            project_id=identity.project_id,
        )


@dataclass(frozen=True)
class FormFields:
    """The four ``FIELDS`` at the head of a form, as a form holds them (text as typed, so the type may be none
    of the three); each way of holding a form adds its property rows after them."""

    name: str
    identifier_key: str
    identity_type: IdentityType | str
    project_id: str | None = None


@dataclass(frozen=True)
class DraftError:
    """One reason the draft cannot be sent; ``field`` names where: ``name``, ``properties.2.key``…"""

    field: str
    message: str

    @property
    def row(self) -> int | None:
        """The property row the error is on, if any."""
        found = parse_row_field(self.field)
        return found[0] if found is not None else None


# -- comparisons ---------------------------------------------------------------------------------


def field_value(version: Any, name: str) -> Any:
    """One of ``FIELDS`` of a draft or an identity, as compared: the type as its text, no project as None."""
    value = getattr(version, name)
    if name == "identity_type":
        try:
            return IdentityType(value).value
        except ValueError:
            return str(value)
    if name == "project_id":
        return value or None
    return value


def set_properties(rows: tuple[DraftProperty, ...], props: Iterable[DraftProperty]) -> tuple[DraftProperty, ...]:
    """``rows`` with each of ``props`` set by key: in the place of the row with its key, or appended."""
    out = list(rows)
    for prop in props:
        index = next((i for i, p in enumerate(out) if p.key == prop.key), None)
        if index is None:
            out.append(prop)
        else:
            out[index] = prop
    return tuple(out)


def merged_into(identity: Identity, typed: Draft) -> Draft:
    """What a new form's ``typed`` values make of an ``identity`` that holds its key already (get-or-create):
    its name (unless left blank) and type; each typed property set by key over the identity's own, a new key
    appended; the identity's key, project and other properties kept."""
    held = Draft.of(identity)
    return Draft(
        name=typed.name if typed.name.strip() else held.name,
        identifier_key=held.identifier_key,
        identity_type=typed.identity_type,
        properties=set_properties(held.properties, typed.properties),
        project_id=held.project_id,
    )


def same_properties(a: tuple[Any, ...] | list[Any], b: tuple[Any, ...] | list[Any]) -> bool:
    """Two property lists with the same rows in the same order (``models.same_property`` row by row)."""
    return len(a) == len(b) and all(same_property(x, y) for x, y in zip(a, b))
