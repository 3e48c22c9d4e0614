"""The list with a property filter: the pages the other filters select are scanned as they stream in.

A worker reads pages of ``SCAN_PAGE`` rows and keeps only the matches; the table fills as they are found,
the line under it says how far the scan got, esc stops it (what was found stays) and ] [ > < page through
the matches found so far.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text

from identity_tui.core.errors import LettaError
from identity_tui.tui import property_scan
from identity_tui.tui.property_scan import Scan

if TYPE_CHECKING:
    from textual.worker import Worker

    from identity_tui.tui.screens.list_base import ListBase
    from identity_tui.tui.screens.list_info import PageInfo


class PropertyScan:
    """The list screen's scan for a property filter: the matches found so far, shown a page at a time."""

    def __init__(self, screen: ListBase, info: PageInfo) -> None:
        self.screen = screen
        self.info = info  # the line under the table, where the scan says how far it got
        self.state: Scan | None = None  # None while the list shows the server's pages

    @property
    def scanning(self) -> bool:
        """True while a property filter's scan reads pages."""
        return self.state is not None and self.state.running

    def start(self) -> None:
        """Scan from the first page with the current filters (a scan already running is dropped)."""
        screen = self.screen
        screen.workers.cancel_group(screen, "scan")
        filters = screen.filters
        self.state = Scan(screen.page_size, screen.total, sort=filters.sort,
                          filtered=bool(filters.where) or filters.key_scanned)
        screen.table.show_page([])
        self._show()
        # Annotated so the checker knows the worker's result (alone it cannot tell from the partial).
        _worker: Worker[None] = screen.run_worker(partial(self._read, self.state), name="run_scan", group="scan",
                                                  exclusive=True, exit_on_error=False)

    def leave(self) -> None:
        """Back to server pages: the scan is cancelled and its matches dropped."""
        self.screen.workers.cancel_group(self.screen, "scan")
        self.state = None

    def stop(self) -> None:
        """esc: stop reading pages; the matches found stay, and can be paged through."""
        self.screen.workers.cancel_group(self.screen, "scan")
        self.screen.select_after_load = None
        if self.state is not None and self.state.running:
            self.state.end("stopped")
            self._show()

    async def _read(self, scan: Scan) -> None:
        """Read the pages one after the other; only the current page and the matches are kept."""
        filters = self.screen.filters
        test = filters.keeps() or (lambda identity: True)
        query = filters.query()
        size = property_scan.SCAN_PAGE
        timing = self.screen.app.timing
        painted: float | None = None  # when the progress was last painted
        after: str | None = None
        while True:
            try:
                rows = await self.screen.app.client.list_page(limit=size, after=after, **query)
            except LettaError as exc:
                scan.end("failed", exc.message)
                self._progress(scan)
                return
            last = len(rows) < size or not rows
            scan.add_page([row for row in rows if test(row.wire)], last=last)
            if last:
                self._progress(scan)
                return
            after = rows[-1].id
            del rows
            # The first page and a page of matches still filling up are painted at once; the rest of a
            # long scan only says how far it got, at most every ``scan_paint_every``.
            now = timing.clock()
            if painted is None or scan.filling or now - painted >= timing.scan_paint_every:
                painted = now
                self._progress(scan)

    def _progress(self, scan: Scan) -> None:
        """The worker read a page (in the screen's loop, as it runs there): show the matches found so far."""
        if scan is not self.state:
            return  # a scan left behind (new filters)
        screen, table = self.screen, self.screen.table
        shown = table.identities
        rows = scan.rows()
        if len(rows) != len(shown):  # the page shown is filling up: add the new matches under the cursor
            cursor = table.cursor_row
            table.show_page(rows)
            table.move_cursor(row=cursor)
        wanted = screen.select_after_load  # set by a write: keep that identity selected
        if wanted is not None:
            at = next((i for i, row in enumerate(rows) if row.id == wanted), None)
            if at is not None or not scan.running:
                screen.select_after_load = None
            if at is not None:
                table.move_cursor(row=at)
        self._update_info()

    def _show(self) -> None:
        assert self.state is not None
        self.screen.table.show_page(self.state.rows())
        self._update_info()

    def _update_info(self) -> None:
        scan = self.state
        if scan is None:
            return
        scan.total = self.screen.total  # the count may have come in since the scan began
        info = self.info
        stop = info.key_of("list.clear_filters") if scan.running else None
        info.say(Text(scan.label() + (f" · {stop} stops" if stop else "")), error=scan.state == "failed")

    def turn(self, step: int) -> None:
        """] and [ over the matches found so far."""
        assert self.state is not None
        if self.state.turn(step):
            self._show()
        elif step > 0:
            more = " so far" if self.state.running else ""
            self.screen.notify(f"This is the last page of matches{more}.", timeout=2)
        else:
            self.screen.notify("This is the first page of matches.", timeout=2)

    def jump(self, last: bool) -> None:
        """> and <: the last or first page of the matches found so far."""
        assert self.state is not None
        self.state.page = self.state.page_count - 1 if last else 0
        self._show()
