"""The list's words: the filter bar, and the line under the table saying which page and rows are shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from identity_tui.core.words import plural
from identity_tui.tui.keymap import bound_key

if TYPE_CHECKING:
    from identity_tui.tui.screens.list_base import ListBase
    from identity_tui.tui.screens.list_paging import Paging


class PageInfo:
    """The filter bar's summary and the line under the table, written from the list screen's state."""

    def __init__(self, screen: ListBase, paging: Paging) -> None:
        self.screen = screen
        self.paging = paging

    def show_filters(self) -> None:
        """The filter bar says what the filters (other than the name) select."""
        self.screen.query_one("#filter-summary", Static).update(Text(self.screen.filters.describe()))

    def key_of(self, binding_id: str) -> str | None:
        """The first key bound to a binding of the list, as a person presses it (keymap applied)."""
        screen = self.screen
        binding = next(b for b in screen.BINDINGS if isinstance(b, Binding) and b.id == binding_id)
        return bound_key(screen.app.keymap, binding_id, binding.key)

    def _hints(self, *hints: tuple[str, str]) -> str:
        """" · ] next · > last" for (binding id, word) pairs whose binding has a key."""
        out = ""
        for binding_id, word in hints:
            key = self.key_of(binding_id)
            if key is not None:
                out += f" · {key} {word}"
        return out

    def show_page(self) -> None:
        """The line says which page and rows the table shows, and the keys that page on from there."""
        screen = self.screen
        page_number, page_size = self.paging.page_number, screen.page_size
        rows = len(screen.table.identities)
        if self.paging.from_end:
            steps = page_number - 1
            where = "Last page" if steps == 0 else f"{plural(steps, 'page')} before the last"
            where += f" · {plural(rows, 'row')}"
            more = self._hints(("list.next_page", "next")) if steps else ""
            back = self._hints(("list.previous_page", "previous")) if rows == page_size else ""
            self.say(where + more + back + self._hints(("list.first_page", "first")))
            return
        start = (page_number - 1) * page_size
        if rows:
            span = f"row {start + 1}" if rows == 1 else f"rows {start + 1}–{start + rows}"
            where = f"Page {page_number} · {span}"
        else:
            new_key = self.key_of("list.new")
            if screen.filters.active:
                clear = self.key_of("list.clear_filters")
                where = f"Page {page_number} · no identities match the filters"
                where += f" ({clear} clears them)" if clear else ""
            elif page_number == 1 and not screen.app.readonly and new_key:
                where = f"No identities yet: {new_key} creates one"
            else:
                where = f"Page {page_number} · no identities"
        more = "" if rows < page_size else self._hints(("list.next_page", "next"), ("list.last_page", "last"))
        back = self._hints(("list.previous_page", "previous")) if page_number > 1 else ""
        self.say(where + more + back)

    def say(self, text: str | Text, error: bool = False) -> None:
        """Put ``text`` on the line under the table (in the error style when ``error``)."""
        info = self.screen.query_one("#page-info", Static)
        info.set_class(error, "error")
        # The line is one row high and full width whatever it says: no layout pass (that would lay
        # out and repaint the whole screen on every page turn).
        info.update(text if isinstance(text, Text) else Text(text), layout=False)
