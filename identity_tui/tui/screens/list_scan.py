"""The list with a property filter: the pages the other filters select are scanned as they stream in.

A worker reads pages of ``SCAN_PAGE`` rows and keeps only the matches; the table fills as they are found,
the line under it says how far the scan got, esc stops it (what was found stays) and ] [ > < page through
the matches found so far.
"""

from __future__ import annotations

from rich.text import Text
from textual import work

from identity_tui.core.errors import LettaError
from identity_tui.core.where import matcher
from identity_tui.tui import property_scan
from identity_tui.tui.property_scan import Scan


class PropertyScan:
    """Mixed into the list screen, which has ``filters``, ``page_size``, ``total``, ``table`` and ``_set_info``."""

    scan_state: Scan | None = None

    @property
    def scanning(self) -> bool:
        """True while a property filter's scan reads pages."""
        return self.scan_state is not None and self.scan_state.running

    def start_scan(self) -> None:
        """Scan from the first page with the current filters (a scan already running is dropped)."""
        self.workers.cancel_group(self, "scan")
        self.scan_state = Scan(self.page_size, self.total)
        self._set_loading(False)
        self._loading_key = None
        self.table.show_page([])
        self._show_scan()
        self.run_scan(self.scan_state)

    def leave_scan(self) -> None:
        """Back to server pages: the scan is cancelled and its matches dropped."""
        self.workers.cancel_group(self, "scan")
        self.scan_state = None

    def stop_scan(self) -> None:
        """esc: stop reading pages; the matches found stay, and can be paged through."""
        self.workers.cancel_group(self, "scan")
        self._select_after_load = None
        if self.scan_state is not None and self.scan_state.running:
            self.scan_state.state = "stopped"
            self._show_scan()

    @work(exclusive=True, group="scan", exit_on_error=False)
    async def run_scan(self, scan: Scan) -> None:
        """Read the pages one after the other; only the current page and the matches are kept."""
        test = matcher(list(self.filters.where))
        query = self.filters.query()
        size = property_scan.SCAN_PAGE
        after: str | None = None
        while True:
            try:
                rows = await self.app.client.list_page(limit=size, after=after, **query)
            except LettaError as exc:
                scan.state, scan.error = "failed", exc.message
                self._scan_progress(scan)
                return
            last = len(rows) < size or not rows
            scan.add_page([row for row in rows if test(row.wire)], last=last)
            if last:
                self._scan_progress(scan)
                return
            after = rows[-1].id
            del rows
            self._scan_progress(scan)

    def _scan_progress(self, scan: Scan) -> None:
        if scan is not self.scan_state:
            return  # a scan left behind (new filters)
        shown = self.table.identities
        rows = scan.rows()
        if len(rows) != len(shown):  # the page shown is filling up: add the new matches under the cursor
            cursor = self.table.cursor_row
            self.table.show_page(rows)
            self.table.move_cursor(row=cursor)
        wanted = getattr(self, "_select_after_load", None)  # set by a write: keep that identity selected
        if wanted is not None:
            at = next((i for i, row in enumerate(rows) if row.id == wanted), None)
            if at is not None or not scan.running:
                self._select_after_load = None
            if at is not None:
                self.table.move_cursor(row=at)
        self._update_scan_info()

    def _show_scan(self) -> None:
        assert self.scan_state is not None
        self.table.show_page(self.scan_state.rows())
        self._update_scan_info()

    def _update_scan_info(self) -> None:
        scan = self.scan_state
        if scan is None:
            return
        scan.total = self.total  # the count may have come in since the scan began
        stop = self._key_of("list.clear_filters") if scan.running else None
        self._set_info(Text(scan.label() + (f" · {stop} stops" if stop else "")), error=scan.state == "failed")

    def scan_turn(self, step: int) -> None:
        """] and [ over the matches found so far."""
        assert self.scan_state is not None
        if self.scan_state.turn(step):
            self._show_scan()
        elif step > 0:
            more = " so far" if self.scan_state.running else ""
            self.notify(f"This is the last page of matches{more}.", timeout=2)
        else:
            self.notify("This is the first page of matches.", timeout=2)

    def scan_jump(self, last: bool) -> None:
        """> and <: the last or first page of the matches found so far."""
        assert self.scan_state is not None
        self.scan_state.page = self.scan_state.page_count - 1 if last else 0
        self._show_scan()
