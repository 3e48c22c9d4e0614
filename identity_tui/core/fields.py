"""The names of an identity's fields as every module spells them (the four at the head of the form, a row
``properties.2`` or a part of one ``properties.2.value``, a property by its key ``properties.email``),
free of pydantic so that the list and the journal can use them cheaply."""

from __future__ import annotations

# The identity's own fields, in the order the form shows them; the first three are what a PATCH sets
# (the project cannot be changed by an edit).
FIELDS = ("name", "identifier_key", "identity_type", "project_id")
SCALARS = FIELDS[:3]
PROPERTIES = "properties"  # the property list as a whole
ORDER = PROPERTIES  # the order of the rows, as a merge and a diff name it
PARTS = ("key", "type", "value")  # the parts of a property row, in the form's order
# An identity written out (an export file, the list command's table and CSV): its id, then its fields
# in the order the server sends them.
COLUMNS = ("id", "identifier_key", "name", "identity_type", "project_id")
# How the form words each field (``PROPERTIES``: the property list as a whole).
LABELS = {
    "name": "Name",
    "identifier_key": "Identifier key",
    "identity_type": "Type",
    "project_id": "Project",
    PROPERTIES: "property list",
}


def row_field(index: int, part: str | None = None) -> str:
    """``properties.2``, or ``properties.2.value`` with a part: a row of the form (counted from 0)."""
    return f"{PROPERTIES}.{index}" if part is None else f"{PROPERTIES}.{index}.{part}"


def parse_row_field(name: str) -> tuple[int, str | None] | None:
    """(row, part or None) of a name ``row_field`` made; None for any other name."""
    parts = name.split(".")
    if parts[0] != PROPERTIES or len(parts) < 2 or not parts[1].isdecimal():
        return None
    return int(parts[1]), parts[2] if len(parts) > 2 else None


def key_field(key: str) -> str:
    """``properties.email``: a property named by its key, as a merge and a read-back name it."""
    return f"{PROPERTIES}.{key}"


def field_key(name: str) -> str | None:
    """The key of a name ``key_field`` made (a key may hold dots); None for any other name."""
    return name.split(".", 1)[1] if name.startswith(PROPERTIES + ".") else None
