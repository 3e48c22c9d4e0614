"""A row of the identity list, read from the wire without pydantic.

The list paints before pydantic and the models are imported (they cost about as much start-up time
as the rest of the app together): a row keeps the few fields the table shows, checked by hand, and
the identity exactly as the server sent it. Opening a row validates it in full (``identity()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from identity_tui.core.errors import BadResponse
from identity_tui.core.kinds import IdentityType

if TYPE_CHECKING:
    from identity_tui.core.models import Identity

_TYPES = {t.value: t for t in IdentityType}


@dataclass(frozen=True, slots=True)
class IdentitySummary:
    """What the list shows of one identity, and the server's JSON object for opening it."""

    id: str
    identifier_key: str
    name: str
    identity_type: IdentityType
    project_id: str | None
    property_count: int
    wire: dict[str, Any] = field(repr=False, compare=False)

    @property
    def short_id(self) -> str:
        """The first block of the uuid: enough to tell rows apart on screen."""
        return self.id.removeprefix("identity-")[:8]

    def identity(self, host: str = "The server") -> Identity:
        """The whole identity, validated as every other answer is; BadResponse when it is not one."""
        return parse_identity(self.wire, host)


def summarize(item: Any) -> IdentitySummary | None:
    """The row for one element of a list answer, or None when the fields the list shows are not there.

    The properties are only counted here; a row whose properties are malformed still lists, and
    says so when it is opened.
    """
    if not isinstance(item, dict):
        return None
    id_, key, name = item.get("id"), item.get("identifier_key"), item.get("name")
    type_name = item.get("identity_type")
    kind = _TYPES.get(type_name) if isinstance(type_name, str) else None
    project = item.get("project_id")
    properties = item.get("properties", [])
    if properties is None:
        properties = []
    if (
        not isinstance(id_, str)
        or not isinstance(key, str)
        or not isinstance(name, str)
        or kind is None
        or not (project is None or isinstance(project, str))
        or not isinstance(properties, list)
    ):
        return None
    return IdentitySummary(id_, key, name, kind, project, len(properties), item)


def parse_page(data: Any, host: str) -> list[IdentitySummary]:
    """A list answer as rows; an answer that is not a list of identities is a BadResponse."""
    if isinstance(data, list):
        rows = [row for row in map(summarize, data) if row is not None]
        if len(rows) == len(data):
            return rows
    raise BadResponse(
        f"{host} answered, but not with a list of identities: is it a Letta server?", status=200
    )


def parse_identity(data: Any, host: str) -> Identity:
    """One identity from an answer, validated by the models; BadResponse when it is not one.

    pydantic and the models are imported here, on the first identity parsed, not when the list starts.
    """
    from pydantic import ValidationError

    from identity_tui.core.models import Identity

    try:
        return Identity.model_validate(data)
    except ValidationError:
        raise BadResponse(
            f"{host} answered, but not with an identity: is it a Letta server?", status=200
        ) from None
