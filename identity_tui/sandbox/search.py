"""Substring search on identity names: trigram candidates from FTS5, then an exact LIKE or instr() check.

The server filters with Postgres `lower(name) LIKE '%' || lower(q) || '%'`: `%` and `_` are wildcards, `\\`
escapes, and in the C locale of the reference server only ASCII letters are folded. A scan of 100,000 names
costs 5-10 ms; trigrams find the candidates of a rare needle in well under 1 ms, in creation order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SCHEMA = """
-- Contentless: names are padded with \\x02 ... \\x03 so every substring of one or two characters, even of a
-- one-letter name, lies inside some trigram the vocabulary can list.
CREATE VIRTUAL TABLE IF NOT EXISTS name_trigrams USING fts5(grams, content='', tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS name_vocab USING fts5vocab(name_trigrams, 'row');
"""

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MAX_CANDIDATES = 20_000  # past this many rows a scan in creation order is as quick: measured at 100k


def fold(text: str) -> str:
    """Lower-case ASCII letters only, like Postgres' lower() in the C locale."""
    return text.translate(_ASCII_LOWER)


def _grams(folded: str) -> str:
    return f"\x02{folded}\x03"


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _literal_runs(pattern: str) -> list[str]:
    """The fixed pieces of a LIKE pattern, with escapes resolved."""
    runs, current, chars = [], [], iter(pattern)
    for c in chars:
        if c == "\\":
            current.append(next(chars, "\\"))
        elif c in "%_":
            runs.append("".join(current))
            current = []
        else:
            current.append(c)
    runs.append("".join(current))
    return [r for r in runs if r]


@dataclass
class NameFilter:
    """SQL for one name filter; `trigrams` (an FTS5 query) is None when candidates come from a scan."""

    where: str
    arg: str
    trigrams: str | None


class NameIndex:
    """Keeps the trigram index in step with the names and turns a needle into SQL."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.db.executescript(SCHEMA)
        self._terms: list[tuple[str, int]] | None = None  # (trigram, rows with it), read lazily, dropped on change

    def add(self, rows: list[tuple[int, str]]) -> None:
        """Index (seq, folded name) pairs."""
        self.db.executemany("INSERT INTO name_trigrams (rowid, grams) VALUES (?, ?)",
                            [(seq, _grams(folded)) for seq, folded in rows])
        self._terms = None

    def remove(self, seq: int, folded: str) -> None:
        # A contentless FTS table is told what to remove with the old value itself.
        self.db.execute("INSERT INTO name_trigrams (name_trigrams, rowid, grams) VALUES ('delete', ?, ?)",
                        (seq, _grams(folded)))

    def condition(self, name: str) -> NameFilter | None:
        """The filter for `name`, or None when no stored name can match it."""
        needle = fold(name)
        if any(c in needle for c in "%_\\"):
            check = NameFilter("s.name_lower LIKE '%' || ? || '%' ESCAPE '\\'", needle, None)
            runs = _literal_runs(f"%{needle}%")  # a trailing backslash escapes the closing %
        else:
            check = NameFilter("instr(s.name_lower, ?) > 0", needle, None)
            runs = [needle]
        longest = max(runs, key=len, default="")
        if len(longest) >= 3:
            check.trigrams = _phrase(longest)
            return check
        # Runs of one or two characters: find the trigrams that contain them. The tokenizer folds non-ASCII
        # letters and we do not, so only ASCII runs can be looked up this way.
        options: list[tuple[int, list[str]]] = []
        for run in (r for r in runs if r.isascii()):
            terms = [(term, docs) for term, docs in self._vocabulary() if run in term]
            if not terms:
                return None  # a fixed piece no stored name contains
            options.append((sum(docs for _, docs in terms), [term for term, _ in terms]))
        if options:
            rows, fewest = min(options)
            if rows <= _MAX_CANDIDATES:
                check.trigrams = " OR ".join(map(_phrase, fewest))
        return check

    def _vocabulary(self) -> list[tuple[str, int]]:
        # Counts are only an estimate of the work: they may lag behind deletes, which just makes them high.
        if self._terms is None:
            self._terms = self.db.execute("SELECT term, doc FROM name_vocab").fetchall()
        return self._terms
