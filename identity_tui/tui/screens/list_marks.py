"""The list's marks: identities picked for a batch action (space one, ``*`` every match), kept across pages.

Marks are kept by id with the row as the list had it (the batch plans from it; each write reads the
identity again first), in the order they were marked, so paging, sorting and new filters leave them be.
``*`` reads every page the filters select (``SCAN_PAGE`` rows a request) and marks what the filters keep,
property and key filters too (``Filters.keeps``); the top line shows how far it got, and esc stops it,
keeping what was marked so far.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from identity_tui.core.errors import LettaError
from identity_tui.core.summary import IdentitySummary
from identity_tui.core.words import plural
from identity_tui.tui import property_scan
from identity_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.worker import Worker

    from identity_tui.tui.screens.list_base import ListBase
    from identity_tui.tui.screens.list_model import Filters


SAY_EVERY = 0.1  # seconds between the top line's words on how ``*`` goes: a redraw per page would slow it


class MarkedSome(Message, namespace="list_marks"):
    """A page of ``*``'s reading is in: ``rows`` match (``read`` so far in all)."""

    def __init__(self, rows: list[IdentitySummary], read: int) -> None:
        super().__init__()
        self.rows = rows
        self.read = read


class MarkingEnded(Message, namespace="list_marks"):
    """``*`` stopped: ``how`` is ``done``, ``stopped`` (esc) or the error's sentence."""

    def __init__(self, how: str, read: int) -> None:
        super().__init__()
        self.how = how
        self.read = read


class Marks:
    """The identities marked on the list screen, by id, in the order they were marked."""

    def __init__(self, screen: ListBase) -> None:
        self.screen = screen
        self.rows: dict[str, IdentitySummary] = {}
        self.marking = False
        self._before = 0  # how many were marked when ``*`` started
        self._any = False  # whether the key bar was last drawn with something marked
        self._said_at = 0.0  # when the top line last said how marking goes (it says so at most 10 times a second)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, identity_id: object) -> bool:
        return identity_id in self.rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    @property
    def ids(self) -> list[str]:
        return list(self.rows)

    def show(self, text: str | None = None) -> None:
        """The top line: how many are marked (or ``text``: how a marking goes); the key bar follows."""
        if text is None:
            text = f"{len(self.rows):,} marked" if self.rows else ""
        self.screen.query_one(StatusBar).set_marks(Text(text, style="bold") if text else None)
        if bool(self.rows) != self._any:  # p and u come into the key bar, or leave it
            self._any = bool(self.rows)
            self.screen.refresh_bindings()

    def toggle(self, row: IdentitySummary) -> None:
        """Mark the row, or unmark it when it is marked."""
        if row.id in self.rows:
            del self.rows[row.id]
        else:
            self.rows[row.id] = row
        self.screen.table.refresh_marks([row.id])
        self.show()

    def clear(self) -> int:
        """Unmark every identity; how many were marked."""
        n = len(self.rows)
        self.rows.clear()
        self.screen.table.refresh_marks()
        self.show()
        return n

    def drop(self, ids: list[str]) -> None:
        """Unmark these (a batch has done with them)."""
        for identity_id in ids:
            self.rows.pop(identity_id, None)
        self.screen.table.refresh_marks()
        self.show()

    # -- ``*``: every identity the filters select -------------------------------------------------------

    def mark_all(self, filters: Filters) -> None:
        """Read every page ``filters`` select and mark each identity they keep, in a worker."""
        screen = self.screen
        screen.workers.cancel_group(screen, "mark-all")
        self.marking = True
        self._before = len(self.rows)
        self.show("marking… · esc stops")
        _worker: Worker[None] = screen.run_worker(partial(self._read, filters), name="mark_all", group="mark-all",
                                                  exclusive=True, exit_on_error=False)

    def stop(self) -> None:
        """esc: stop marking; what was marked so far stays marked."""
        self.screen.workers.cancel_group(self.screen, "mark-all")

    async def _read(self, filters: Filters) -> None:
        size = property_scan.SCAN_PAGE
        query = filters.query()
        keeps = filters.keeps()
        read = 0
        after: str | None = None
        how = "done"
        try:
            while True:
                try:
                    rows = await self.screen.app.client.list_page(limit=size, after=after, **query)
                except LettaError as exc:
                    how = exc.message
                    return
                read += len(rows)
                matched = rows if keeps is None else [r for r in rows if keeps(r.wire)]
                self.screen.post_message(MarkedSome(matched, read))
                if len(rows) < size:
                    return
                after = rows[-1].id
        except asyncio.CancelledError:
            how = "stopped"
            raise
        finally:
            self.screen.post_message(MarkingEnded(how, read))

    def marked_some(self, message: MarkedSome) -> None:
        """A page's matches are in: mark them, and say how far the reading got."""
        if not self.marking:
            return
        for row in message.rows:
            self.rows.setdefault(row.id, row)
        self.screen.table.refresh_marks(r.id for r in message.rows)
        now = time.monotonic()
        if now - self._said_at >= SAY_EVERY:
            self._said_at = now
            self.show(f"marking… {len(self.rows):,} marked · {message.read:,} read · esc stops")

    def ended(self, message: MarkingEnded) -> None:
        """Say how ``*`` ended: done, stopped by esc (what was marked stays), or failed."""
        if not self.marking:
            return
        self.marking = False
        self.show()
        added = len(self.rows) - self._before
        added_words = f"{plural(added, 'identity', 'identities')} newly marked, {len(self.rows):,} in all"
        if message.how == "done":
            self.screen.notify(f"Marked every match: {added_words}.", timeout=4, markup=False)
        elif message.how == "stopped":
            self.screen.notify(f"Marking stopped after {message.read:,} read: {added_words} (they stay marked).",
                               timeout=6, markup=False)
        else:
            self.screen.notify(f"Marking stopped: {message.how} {added_words} (they stay marked).",
                               title="Could not mark every match", severity="error", timeout=8, markup=False)
