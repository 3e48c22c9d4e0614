"""A property filter's scan of the list: the matches found so far, paged, and honest words about them.

The server cannot filter on properties, so the list reads the pages the other filters select and keeps
only the rows that match (plus the page being read). No Textual here: the screen drives it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from identity_tui.core.jsontext import loads
from identity_tui.core.summary import IdentitySummary, summarize
from identity_tui.core.where import WhereError, matcher
from identity_tui.core.words import plural

SCAN_PAGE = 500  # rows asked of the server per request while scanning
SEPARATOR = ";"  # between expressions typed in one box


def split(text: str) -> tuple[str, ...]:
    """The expressions typed in the Property box (separated by ``;``), checked; WhereError for a bad one."""
    expressions = tuple(part.strip() for part in text.split(SEPARATOR) if part.strip())
    if expressions:
        matcher(list(expressions))
    return expressions


def where_sentence(error: WhereError) -> str:
    """A WhereError as the dialog says it (the command line's ``--where`` prefix left out)."""
    return str(error).removeprefix("--where ").replace("An empty --where", "An empty expression")


_RUN_OF_DIGITS = re.compile(r"([0-9]+)")


def natural(text: str) -> tuple[tuple[tuple[int, Any], ...], str]:
    """A sort key that reads runs of digits as numbers and ignores case: "user 2" before "User 10" (texts
    equal but for case or leading zeros then go by the text itself)."""
    parts = tuple((0, int(part)) if part.isdigit() and part.isascii() else (1, part.casefold())
                  for part in _RUN_OF_DIGITS.split(text) if part)
    return parts, text


# The sorts ``s`` goes round (the server's own order, by creation, is the default): a key per row, ties kept
# in the order the server sent them.
SORTS: dict[str, Callable[[IdentitySummary], Any]] = {
    "name": lambda row: natural(row.name),
    "key": lambda row: natural(row.identifier_key),
    "type": lambda row: (row.identity_type.value, natural(row.name)),
}


def pack(row: IdentitySummary) -> str | IdentitySummary:
    """A match as it is kept until shown: its JSON text, which the garbage collector need not walk.

    A scan may keep tens of thousands of matches; kept as objects, each full collection walks all of
    them and pauses the app for longer the longer it scans. A value too deep to write is kept as it is.
    """
    try:
        return json.dumps(row.wire, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, RecursionError):
        return row


def unpack(kept: str | IdentitySummary) -> IdentitySummary:
    """The row for a kept match, as it was before ``pack``."""
    if isinstance(kept, IdentitySummary):
        return kept
    row = summarize(loads(kept))  # as deep as pack could write: to near the interpreter's limit
    assert row is not None  # it summarized before it was packed
    return row


@dataclass
class Scan:
    """One scan: the matches found, how far it got, and which page of matches is shown (0-based)."""

    page_size: int
    total: int | None = None  # the organization's count (the server cannot count a filtered list)
    matches: list[str | IdentitySummary] = field(default_factory=list)  # packed (see ``pack``)
    pages: int = 0
    state: str = "scanning"  # scanning, done, stopped, failed
    error: str | None = None
    page: int = 0
    # Sorted by one of ``SORTS``: nothing is shown until every page is read (or the scan is stopped), then
    # all that was read is sorted. ``filtered``: some rows are left out (else every row is a "match").
    sort: str = ""
    filtered: bool = True
    _keys: list[Any] = field(default_factory=list, init=False, repr=False)
    _shown: tuple[tuple[int, int], list[IdentitySummary]] = field(default=((0, 0), []), init=False, repr=False)

    @property
    def running(self) -> bool:
        return self.state == "scanning"

    @property
    def of_pages(self) -> int | None:
        """About how many pages there are to scan (at most; None when the count is unknown)."""
        if self.total is None:
            return None
        return max(self.pages, math.ceil(self.total / SCAN_PAGE), 1)

    def add_page(self, found: list[IdentitySummary], *, last: bool) -> None:
        self.matches.extend(pack(row) for row in found)
        if self.sort:
            key = SORTS[self.sort]
            self._keys.extend(key(row) for row in found)
        self.pages += 1
        if last:
            self.end("done")

    def end(self, state: str, error: str | None = None) -> None:
        """The scan is over (``done``, ``stopped`` or ``failed``): a sorted scan sorts what it read."""
        self.state, self.error = state, error
        if self.sort and self._keys:
            keys = self._keys
            order = sorted(range(len(keys)), key=keys.__getitem__)
            self.matches = [self.matches[i] for i in order]
            self._keys = []
            self._shown = ((0, 0), [])

    @property
    def held_back(self) -> bool:
        """True while a sorted scan reads: what it found is shown only once it is sorted."""
        return bool(self.sort) and self.running

    @property
    def filling(self) -> bool:
        """True while the page of matches shown has room for more."""
        start, end = self._span()
        return end - start < self.page_size

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.matches) / self.page_size))

    def _span(self) -> tuple[int, int]:
        start = self.page * self.page_size
        return start, min(start + self.page_size, len(self.matches))

    def rows(self) -> list[IdentitySummary]:
        """The matches on the page shown (unpacked once for each span shown)."""
        if self.held_back:
            return []
        span, rows = self._shown
        if span != self._span():
            span = self._span()
            rows = [unpack(kept) for kept in self.matches[span[0]:span[1]]]
            self._shown = (span, rows)
        return rows

    def turn(self, step: int) -> bool:
        """Move one page of matches (+1 or -1); False at either end."""
        target = self.page + step
        if target < 0 or target >= self.page_count:
            return False
        self.page = target
        return True

    def label(self) -> str:
        """'matches 51–100 of 230 found so far · scanned 3 of ~20 pages', or how it ended."""
        start, end = self._span()
        rows = max(0, end - start)
        found = len(self.matches)
        if self.held_back:
            return f"reading every page to sort by {self.sort}: {self.progress(count=False)}"
        noun = ("match", "matches") if self.filtered else ("row", "rows")
        order = f" sorted by {self.sort}" if self.sort else ""
        so_far = " found so far" if self.running or self.state in ("stopped", "failed") else ""
        if rows:
            span = f"{noun[0]} {start + 1}" if rows == 1 else f"{noun[1]} {start + 1}–{start + rows}"
            where = f"{span} of {found:,}{so_far}{order}"
        else:
            where = f"no {noun[1]}" + (" yet" if self.running else so_far)
        return f"{where} · {self.progress(count=False)}"  # the count is in the words before

    def progress(self, count: bool = True) -> str:
        """'scanned N of ~M pages · K matches' while it runs; how it ended after."""
        if self.state == "done":
            return "scanned the only page" if self.pages == 1 else f"scanned all {plural(self.pages, 'page')}"
        if self.state == "stopped":
            return f"scan stopped after {plural(self.pages, 'page')}"
        if self.state == "failed":
            return f"scan stopped after {plural(self.pages, 'page')}: {self.error}"
        scanned = plural(self.pages, "page") if self.of_pages is None else f"{self.pages:,} of ~{self.of_pages:,} pages"
        return f"scanned {scanned}" + (f" · {plural(len(self.matches), 'match', 'matches')}" if count else "")
