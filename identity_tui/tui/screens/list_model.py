"""What the list asks the server for: the filters, and the key of one page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from identity_tui.core.display import one_line


@dataclass(frozen=True)
class Filters:
    """What the list is filtered by: the server's filters, and what the list scans the server's pages for."""

    name: str = ""
    identifier_key: str = ""
    # How the key compares: "exact" goes to the server; "prefix" and "contains" (any case) are scanned for.
    key_match: str = "exact"
    identity_type: str = ""
    project_id: str = ""
    order: str = "desc"
    # Property filters (the --where grammar): the server cannot apply them, the list scans for them.
    where: tuple[str, ...] = ()
    # Sorted by name, key or type (``property_scan.SORTS``): every page is read; "" is the server's order.
    sort: str = ""

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return bool(self.name or self.identifier_key or self.identity_type or self.project_id or self.where)

    @property
    def key_scanned(self) -> bool:
        """True when the key filter is one the server cannot apply (a prefix, or text the key contains)."""
        return bool(self.identifier_key) and self.key_match != "exact"

    @property
    def scans(self) -> bool:
        """True when the list must scan the server's pages: a property filter, or a key prefix or part."""
        return bool(self.where) or self.key_scanned or bool(self.sort)

    def keeps(self) -> Callable[[dict[str, Any]], bool] | None:
        """The test a scan keeps an identity by (as the server sends it), or None when nothing is scanned for."""
        from identity_tui.core.where import key_matcher, matcher

        tests = [matcher(list(self.where))] if self.where else []
        if self.key_scanned:
            tests.append(key_matcher(self.key_match, self.identifier_key))
        if not tests:
            return None
        if len(tests) == 1:
            return tests[0]
        return lambda identity: all(test(identity) for test in tests)

    def query(self) -> dict[str, str | None]:
        """Keyword arguments for ``LettaClient.list_page`` (the server's filters; ``where`` is not one)."""
        return {
            "name": self.name or None,
            "identifier_key": None if self.key_scanned else self.identifier_key or None,
            "identity_type": self.identity_type or None,
            "project_id": self.project_id or None,
            "order": self.order,
        }

    def describe(self) -> str:
        """One line saying what is filtered, for the filter bar."""
        parts = []
        if self.identifier_key:
            op = {"prefix": "^=", "contains": "~"}.get(self.key_match, "=")
            parts.append(f"key{op}{one_line(self.identifier_key, 20)}")
        if self.identity_type:
            parts.append(f"type={self.identity_type}")
        if self.project_id:
            parts.append(f"project={one_line(self.project_id, 16)}")
        if self.where:
            parts.append(one_line("; ".join(self.where), 24))
        parts.append(f"sorted by {self.sort}" if self.sort else "newest first" if self.order == "desc" else "oldest first")
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
