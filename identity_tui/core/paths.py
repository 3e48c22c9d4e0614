"""The identity routes' paths, exactly as the server wants them (it answers 307 to any other spelling)."""

from __future__ import annotations

API = "/v1"
IDENTITIES = f"{API}/identities/"


def identity_path(identity_id: str, suffix: str = "") -> str:
    """``/v1/identities/{id}`` (no trailing slash: the server redirects one)."""
    return f"{API}/identities/{identity_id}{suffix}"
