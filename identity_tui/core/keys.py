"""An identity is named by its identifier key within its project: the pair that finds it, in any form it takes."""

from __future__ import annotations

from typing import Any

Key = tuple[str | None, str]


def key_of(identity: Any) -> Key:
    """(project or None, identifier key) of an identity, a list row or a draft: no project is a project too."""
    return project_key(identity.identifier_key, identity.project_id)


def project_key(identifier_key: str, project_id: str | None) -> Key:
    """The pair for a key looked up in a project (``""`` and None are both no project)."""
    return (project_id or None, identifier_key)
