"""Cursor paging, the one way the core walks a list: ask for a page after the last row's id, until a short page."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# Fetches one page: (limit, the id to start after or None) -> the rows.
PageFetch = Callable[[int, str | None], Awaitable[list[T]]]


async def pages(fetch: PageFetch[T], size: int | Callable[[], int],
                cursor: Callable[[T], str | None]) -> AsyncGenerator[list[T], None]:
    """Every page in turn; ``size`` may be a function, asked before each page (a limit that runs down).

    A page shorter than asked for (or empty) is the last: no request is spent to find an empty one."""
    after: str | None = None
    while True:
        limit = size() if callable(size) else size
        page = await fetch(limit, after)
        yield page
        if len(page) < limit or not page:
            return
        after = cursor(page[-1])


async def rows(fetch: PageFetch[T], size: int, cursor: Callable[[T], str | None]) -> AsyncGenerator[T, None]:
    """Every row of every page, in order."""
    async for page in pages(fetch, size, cursor):
        for row in page:
            yield row


class HasId(Protocol):
    """A row with an id: an identity as a model or as a list row."""

    @property
    def id(self) -> str: ...


def row_id(row: HasId) -> str:
    """The cursor of an identity (as a model or a list row): its id."""
    return row.id


def dict_id(row: dict[str, Any]) -> str | None:
    """The cursor of an agent or block as listed (a JSON object): its ``id``."""
    value = row.get("id")
    return None if value is None else str(value)
