"""The routes' paths, exactly as the server wants them (it answers 307 to any other spelling)."""

from __future__ import annotations

API = "/v1"
IDENTITIES = f"{API}/identities/"
IDENTITY_COUNT = f"{API}/identities/count"
HEALTH = f"{API}/health/"
AGENTS = f"{API}/agents/"
BLOCKS = f"{API}/blocks/"


def identity_path(identity_id: str, suffix: str = "") -> str:
    """``/v1/identities/{id}`` (no trailing slash: the server redirects one)."""
    return f"{API}/identities/{identity_id}{suffix}"


def link_path(kind: str, target_id: str, identity_id: str, *, attach: bool) -> str:
    """``/v1/agents/{id}/identities/attach/{identity id}`` (``kind`` is agent or block; detach likewise)."""
    return f"{API}/{kind}s/{target_id}/identities/{'attach' if attach else 'detach'}/{identity_id}"
