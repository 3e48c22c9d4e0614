"""The list screen: one server page of identities at a time, filtered and ordered by the server."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from identity_tui.core.errors import (
    BadResponse,
    ConnectionFailed,
    CursorGone,
    LettaError,
    Unauthorized,
)
from identity_tui.core.summary import IdentitySummary
from identity_tui.tui.countdown import Countdown
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.list_info import PageInfo
from identity_tui.tui.screens.list_model import Filters, PageKey
from identity_tui.tui.screens.list_paging import PAGE_BINDINGS, Paging
from identity_tui.tui.screens.list_rows import RowActions
from identity_tui.tui.screens.list_scan import PropertyScan
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.key_bar import KeyBar
from identity_tui.tui.widgets.status_bar import StatusBar


class ListScreen(Paging, PropertyScan, PageInfo, RowActions, ReportsWorkerErrors, Screen):
    """Identities, a page at a time; keys to page, filter, open, create and delete."""

    AUTO_FOCUS = "IdentityTable"

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="list.filter"),
        Binding("f", "filters", "Filters", id="list.filters",
                tooltip="Filters, by property too"),
        Binding("o", "toggle_order", "Order", show=False, id="list.order"),
        Binding("n", "new", "New", id="list.new"),
        Binding("d", "delete", "Delete", id="list.delete"),
        Binding("i", "details", "Details", show=False, id="list.details"),
        Binding("y", "raw_json", "JSON", id="list.json"),
        Binding("c", "copy_id", "Copy id", show=False, id="list.copy_id"),
        Binding("x", "export", "Export", show=False, id="list.export"),
        Binding("h", "history", "History", show=False, id="list.history"),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False, id="list.refresh"),
        *PAGE_BINDINGS,
        Binding("escape", "clear_filters", "Clear filters", show=False, id="list.clear_filters"),
    ]

    class PageLoaded(Message):
        """A page came back from the server."""

        def __init__(self, key: PageKey, rows: list[IdentitySummary], prefetch: bool = False) -> None:
            super().__init__()
            self.key = key
            self.rows = rows
            self.prefetch = prefetch

    class PageFailed(Message):
        """Loading a page failed with a sentence to show."""

        def __init__(self, key: PageKey, error: LettaError) -> None:
            super().__init__()
            self.key = key
            self.error = error

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
        self._select_after_load: str | None = None
        self._connect_attempt = 1  # counts tries from the connect screen until a page loads

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
        self.query_one(StatusBar).set_connection(self.app.conn)
        self._update_filter_summary()
        self._set_loading(True)
        self._set_info("Connecting…")
        self._loading_key = self._key()
        self.connect()

    def _set_loading(self, loading: bool) -> None:
        """Cover the table with the loading indicator if the page is still not here after a moment."""
        if loading:
            self.loading_countdown.start(self.app.timing.loading_delay, self._show_loading)
            return
        self.loading_countdown.stop()
        self.table.loading = False

    def _show_loading(self) -> None:
        self.table.loading = True

    @property
    def table(self) -> IdentityTable:
        return self.query_one(IdentityTable)

    # -- workers: every network call lives here and answers with a message ----------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        """Check the server is a Letta server and load the first page, both at once, then the total."""
        client = self.app.client
        key = self._key()
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
        self.post_message(self.PageLoaded(key, outcomes[1]))
        self.load_count()

    async def _fetch(self, key: PageKey) -> list[IdentitySummary]:
        """One page from the server; a page counted from the end is asked for in reverse order."""
        query = key.filters.query()
        if key.from_end:
            query["order"] = "asc" if key.filters.order == "desc" else "desc"
        rows = await self.app.client.list_page(limit=key.limit, after=key.after, **query)
        if key.from_end:
            rows.reverse()
        return rows

    @work(exclusive=True, group="page", exit_on_error=False)
    async def load_page(self, key: PageKey) -> None:
        """Fetch one page; a newer request cancels this one."""
        try:
            rows = await self._fetch(key)
        except LettaError as exc:
            self.post_message(self.PageFailed(key, exc))
            return
        self.post_message(self.PageLoaded(key, rows))

    @work(exclusive=True, group="prefetch", exit_on_error=False)
    async def prefetch(self, key: PageKey) -> None:
        """Fetch the next page while the user reads this one; failures are silent."""
        try:
            rows = await self._fetch(key)
        except LettaError:
            return
        self.post_message(self.PageLoaded(key, rows, prefetch=True))

    @work(exclusive=True, group="count", exit_on_error=False)
    async def load_count(self) -> None:
        """Fetch the organization's total."""
        try:
            total = await self.app.client.count()
        except LettaError:
            total = None
        self.post_message(self.CountLoaded(total))

    # -- answers ------------------------------------------------------------------------------

    @on(PageLoaded)
    def _on_page_loaded(self, message: PageLoaded) -> None:
        self._remember(message.key, message.rows)
        if message.prefetch:
            return
        if message.key != self._key():
            return  # an answer to a question nobody is asking any more
        self._show(message.key, message.rows)

    def _show(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        table = self.table
        self._set_loading(False)
        table.show_page(rows)
        self._connect_attempt = 1
        if self._select_after_load:
            for i, identity in enumerate(rows):
                if identity.id == self._select_after_load:
                    table.move_cursor(row=i, animate=False)
                    break
            self._select_after_load = None
        self._update_info()
        self._page_shown(key, rows)

    @on(PageFailed)
    def _on_page_failed(self, message: PageFailed) -> None:
        if message.key != self._key():
            return  # a page left behind (first page, new filters): what is shown now is not its business
        error = message.error
        self._set_loading(False)
        self._loading_key = None
        self._queued_turns = 0
        if isinstance(error, CursorGone):
            self.notify(error.message, severity="warning", markup=False)
            self._restart_paging(from_end=False, forget=True)
            self._request_page()
            return
        if self._shown is None and isinstance(error, (ConnectionFailed, Unauthorized, BadResponse)):
            self._open_connect_screen(error)
            return
        self._set_info(Text(error.message, style="bold"), error=True)
        self.notify(error.message, title="Could not load identities", severity="error", markup=False)

    @on(CountLoaded)
    def _on_count(self, message: CountLoaded) -> None:
        self.total = message.total
        self.app.total = message.total
        self.query_one(StatusBar).set_total(message.total)

    def _open_connect_screen(self, error: LettaError) -> None:
        from identity_tui.tui.screens.connect import ConnectScreen

        self._set_info(Text(error.message), error=True)
        focus = "token" if isinstance(error, Unauthorized) else "url" if isinstance(error, BadResponse) else "retry"
        screen = ConnectScreen(error.message, self.app.conn, focus, attempt=self._connect_attempt)
        self.app.push_screen(screen, self._after_connect_screen)

    async def _after_connect_screen(self, result: object) -> None:
        if result is None:
            return
        self._connect_attempt += 1
        await self.app.reconnect(result)
        self.query_one(StatusBar).set_connection(self.app.conn)
        self._restart_paging(from_end=False, forget=True)
        self._set_loading(True)
        self._set_info("Connecting…")
        self.connect()

    # -- filtering (the paging is in list_paging) ---------------------------------------------

    def action_refresh(self) -> None:
        """Reload this page and the total from the server."""
        self.forget_pages()
        self._queued_turns = 0
        self.load_count()
        if self.filters.where:
            self.start_scan()
            return
        self._request_page()

    def set_filters(self, filters: Filters) -> None:
        """Apply new filters: back to the first page, fetched from the server."""
        if filters == self.filters:
            return
        self.filters = filters
        self._restart_paging(from_end=False)
        self._update_filter_summary()
        if filters.where:  # the server cannot filter on properties: scan its pages for them
            self.start_scan()
            return
        self.leave_scan()
        self._request_page()

    def action_focus_filter(self) -> None:
        self.query_one("#name-filter", Input).focus()

    def action_toggle_order(self) -> None:
        """Newest first / oldest first."""
        self.set_filters(replace(self.filters, order="asc" if self.filters.order == "desc" else "desc"))

    def action_clear_filters(self) -> None:
        """Drop every filter (order too) and go back to the top; while a property scan runs, stop it first."""
        if self.scanning:
            self.stop_scan()
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

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#name-filter", Input):
            event.stop()
            self.action_clear_filters()

    # -- row actions --------------------------------------------------------------------------

    @on(IdentityTable.RowSelected)
    def _row_selected(self, event: IdentityTable.RowSelected) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "delete") and self.app.readonly:
            return False
        return True

    def refresh_after_write(self, select_id: str | None = None) -> None:
        """Reload after a save, create or delete, keeping the given identity selected."""
        self._select_after_load = select_id
        self.action_refresh()
