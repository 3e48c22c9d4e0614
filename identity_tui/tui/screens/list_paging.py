"""The list's paging: the cursor stack, the pages kept for paging back and forth, and turns pressed while a page loads.

The server pages with an ``after`` cursor only, so the list keeps the cursors of the pages it came through;
the last page is one request in the opposite order, and pages on from there count from the end.
"""

from __future__ import annotations

from collections import OrderedDict

from textual.binding import Binding

from identity_tui.core.summary import IdentitySummary
from identity_tui.tui.screens.list_model import PageKey

# The list screen's paging keys, in the place they take among its bindings.
PAGE_BINDINGS = [
    Binding("right_square_bracket,pagedown", "next_page", "Next page", id="list.next_page"),
    Binding("left_square_bracket,pageup", "previous_page", "Prev page", show=False, id="list.previous_page"),
    Binding("greater_than_sign,ctrl+end", "last_page", "Last page", show=False, id="list.last_page"),
    Binding("less_than_sign,ctrl+home", "first_page", "First page", show=False, id="list.first_page"),
]
# Pages kept for paging back and forth; older ones are asked of the server again, so memory stays flat.
CACHED_PAGES = 8


class Paging:
    """Mixed into the list screen, which has ``filters``, ``page_size``, ``table``, ``notify``, the page
    workers (``load_page``, ``prefetch``), ``_show`` for a page's rows, ``_set_loading``, ``_set_info``
    and the property scan's ``scan_state``, ``scan_turn`` and ``scan_jump``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cursors: list[str | None] = [None]
        self.from_end = False
        self._cache: OrderedDict[PageKey, list[IdentitySummary]] = OrderedDict()
        self._shown: PageKey | None = None
        # The page asked of the server and not here yet; page keys pressed meanwhile are counted in
        # _queued_turns (+1 next, -1 previous) and turned once it is shown, so the label and the
        # rows always come from the same answer.
        self._loading_key: PageKey | None = None
        self._queued_turns = 0

    @property
    def page_number(self) -> int:
        """1-based index of the page on screen."""
        return len(self.cursors)

    def forget_pages(self) -> None:
        """Drop the pages kept (the prefetched next one too): every page is asked of the server again."""
        self._cache.clear()

    def _key(self) -> PageKey:
        return PageKey(self.filters, self.cursors[-1], self.page_size, self.from_end)

    def _restart_paging(self, *, from_end: bool, forget: bool = False) -> None:
        """Point the paging at the first page (or the last, counting from the end); ``forget`` drops the cache."""
        self.cursors = [None]
        self.from_end = from_end
        self._queued_turns = 0
        if forget:
            self.forget_pages()

    def _request_page(self) -> None:
        key = self._key()
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self._show(key, cached)
            return
        self._set_loading(True)
        self._set_info("Loading…")
        self._loading_key = key
        self.load_page(key)

    def _remember(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        self._cache[key] = rows
        self._cache.move_to_end(key)
        while len(self._cache) > CACHED_PAGES:
            self._cache.popitem(last=False)

    def _page_shown(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        """The page is on screen: turn a page pressed while it loaded, else fetch the next one ahead."""
        self._shown = key
        self._loading_key = None
        if self._queued_turns:
            step = 1 if self._queued_turns > 0 else -1
            self._queued_turns -= step
            self._turn(step)
            return
        if len(rows) == key.limit:
            # After the paint, so the request and its parsing do not delay this page. Counting from
            # the end, the page a person turns to next is the one before.
            cursor = rows[0].id if key.from_end else rows[-1].id
            self.call_after_refresh(
                self._prefetch_after, key, PageKey(key.filters, cursor, key.limit, key.from_end)
            )

    def _prefetch_after(self, shown: PageKey, nxt: PageKey) -> None:
        if self._shown == shown and nxt not in self._cache:
            self.prefetch(nxt)

    # -- turning ------------------------------------------------------------------------------

    def _turn(self, step: int) -> None:
        """Turn one page (+1 next, -1 previous); while a page is on its way, count the turn for later."""
        if self.scan_state is not None:
            self.scan_turn(step)
            return
        if self._loading_key is not None:
            self._queued_turns += step
            return
        if self._shown != self._key():
            # The page asked for last failed: its rows are not on screen, so ask for it again
            # instead of counting from the rows of another page.
            self._request_page()
            return
        if step > 0:
            self._next_page()
        else:
            self._previous_page()

    def action_next_page(self) -> None:
        """Next page (a key pressed while a page loads turns one more page once it is here)."""
        self._turn(1)

    def action_previous_page(self) -> None:
        """Previous page (a key pressed while a page loads turns one page back once it is here)."""
        self._turn(-1)

    def _next_page(self) -> None:
        """Next page: push the last row's id as the ``after`` cursor (from the end: pop back)."""
        rows = self.table.identities
        if self.from_end:
            if len(self.cursors) == 1:
                self.notify("This is the last page.", timeout=2)
                return
            self.cursors.pop()
        else:
            if self._shown is None or len(rows) < self.page_size:
                self.notify("This is the last page.", timeout=2)
                return
            self.cursors.append(rows[-1].id)
        self._request_page()

    def _previous_page(self) -> None:
        """Previous page from the cursor stack (the server's ``before`` returns the top, not the page)."""
        rows = self.table.identities
        if self.from_end:
            if self._shown is None or len(rows) < self.page_size:
                self.notify("This is the first page.", timeout=2)
                return
            self.cursors.append(rows[0].id)
        else:
            if len(self.cursors) == 1:
                self.notify("This is the first page.", timeout=2)
                return
            self.cursors.pop()
        self._request_page()

    def action_last_page(self) -> None:
        """Jump to the end of the list: one request in the opposite order, however long the list."""
        self._jump(last=True)

    def action_first_page(self) -> None:
        """Back to the top of the list."""
        self._jump(last=False)

    def _jump(self, *, last: bool) -> None:
        if self.scan_state is not None:
            self.scan_jump(last=last)
            return
        self._restart_paging(from_end=last)
        self._request_page()
