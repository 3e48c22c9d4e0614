"""The server's two small vocabularies, kept apart from the pydantic models so the list can use them cheaply."""

from __future__ import annotations

from enum import Enum


class IdentityType(str, Enum):
    """The three kinds of identity the server knows."""

    ORG = "org"
    USER = "user"
    OTHER = "other"


class PropertyType(str, Enum):
    """The declared type of a property value."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    JSON = "json"
