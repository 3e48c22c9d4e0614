"""The list screen: one server page of identities at a time, filtered and ordered by the server.

One class composing four helpers: ``Paging`` (which page is shown, the pages kept, the workers that fetch
them), ``PropertyScan`` (a property filter's scan of the pages), ``PageInfo`` (the filter bar and the line
under the table) and ``RowActions`` (what the keys do with the row under the cursor). The page workers
answer with messages, which this screen hands to the paging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from identity_tui.core.errors import BadResponse, ConnectionFailed, CursorGone, LettaError, Unauthorized
from identity_tui.core.summary import IdentitySummary
from identity_tui.tui.countdown import Countdown
from identity_tui.tui.messages import ExportIdentities, NewIdentity, OpenIdentity, ShowDetails, ShowRawJson
from identity_tui.tui.screens import list_paging
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.list_base import ListBase
from identity_tui.tui.screens.list_info import PageInfo
from identity_tui.tui.screens.list_model import Filters, PageKey
from identity_tui.tui.screens.list_paging import PAGE_BINDINGS, Paging
from identity_tui.tui.screens.list_rows import RowActions
from identity_tui.tui.property_scan import SORTS
from identity_tui.tui.screens.list_count import MatchCount
from identity_tui.tui.screens.list_marks import MarkedSome, Marks, MarkingEnded
from identity_tui.tui.screens.list_scan import PropertyScan
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.key_bar import KeyBar
from identity_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from identity_tui.tui.screens.list_batch import BatchActions
    from identity_tui.core.config import Connection


# Actions on the marked identities: enabled (and in the key bar) only while something is marked.
MARKED_ACTIONS = ("delete_marked", "batch_property", "export_marked", "clear_marks")


class ListScreen(ReportsWorkerErrors, ListBase):
    """Identities, a page at a time; keys to page, filter, open, create and delete."""

    AUTO_FOCUS = "IdentityTable"

    BINDINGS = [
        # The bindings of MARKED_ACTIONS are enabled (and in the key bar) only while identities are marked; d and
        # x then act on the marked, and fall through to their own meaning without marks.
        Binding("p", "batch_property", "Set prop", id="list.batch_property",
                tooltip="Set or remove one property on every marked identity (plan first)"),
        Binding("slash", "focus_filter", "Filter", id="list.filter"),
        Binding("f", "filters", "Filters", id="list.filters",
                tooltip="Filters, by property too"),
        Binding("o", "toggle_order", "Order", show=False, id="list.order"),
        Binding("s", "cycle_sort", "Sort", show=False, id="list.sort"),
        Binding("n", "new", "New", id="list.new"),
        Binding("d", "delete", "Delete", id="list.delete"),
        Binding("d", "delete_marked", "Delete marked", id="list.delete_marked",
                tooltip="Delete the marked identities (plan first, then type their count)"),
        Binding("i", "details", "Details", show=False, id="list.details"),
        Binding("y", "raw_json", "JSON", id="list.json"),
        Binding("c", "copy_id", "Copy id", show=False, id="list.copy_id"),
        Binding("C", "copy_json", "Copy JSON", show=False, id="list.copy_json"),
        Binding("x", "export", "Export", show=False, id="list.export"),
        Binding("x", "export_marked", "Export", id="list.export_marked",
                tooltip="Export the marked identities to a file"),
        Binding("h", "history", "History", show=False, id="list.history"),
        Binding("S", "switch_server", "Switch server", show=False, id="list.switch_server",
                tooltip="Switch server (profiles, sandbox)"),
        Binding("number_sign", "count_matches", "Count matches", show=False, id="list.count"),
        Binding("space", "toggle_mark", "Mark", show=False, id="list.mark",
                tooltip="Mark or unmark the identity under the cursor (d, p, x then act on the marked)"),
        Binding("asterisk", "mark_all", "Mark all", show=False, id="list.mark_all",
                tooltip="Mark every identity the filters select, property filters too (esc stops)"),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False, id="list.refresh"),
        *PAGE_BINDINGS,
        Binding("escape", "clear_filters", "Clear filters", show=False, id="list.clear_filters"),
        Binding("u", "clear_marks", "Unmark", id="list.clear_marks", tooltip="Unmark every marked identity"),
    ]

    # Posted by the paging's workers (defined with it, in this screen's namespace); the app also takes PageLoaded.
    PageLoaded = list_paging.PageLoaded
    PageFailed = list_paging.PageFailed

    class CountLoaded(Message):
        """The organization's total came back (or None when it could not be read)."""

        def __init__(self, total: int | None) -> None:
            super().__init__()
            self.total = total

    def __init__(self, page_size: int = 50) -> None:
        super().__init__()
        self.page_size = page_size
        self.filters = Filters()
        self.total: int | None = None
        # Typing in the name filter applies it once typing pauses: one request, never one per key.
        self.filter_countdown = Countdown(self)
        # The table's loading indicator shows only when a page takes a moment (the footer line says
        # "Loading…" at once): a quick answer neither flickers nor pays for mounting the indicator.
        self.loading_countdown = Countdown(self)
        self.select_after_load: str | None = None  # set by a write: the identity to select once its row is in
        self._connect_attempt = 1  # counts tries from the connect screen until a page loads
        # Set by a switch of server until its first page loads: a failure then is said under the table (S picks
        # another server) instead of opening the connect screen, whose esc quits.
        self._switched = False
        self.paging = Paging(self)
        self.info = PageInfo(self, self.paging)
        self.scan = PropertyScan(self, self.info)
        self.match_count = MatchCount(self)
        self.rows = RowActions(self)
        self.marks = Marks(self)
        self._batch_actions: BatchActions | None = None

    @property
    def batch_actions(self) -> BatchActions:
        """d, p and x on the marked identities (loaded when first used: they bring the models, which the first
        page is painted without)."""
        if self._batch_actions is None:
            from identity_tui.tui.screens.list_batch import BatchActions

            self._batch_actions = BatchActions(self, self.marks)
        return self._batch_actions

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="/ filter by name", id="name-filter", compact=True)
            yield Static("", id="filter-summary")
        yield IdentityTable(id="identities")
        yield Static("", id="page-info")
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.marks = self.marks
        self.query_one(StatusBar).set_connection(self.app.conn)
        self.info.show_filters()
        self.set_table_loading(True)
        self.say("Connecting…")
        self.paging.waiting_for = self.paging.key()
        self.connect()

    def set_table_loading(self, loading: bool) -> None:
        """Cover the table with the loading indicator if the page is still not here after a moment."""
        if loading:
            self.loading_countdown.start(self.app.timing.loading_delay, self._show_loading)
            return
        self.loading_countdown.stop()
        self.table.loading = False

    def _show_loading(self) -> None:
        self.table.loading = True

    def say(self, text: str | Text, *, error: bool = False) -> None:
        """One line under the table: which page is shown, or what went wrong."""
        self.info.say(text, error=error)

    @property
    def page_number(self) -> int:
        """1-based index of the page on screen."""
        return self.paging.page_number

    def forget_pages(self) -> None:
        """Drop the pages kept (the prefetched next one too): every page is asked of the server again."""
        self.paging.forget()

    # -- the connection and the total: workers that answer with a message ------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        """Check the server is a Letta server and load the first page, both at once, then the total."""
        client = self.app.client
        key = self.paging.key()
        # Together, so a distant server costs one round trip before the first page instead of two.
        outcomes = await asyncio.gather(
            client.health(),
            client.list_page(limit=self.page_size, **self.filters.query()),
            return_exceptions=True,
        )
        # The health check's answer is read first: a server that is not Letta explains the rest.
        for outcome in outcomes:
            if isinstance(outcome, LettaError):
                self.post_message(self.PageFailed(key, outcome))
                return
            if isinstance(outcome, BaseException):
                raise outcome
        page = outcomes[1]
        assert not isinstance(page, BaseException)  # raised above
        self.post_message(self.PageLoaded(key, page))
        self.load_count()

    @work(exclusive=True, group="count", exit_on_error=False)
    async def load_count(self) -> None:
        """Fetch the organization's total."""
        try:
            total = await self.app.client.count()
        except LettaError:
            total = None
        self.post_message(self.CountLoaded(total))

    # -- answers ------------------------------------------------------------------------------

    @on(list_paging.PageLoaded)
    def _on_page_loaded(self, message: list_paging.PageLoaded) -> None:
        self.paging.loaded(message)

    def show_page(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        """Put a page's rows in the table (the identity a write asked for under the cursor) and say which it is."""
        table = self.table
        self.set_table_loading(False)
        table.show_page(rows)
        self._connect_attempt = 1
        self._switched = False
        if self.select_after_load:
            for i, identity in enumerate(rows):
                if identity.id == self.select_after_load:
                    table.move_cursor(row=i, animate=False)
                    break
            self.select_after_load = None
        self.info.show_page()
        self.paging.page_shown(key, rows)

    @on(list_paging.PageFailed)
    def _on_page_failed(self, message: list_paging.PageFailed) -> None:
        if message.key != self.paging.key():
            return  # a page left behind (first page, new filters): what is shown now is not its business
        error = message.error
        self.set_table_loading(False)
        self.paging.stop_waiting()
        if isinstance(error, CursorGone):
            self.notify(error.message, severity="warning", markup=False)
            self.paging.restart(from_end=False, forget=True)
            self.paging.request()
            return
        if (self.paging.shown is None and not self._switched
                and isinstance(error, (ConnectionFailed, Unauthorized, BadResponse))):
            self._open_connect_screen(error)
            return
        if self._switched:
            self.say(Text(f"{error.message} (S picks another server, ctrl+r tries again)", style="bold"), error=True)
        else:
            self.say(Text(error.message, style="bold"), error=True)
        self.notify(error.message, title="Could not load identities", severity="error", markup=False)

    @on(CountLoaded)
    def _on_count(self, message: CountLoaded) -> None:
        self.total = message.total
        self.app.total = message.total
        self.query_one(StatusBar).set_total(message.total)

    def _open_connect_screen(self, error: LettaError) -> None:
        from identity_tui.tui.screens.connect import ConnectScreen

        self.say(Text(error.message), error=True)
        focus = "token" if isinstance(error, Unauthorized) else "url" if isinstance(error, BadResponse) else "retry"
        screen = ConnectScreen(error.message, self.app.conn, focus, attempt=self._connect_attempt)
        self.app.push_screen(screen, self._after_connect_screen)

    async def _after_connect_screen(self, result: Connection | None) -> None:
        if result is None:
            return
        self._connect_attempt += 1
        await self.app.reconnect(result)
        self._load_anew()

    def _load_anew(self) -> None:
        """After a reconnect: the new server in the top line, and its first page asked for."""
        self.query_one(StatusBar).set_connection(self.app.conn)
        self.paging.restart(from_end=False, forget=True)
        self.set_table_loading(True)
        self.say("Connecting…")
        self.connect()

    def action_switch_server(self) -> None:
        """The profiles of config.toml and the sandbox: enter connects to the one under the cursor."""
        from identity_tui.tui.screens.profiles import ProfilesScreen

        self.app.push_screen(ProfilesScreen(), self._after_profiles_screen)

    async def _after_profiles_screen(self, result: Connection | None) -> None:
        if result is None:
            return
        await self.switch_server(result)

    async def switch_server(self, conn: Connection) -> None:
        """Work on another server: every filter cleared, its first page loaded, the top line naming it.

        Drafts and the journal follow the connection (both are keyed by ``server_key``)."""
        for group in ("page", "prefetch", "count"):  # no answer of the old server lands after the switch
            self.workers.cancel_group(self, group)
        self.paging.stop_waiting()
        self.scan.leave()
        self.match_count.forget()
        self.marks.stop()
        self.marks.clear()  # another server's identities: these ids mean nothing there
        self.select_after_load = None
        self.filter_countdown.stop()
        name_input = self.query_one("#name-filter", Input)
        with name_input.prevent(Input.Changed):
            name_input.value = ""
        self.filters = Filters()
        self.info.show_filters()
        self.total = None
        self.app.total = None
        self.query_one(StatusBar).clear_total()
        self.table.show_page([])  # the other server's rows must not stand under this one's name
        self.paging.shown = None
        self._switched = True
        await self.app.reconnect(conn)
        self._connect_attempt = 1
        self.set_focus(self.table)
        self.refresh_bindings()  # the new connection may be read-only
        self._load_anew()

    # -- paging: through the server's pages, or through a property scan's matches ---------------

    def _turn(self, step: int) -> None:
        if self.scan.state is not None:
            self.scan.turn(step)
        else:
            self.paging.turn(step)

    def action_next_page(self) -> None:
        """Next page (a key pressed while a page loads turns one more page once it is here)."""
        self._turn(1)

    def action_previous_page(self) -> None:
        """Previous page (a key pressed while a page loads turns one page back once it is here)."""
        self._turn(-1)

    def _jump(self, *, last: bool) -> None:
        if self.scan.state is not None:
            self.scan.jump(last=last)
        else:
            self.paging.jump(last=last)

    def action_last_page(self) -> None:
        """Jump to the end of the list: one request in the opposite order, however long the list."""
        self._jump(last=True)

    def action_first_page(self) -> None:
        """Back to the top of the list."""
        self._jump(last=False)

    # -- filtering ----------------------------------------------------------------------------

    def _start_scan(self) -> None:
        """The server cannot filter on properties: no page is awaited any more, its pages are scanned."""
        self.set_table_loading(False)
        self.paging.stop_waiting()
        self.scan.start()

    def action_refresh(self) -> None:
        """Reload this page and the total from the server."""
        self.paging.forget()
        self.paging.stop_waiting()
        self.load_count()
        if self.filters.scans:
            self._start_scan()
            return
        self.paging.request()

    def set_filters(self, filters: Filters) -> None:
        """Apply new filters: back to the first page, fetched from the server."""
        if filters == self.filters:
            return
        self.filters = filters
        self.match_count.forget()
        self.paging.restart(from_end=False)
        self.info.show_filters()
        if filters.scans:
            self._start_scan()
            return
        self.scan.leave()
        self.paging.request()

    def action_focus_filter(self) -> None:
        self.query_one("#name-filter", Input).focus()

    def action_toggle_order(self) -> None:
        """Newest first / oldest first."""
        self.set_filters(replace(self.filters, order="asc" if self.filters.order == "desc" else "desc"))

    def action_cycle_sort(self) -> None:
        """Sort by name, then key, then type, then back to the server's order (by creation)."""
        cycle = ["", *SORTS]
        self.sort_by(cycle[(cycle.index(self.filters.sort) + 1) % len(cycle)])

    def sort_by(self, sort: str) -> None:
        """Sort the list by ``sort`` (one of ``SORTS``; "" for the server's order): every page is read."""
        self.set_filters(replace(self.filters, sort=sort))
        if sort:
            self.notify(f"Sorting by {sort}: every page the filters select is read first.", timeout=3)

    def action_clear_filters(self) -> None:
        """Drop every filter (order too) and go back to the top; while a property scan runs, stop it first."""
        if self.scan.scanning:
            self.scan.stop()
            return
        if self.match_count.counting:
            self.match_count.stop()
            return
        if self.marks.marking:
            self.marks.stop()
            return
        name_input = self.query_one("#name-filter", Input)
        self.filter_countdown.stop()
        with name_input.prevent(Input.Changed):
            name_input.value = ""
        # Now, not later as focus() does: once the table is loading it cannot take the focus.
        self.set_focus(self.table)
        self.set_filters(Filters())

    def action_filters(self) -> None:
        """Open the filter dialog: identifier key, type, project and order."""
        from identity_tui.tui.screens.filters import FilterScreen

        def done(result: Filters | None) -> None:
            if result is not None:
                self.set_filters(replace(result, name=self.filters.name))

        self.app.push_screen(FilterScreen(self.filters), done)

    @on(Input.Changed, "#name-filter")
    def _name_typed(self, event: Input.Changed) -> None:
        value = event.value
        self.filter_countdown.start(self.app.timing.filter_debounce, lambda: self._apply_name(value))

    def _apply_name(self, value: str) -> None:
        self.set_filters(replace(self.filters, name=value.strip()))

    @on(Input.Submitted, "#name-filter")
    def _name_submitted(self, event: Input.Submitted) -> None:
        self.filter_countdown.stop()
        # Now, not later as focus() does: once the table is loading it cannot take the focus.
        self.set_focus(self.table)
        self._apply_name(event.value)

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.focused is self.query_one("#name-filter", Input):
            event.stop()
            self.action_clear_filters()

    # -- the row under the cursor (the bodies are RowActions'), and new and export --------------

    @on(IdentityTable.RowSelected)
    def _row_selected(self, event: IdentityTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the identity under the cursor."""
        self.rows.post(OpenIdentity)

    def action_details(self) -> None:
        """All fields, properties, and the linked agents and blocks."""
        self.rows.post(ShowDetails)

    def action_raw_json(self) -> None:
        """The selected identity as the server sent it."""
        self.rows.post(ShowRawJson)

    def action_new(self) -> None:
        """Create an identity."""
        if self.app.readonly:
            self.notify("Read-only: creating is turned off.", severity="warning")
            return
        self.app.post_message(NewIdentity())

    def action_delete(self) -> None:
        """Delete the selected identity, after typing its identifier key."""
        self.rows.delete()

    def action_delete_marked(self) -> None:
        """Delete the marked identities, after their plan and their count typed."""
        self.batch_actions.delete()

    def action_export_marked(self) -> None:
        """Export the marked identities to a file."""
        self.batch_actions.export()

    # -- marks and the batch actions on them -----------------------------------------------------

    def action_toggle_mark(self) -> None:
        """Mark or unmark the identity under the cursor, then move down a row."""
        row = self.table.selected
        if not isinstance(row, IdentitySummary):  # the list's rows are summaries; nothing else is marked
            return
        self.marks.toggle(row)
        self.table.action_cursor_down()

    def action_mark_all(self) -> None:
        """Mark every identity the filters select (their pages are read; esc stops, keeping the marks)."""
        self.marks.mark_all(self.filters)

    def action_clear_marks(self) -> None:
        """Unmark every identity."""
        if self.marks.marking:
            self.marks.stop()
        n = self.marks.clear()
        if n:
            self.notify(f"Unmarked {n:,}.", timeout=3)

    def action_batch_property(self) -> None:
        """Set or remove one property on every marked identity, after its plan."""
        if not self.marks:
            self.notify("Mark identities first: space marks one, * every match.", timeout=4)
            return
        self.batch_actions.set_property()

    @on(MarkedSome)
    def _marked_some(self, message: MarkedSome) -> None:
        self.marks.marked_some(message)

    @on(MarkingEnded)
    def _marking_ended(self, message: MarkingEnded) -> None:
        self.marks.ended(message)

    def action_copy_id(self) -> None:
        """Copy the selected id through the terminal (OSC 52)."""
        self.rows.copy_id()

    def action_copy_json(self) -> None:
        """Copy the selected identity as JSON through the terminal (OSC 52)."""
        self.rows.copy_json()

    def action_count_matches(self) -> None:
        """Count what the filters select (the server counts only every identity): its pages are read."""
        self.match_count.start()

    def action_history(self) -> None:
        """The write journal's records of the selected identity, with undo."""
        self.rows.history()

    def action_export(self) -> None:
        """Export the identities the filters select to a file."""
        f = self.filters
        key_match = (f.key_match, f.identifier_key) if f.key_scanned else None
        self.app.post_message(ExportIdentities(f.query(), tuple(f.where), key_match))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "delete", "batch_property", "delete_marked") and self.app.readonly:
            return False
        if action in MARKED_ACTIONS:
            return bool(self.marks)  # out of the key bar until something is marked
        if action in ("delete", "export") and self.marks:
            return False  # d and x act on the marked while there are some
        return True

    def refresh_after_write(self, select_id: str | None = None) -> None:
        """Reload after a save, create or delete, keeping the given identity selected."""
        self.select_after_load = select_id
        self.action_refresh()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for this screen."""
        yield SystemCommand("Filter by name", "Focus the name filter", self.action_focus_filter)
        yield SystemCommand("Filters", "Filter by identifier key, type, project; order", self.action_filters)
        yield SystemCommand("Clear filters", "Show every identity again", self.action_clear_filters)
        yield SystemCommand("Toggle order", "Newest first / oldest first", self.action_toggle_order)
        for sort in SORTS:
            yield SystemCommand(f"Sort by {sort}", f"Read every page and sort by {sort}",
                                lambda sort=sort: self.sort_by(sort))
        yield SystemCommand("Server's order", "By creation, as the server lists them", lambda: self.sort_by(""))
        for t in ("org", "user", "other"):
            yield SystemCommand(
                f"Show type: {t}",
                f"Only identities of type {t}",
                lambda t=t: self.set_filters(replace(self.filters, identity_type=t)),
            )
        yield SystemCommand("Next page", "Load the next page", self.action_next_page)
        yield SystemCommand("Previous page", "Back one page", self.action_previous_page)
        yield SystemCommand("Last page", "Jump to the end of the list", self.action_last_page)
        yield SystemCommand("First page", "Back to the top of the list", self.action_first_page)
        yield SystemCommand("Refresh", "Reload from the server", self.action_refresh)
        yield SystemCommand("Count matches", "Count what the filters select (reads their pages)",
                            self.action_count_matches)
        yield SystemCommand("Open", "Open the selected identity", self.action_open)
        yield SystemCommand("Details", "Fields, properties, linked agents and blocks", self.action_details)
        yield SystemCommand("Raw JSON", "The selected identity as JSON", self.action_raw_json)
        yield SystemCommand("Copy id", "Copy the selected identity's id", self.action_copy_id)
        yield SystemCommand("Copy as JSON", "Copy the selected identity as JSON", self.action_copy_json)
        yield SystemCommand("Export identities…", "The identities the filters select, to a file", self.action_export)
        yield SystemCommand("History of this identity", "The writes of the selected identity", self.action_history)
        yield SystemCommand("Mark / unmark", "Mark the identity under the cursor (space)", self.action_toggle_mark)
        yield SystemCommand("Mark every match", "Mark every identity the filters select (*)", self.action_mark_all)
        if self.marks:
            yield SystemCommand("Unmark all", "Unmark every marked identity (u)", self.action_clear_marks)
            yield SystemCommand("Export marked…", "The marked identities, to a file (x)", self.action_export_marked)
        if not self.app.readonly:
            yield SystemCommand("New identity", "Create an identity", self.action_new)
            yield SystemCommand("Delete identity", "Delete the selected identity", self.action_delete)
            if self.marks:
                yield SystemCommand("Delete marked…", "Plan, then delete every marked identity (d)",
                                    self.action_delete_marked)
                yield SystemCommand("Set a property on marked…", "Set or remove one property on every marked "
                                    "identity (p)", self.action_batch_property)
