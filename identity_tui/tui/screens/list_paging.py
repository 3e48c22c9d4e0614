"""The list's paging: the cursor stack, the pages kept for paging back and forth, and turns pressed while a page loads.

The server pages with an ``after`` cursor only, so the list keeps the cursors of the pages it came through;
the last page is one request in the opposite order, and pages on from there count from the end.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.message import Message

from identity_tui.core.errors import LettaError
from identity_tui.core.summary import IdentitySummary
from identity_tui.tui.screens.list_model import PageKey

if TYPE_CHECKING:
    from identity_tui.tui.screens.list_base import ListBase

# The list screen's paging keys, in the place they take among its bindings.
PAGE_BINDINGS = [
    Binding("right_square_bracket,pagedown", "next_page", "Next page", id="list.next_page"),
    Binding("left_square_bracket,pageup", "previous_page", "Prev page", show=False, id="list.previous_page"),
    Binding("greater_than_sign,ctrl+end", "last_page", "Last page", show=False, id="list.last_page"),
    Binding("less_than_sign,ctrl+home", "first_page", "First page", show=False, id="list.first_page"),
]
# Pages kept for paging back and forth; older ones are asked of the server again, so memory stays flat.
CACHED_PAGES = 8


# The list screen's messages (``ListScreen.PageLoaded``…); the app takes PageLoaded too, to offer the drafts.
class PageLoaded(Message, namespace="list_screen"):
    """A page came back from the server."""

    def __init__(self, key: PageKey, rows: list[IdentitySummary], prefetch: bool = False) -> None:
        super().__init__()
        self.key = key
        self.rows = rows
        self.prefetch = prefetch


class PageFailed(Message, namespace="list_screen"):
    """Loading a page failed with a sentence to show."""

    def __init__(self, key: PageKey, error: LettaError) -> None:
        super().__init__()
        self.key = key
        self.error = error


class Paging:
    """Which page of the list is on screen, the pages kept, and the workers that ask the server for pages."""

    def __init__(self, screen: ListBase) -> None:
        self.screen = screen
        self.cursors: list[str | None] = [None]
        self.from_end = False
        self._cache: OrderedDict[PageKey, list[IdentitySummary]] = OrderedDict()
        self.shown: PageKey | None = None  # the page whose rows the table shows
        # The page asked of the server and not here yet; page keys pressed meanwhile are counted in
        # _queued_turns (+1 next, -1 previous) and turned once it is shown, so the label and the
        # rows always come from the same answer.
        self.waiting_for: PageKey | None = None
        self._queued_turns = 0

    @property
    def page_number(self) -> int:
        """1-based index of the page on screen."""
        return len(self.cursors)

    def forget(self) -> None:
        """Drop the pages kept (the prefetched next one too): every page is asked of the server again."""
        self._cache.clear()

    def key(self) -> PageKey:
        """The page the list is on now: its filters, its cursor, and whether it counts from the end."""
        screen = self.screen
        return PageKey(screen.filters, self.cursors[-1], screen.page_size, self.from_end)

    def restart(self, *, from_end: bool, forget: bool = False) -> None:
        """Point the paging at the first page (or the last, counting from the end); ``forget`` drops the cache."""
        self.cursors = [None]
        self.from_end = from_end
        self._queued_turns = 0
        if forget:
            self.forget()

    def stop_waiting(self) -> None:
        """No page is awaited any more: the turns pressed while it loaded are dropped."""
        self.waiting_for = None
        self._queued_turns = 0

    def request(self) -> None:
        """Show the current page: from the pages kept, else asked of the server."""
        key = self.key()
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.screen.show_page(key, cached)
            return
        self.screen.set_table_loading(True)
        self.screen.say("Loading…")
        self.waiting_for = key
        self._run("load_page", "page", self._load, key)

    def loaded(self, message: PageLoaded) -> None:
        """A page came back: keep it, and show it if it is the page the list is on."""
        self._remember(message.key, message.rows)
        if message.prefetch:
            return
        if message.key != self.key():
            return  # an answer to a question nobody is asking any more
        self.screen.show_page(message.key, message.rows)

    def _remember(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        self._cache[key] = rows
        self._cache.move_to_end(key)
        while len(self._cache) > CACHED_PAGES:
            self._cache.popitem(last=False)

    def page_shown(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        """The page is on screen: turn a page pressed while it loaded, else fetch the next one ahead."""
        self.shown = key
        self.waiting_for = None
        if self._queued_turns:
            step = 1 if self._queued_turns > 0 else -1
            self._queued_turns -= step
            self.turn(step)
            return
        if len(rows) == key.limit:
            # After the paint, so the request and its parsing do not delay this page. Counting from
            # the end, the page a person turns to next is the one before.
            cursor = rows[0].id if key.from_end else rows[-1].id
            self.screen.call_after_refresh(
                self._prefetch_after, key, PageKey(key.filters, cursor, key.limit, key.from_end)
            )

    def _prefetch_after(self, shown: PageKey, nxt: PageKey) -> None:
        if self.shown == shown and nxt not in self._cache:
            self._run("prefetch", "prefetch", self._prefetch, nxt)

    # -- workers: each asks the server for one page and answers the screen with a message -------

    def _run(self, name: str, group: str, work: Callable[[PageKey], Any], key: PageKey) -> None:
        """Run ``work(key)`` in a worker of the screen; a newer one of the same group cancels it."""
        self.screen.run_worker(partial(work, key), name=name, group=group, exclusive=True, exit_on_error=False)

    async def _fetch(self, key: PageKey) -> list[IdentitySummary]:
        """One page from the server; a page counted from the end is asked for in reverse order."""
        query = key.filters.query()
        if key.from_end:
            query["order"] = "asc" if key.filters.order == "desc" else "desc"
        rows = await self.screen.app.client.list_page(limit=key.limit, after=key.after, **query)
        if key.from_end:
            rows.reverse()
        return rows

    async def _load(self, key: PageKey) -> None:
        """Fetch one page; a newer request cancels this one."""
        try:
            rows = await self._fetch(key)
        except LettaError as exc:
            self.screen.post_message(PageFailed(key, exc))
            return
        self.screen.post_message(PageLoaded(key, rows))

    async def _prefetch(self, key: PageKey) -> None:
        """Fetch the next page while the user reads this one; failures are silent."""
        try:
            rows = await self._fetch(key)
        except LettaError:
            return
        self.screen.post_message(PageLoaded(key, rows, prefetch=True))

    # -- turning ------------------------------------------------------------------------------

    def turn(self, step: int) -> None:
        """Turn one page (+1 next, -1 previous); while a page is on its way, count the turn for later."""
        if self.waiting_for is not None:
            self._queued_turns += step
            return
        if self.shown != self.key():
            # The page asked for last failed: its rows are not on screen, so ask for it again
            # instead of counting from the rows of another page.
            self.request()
            return
        if step > 0:
            self._next_page()
        else:
            self._previous_page()

    def _next_page(self) -> None:
        """Next page: push the last row's id as the ``after`` cursor (from the end: pop back)."""
        rows = self.screen.table.identities
        if self.from_end:
            if len(self.cursors) == 1:
                self.screen.notify("This is the last page.", timeout=2)
                return
            self.cursors.pop()
        else:
            if self.shown is None or len(rows) < self.screen.page_size:
                self.screen.notify("This is the last page.", timeout=2)
                return
            self.cursors.append(rows[-1].id)
        self.request()

    def _previous_page(self) -> None:
        """Previous page from the cursor stack (the server's ``before`` returns the top, not the page)."""
        rows = self.screen.table.identities
        if self.from_end:
            if self.shown is None or len(rows) < self.screen.page_size:
                self.screen.notify("This is the first page.", timeout=2)
                return
            self.cursors.append(rows[0].id)
        else:
            if len(self.cursors) == 1:
                self.screen.notify("This is the first page.", timeout=2)
                return
            self.cursors.pop()
        self.request()

    def jump(self, *, last: bool) -> None:
        """To the end of the list (one request in the opposite order, however long the list) or the top."""
        self.restart(from_end=last)
        self.request()
