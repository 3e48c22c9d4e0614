"""The picker: find an agent by name, or a memory block by label or value, on the server, as you type.

ctrl+t goes round the three searches; the answer is ``(kind, agent or block)``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from identity_tui.core.errors import LettaError
from identity_tui.core.words import plural
from identity_tui.tui.countdown import Countdown
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.dialog import Dialog
from identity_tui.tui.widgets.links import NOUNS, LinkTable

PAGE = 20  # results asked for at a time; more come on scrolling to the last one, or ctrl+n
MODES = (("agent", "name"), ("block", "label"), ("block", "value"))  # what ctrl+t goes round


class LinkPickerScreen(ReportsWorkerErrors, Dialog[tuple[str, dict] | None]):
    """Searches the server as you type (debounced, paged); enter picks, esc cancels. Answers the agent or block."""

    BOX_ID = "pick-box"
    TITLE_ID = "pick-title"
    # Its own rules stay here, beneath the app's stylesheets: moved into dialogs.tcss the picker looks the
    # same, but the styles its pinned snapshot records differ.
    DEFAULT_CSS = """
    LinkPickerScreen #pick-box { height: auto; max-height: 100%; }
    LinkPickerScreen #pick-query {
        margin-bottom: 1;
        background: $boost;
        /* A frame drawn with glyphs, not colour: it shows with NO_COLOR and in the ansi themes too. */
        border-left: vkey $foreground 50%;
        border-right: vkey $foreground 50%;
    }
    LinkPickerScreen #pick-query:focus { border-left: vkey $accent; border-right: vkey $accent; }
    LinkPickerScreen #pick-results { height: auto; max-height: 12; }
    LinkPickerScreen #pick-status { height: 1; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="picker.cancel"),
        Binding("enter", "pick", "Pick", priority=True, id="picker.pick"),
        Binding("ctrl+t", "toggle_field", "Agents/blocks", id="picker.toggle"),
        Binding("ctrl+n,pagedown", "more", "More", id="picker.more"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
    ]

    def __init__(self, kind: str, linked_ids: dict[str, set[str]] | None = None) -> None:
        super().__init__(self._title(kind), hint="type to search · ↑↓ choose · enter link · ctrl+n more · esc cancel\n"
                                                 "ctrl+t: agents by name, blocks by label, blocks by value")
        self.kind = kind
        self.field = "name" if kind == "agent" else "label"  # what the text is looked for in
        self.linked_ids = linked_ids or {}
        self.more_after: str | None = None  # the cursor for the next page, when there may be one
        # Typing searches once it pauses (the app's filter debounce), never once per key.
        self.search_countdown = Countdown(self)
        self._query = ""

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder(), id="pick-query", compact=True)
        table = LinkTable(self.kind, detail=self._detail(), width=30, id="pick-results")
        table.marked = self.linked_ids.get(self.kind, set())
        yield table
        yield Static("", id="pick-status")

    @staticmethod
    def _title(kind: str) -> str:
        singular = NOUNS[kind][0]
        return f"Link {'an' if singular[0] in 'aeiou' else 'a'} {singular}"

    def _detail(self) -> str:
        return "id" if self.kind == "agent" else "value"

    def _placeholder(self) -> str:
        return f"{NOUNS[self.kind][0]} {self.field} contains…"

    @property
    def results(self) -> LinkTable:
        return self.query_one("#pick-results", LinkTable)

    def on_mount(self) -> None:
        self.query_one("#pick-query", Input).focus()
        self._start("")

    # -- searching ------------------------------------------------------------------------------

    @on(Input.Changed, "#pick-query")
    def _typed(self, event: Input.Changed) -> None:
        value = event.value
        self.search_countdown.start(self.app.timing.filter_debounce, lambda: self._start(value))

    def _start(self, query: str) -> None:
        self._query = query.strip()
        self.more_after = None
        self._set_status("Searching…")
        self.search(self._query, None)

    @work(exclusive=True, group="pick", exit_on_error=False)
    async def search(self, query: str, after: str | None) -> None:
        """One page of results; a newer search cancels this one (so its rows never land)."""
        client = self.app.client
        try:
            if self.kind == "agent":
                page = await client.search_agents(query_text=query or None, limit=PAGE, after=after)
            elif self.field == "label":
                page = await client.search_blocks(label_search=query or None, limit=PAGE, after=after)
            else:
                page = await client.search_blocks(value_search=query or None, limit=PAGE, after=after)
        except LettaError as exc:
            self._set_status(exc.message, error=True)
            return
        table = self.results
        table.show(page, append=after is not None)
        self.more_after = page[-1].get("id") if len(page) == PAGE else None
        self._show_count()

    def _show_count(self) -> None:
        singular, plural_noun = NOUNS[self.kind]
        count = len(self.results.items)
        if count == 0:
            where = f" by {self.field}" if self.kind == "block" else ""
            self._set_status(f"No {plural_noun} match{where}." if self._query else f"No {plural_noun} on the server.")
            return
        text = plural(count, singular, plural_noun) + (" so far · ctrl+n more" if self.more_after else "")
        self._set_status(text)

    def _set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#pick-status", Static)
        status.set_class(error, "error")
        status.update(Text(text))

    def action_more(self) -> None:
        """The next page of results, below the ones shown."""
        if self.more_after is not None and not self._searching():
            self._set_status("Loading more…")
            self.search(self._query, self.more_after)

    def _searching(self) -> bool:
        return any(w.node is self and w.group == "pick" and w.is_running for w in self.workers)

    @on(DataTable.RowHighlighted, "#pick-results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row == len(self.results.items) - 1:
            self.action_more()  # scrolled to the last result: fetch the next page

    def action_toggle_field(self) -> None:
        """The next search: agents by name, blocks by label, blocks by value, and round again."""
        kind, self.field = MODES[(MODES.index((self.kind, self.field)) + 1) % len(MODES)]
        table = self.results
        if kind != self.kind:
            self.kind = kind
            self.workers.cancel_group(self, "pick")  # its rows are of the other kind
            table.set_kind(kind, self._detail())
            table.marked = self.linked_ids.get(kind, set())
            self.show_heading(self._title(kind))
        box = self.query_one("#pick-query", Input)
        box.placeholder = self._placeholder()
        self._start(box.value)

    def action_move(self, step: int) -> None:
        table = self.results
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    # -- answers --------------------------------------------------------------------------------

    def action_pick(self) -> None:
        """Answer the highlighted agent or block; text typed and not searched yet is searched first."""
        # The app's key gate hands enter on only once the keys typed ahead of it are in the box: a row found
        # for older text is never picked.
        self._pick()

    def _pick(self) -> None:
        value = self.query_one("#pick-query", Input).value
        if value.strip() != self._query:
            self.search_countdown.stop()
            self._start(value)
            return
        if self._searching():
            self.app.bell()  # the rows shown are not the answer to what is typed yet
            return
        item = self.results.selected
        if item is None or not isinstance(item.get("id"), str):
            self.app.bell()
            return
        self.dismiss((self.kind, item))

    @property
    def found(self) -> list[dict[str, Any]]:
        """The results listed so far."""
        return list(self.results.items)
