"""What the list asks the server for: the filters, and the key of one page."""

from __future__ import annotations

from dataclasses import dataclass

from identity_tui.core.display import one_line


@dataclass(frozen=True)
class Filters:
    """What the server is asked to filter by; all of it server-side."""

    name: str = ""
    identifier_key: str = ""
    identity_type: str = ""
    project_id: str = ""
    order: str = "desc"
    # Property filters (the --where grammar): the server cannot apply them, the list scans for them.
    where: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return bool(self.name or self.identifier_key or self.identity_type or self.project_id or self.where)

    def query(self) -> dict[str, str | None]:
        """Keyword arguments for ``LettaClient.list_page`` (the server's filters; ``where`` is not one)."""
        return {
            "name": self.name or None,
            "identifier_key": self.identifier_key or None,
            "identity_type": self.identity_type or None,
            "project_id": self.project_id or None,
            "order": self.order,
        }

    def describe(self) -> str:
        """One line saying what is filtered, for the filter bar."""
        parts = []
        if self.identifier_key:
            parts.append(f"key={one_line(self.identifier_key, 20)}")
        if self.identity_type:
            parts.append(f"type={self.identity_type}")
        if self.project_id:
            parts.append(f"project={one_line(self.project_id, 16)}")
        if self.where:
            parts.append(one_line("; ".join(self.where), 24))
        parts.append("newest first" if self.order == "desc" else "oldest first")
        return " · ".join(parts)


@dataclass(frozen=True)
class PageKey:
    """Identifies one page: the filters, the cursor it starts after, and whether it counts from the end.

    A page counted from the end is fetched in the opposite order and shown reversed, so the last
    page of a list of millions is one request, not a walk through every page before it.
    """

    filters: Filters
    after: str | None
    limit: int
    from_end: bool = False
