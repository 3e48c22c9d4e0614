"""Counting what the filters select, on request (``#``): the server counts only every identity.

``/v1/identities/count`` ignores filters, so a count of a filtered list reads its pages (``SCAN_PAGE`` rows
a request) and counts them; the top line shows how far it got, then the count, and esc stops it. A list
that is scanned (a property filter, a key prefix or part) counts its matches as it scans.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text

from identity_tui.core.words import plural
from identity_tui.core.errors import LettaError
from identity_tui.tui import property_scan
from identity_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.worker import Worker

    from identity_tui.tui.screens.list_base import ListBase
    from identity_tui.tui.screens.list_model import Filters


class MatchCount:
    """The list screen's count of what its filters select; shown in the top line until the filters change."""

    def __init__(self, screen: ListBase) -> None:
        self.screen = screen
        self.counting = False

    def _show(self, text: str) -> None:
        self.screen.query_one(StatusBar).set_matches(Text(text) if text else None)

    def start(self) -> None:
        """Count the identities the server's filters select (reading their pages), or say why not."""
        screen = self.screen
        filters = screen.filters
        if not filters.active:
            screen.notify("No filters: every identity is listed, and the top line counts them.", timeout=4)
            return
        if filters.scans:
            screen.notify("This list is scanned: the line under it counts the matches as the scan goes.",
                          timeout=4)
            return
        screen.workers.cancel_group(screen, "match-count")
        self.counting = True
        self._show("counting…")
        _worker: Worker[None] = screen.run_worker(partial(self._read, filters), name="count_matches",
                                                  group="match-count", exclusive=True, exit_on_error=False)

    def stop(self) -> None:
        """esc: stop counting; the top line says how many were counted before it stopped."""
        self.screen.workers.cancel_group(self.screen, "match-count")
        self.counting = False

    def forget(self) -> None:
        """The filters changed: the count no longer applies."""
        self.stop()
        self._show("")

    async def _read(self, filters: Filters) -> None:
        size = property_scan.SCAN_PAGE
        query = filters.query()
        counted = 0
        after: str | None = None
        try:
            while True:
                try:
                    rows = await self.screen.app.client.list_page(limit=size, after=after, **query)
                except LettaError as exc:
                    self._show(f"{counted:,}+ matches (count failed)")
                    self.screen.notify(exc.message, title="The count stopped", severity="error", markup=False)
                    return
                counted += len(rows)
                if len(rows) < size:
                    self._show(plural(counted, "match", "matches"))
                    return
                after = rows[-1].id
                self._show(f"counting… {counted:,} so far · esc stops")
        except asyncio.CancelledError:
            if filters == self.screen.filters:  # esc, not new filters (which clear the line themselves)
                self._show(f"{counted:,}+ matches (count stopped)")
            raise
        finally:
            self.counting = False
