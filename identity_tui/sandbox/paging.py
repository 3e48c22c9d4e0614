"""Cursor and limit semantics of the server's `list_async`, quirks included, on top of any seq-ordered fetch."""

from __future__ import annotations

from typing import Callable

from identity_tui.sandbox import wire

# fetch(below, above, ascending, limit) -> rows; bounds are exclusive seq values, limit None = no limit.
Fetch = Callable[[int | None, int | None, bool, int | None], list]


def _cursor_seq(seq_of: Callable[[str], int | None], model: str, cursor: str) -> int:
    seq = seq_of(cursor)
    if seq is None:
        raise wire.unknown_cursor(model, cursor)
    return seq


def list_async(fetch: Fetch, seq_of: Callable[[str], int | None], model: str, *, before: str | None,
               after: str | None, ascending: bool, limit: int | None) -> list:
    """Mirror `SqlalchemyBase.list_async`: `before` keeps the top of the list, both cursors take a middle window."""
    before_seq = _cursor_seq(seq_of, model, before) if before else None
    after_seq = _cursor_seq(seq_of, model, after) if after else None
    if before_seq is not None and after_seq is not None:
        if before_seq < after_seq:
            raise wire.detail(400, "'before' reference must be later than 'after' reference")
        if limit is None:
            raise wire.unknown_error()  # the server computes `None * 2` here
        rows = fetch(before_seq, after_seq, ascending, _sql_limit(limit * 2))
        if len(rows) > limit:
            start = max(0, len(rows) // 2 - limit // 2)
            rows = rows[start:min(len(rows), start + limit)]
        return rows
    below = above = None
    if before_seq is not None:
        # Rows before the cursor in the current order, but the page is the first `limit` of them, not the last.
        below, above = (before_seq, None) if ascending else (None, before_seq)
    if after_seq is not None:
        below, above = (None, after_seq) if ascending else (after_seq, None)
    return fetch(below, above, ascending, _sql_limit(limit))


def _sql_limit(limit: int | None) -> int | None:
    if limit is not None and limit < 0:
        raise wire.database_error()  # Postgres: "LIMIT must not be negative"
    return limit


def list_identities(fetch: Fetch, seq_of: Callable[[str], int | None], *, before: str | None, after: str | None,
                    ascending: bool, limit: int) -> list:
    """The identity list asks for one extra row (to compute has_more) and maps limit 0 to no limit."""
    query_limit = limit + 1 if limit else None
    rows = list_async(fetch, seq_of, "Identity", before=before, after=after, ascending=ascending, limit=query_limit)
    if limit and len(rows) > limit:
        rows = rows[:limit]
    return rows
