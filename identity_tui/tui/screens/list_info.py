"""The list's words: the filter bar, and the line under the table saying which page and rows are shown."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from identity_tui.core.words import plural
from identity_tui.tui.keymap import bound_key


class PageInfo:
    """Mixed into the list screen, which has ``filters``, ``table``, ``page_size``, ``page_number``,
    ``from_end`` and ``BINDINGS``."""

    def _update_filter_summary(self) -> None:
        self.query_one("#filter-summary", Static).update(Text(self.filters.describe()))

    def _key_of(self, binding_id: str) -> str | None:
        """The first key bound to a binding of this screen, as a person presses it (keymap applied)."""
        binding = next(b for b in self.BINDINGS if b.id == binding_id)
        return bound_key(getattr(self.app, "keymap", {}), binding_id, binding.key)

    def _hints(self, *hints: tuple[str, str]) -> str:
        """" · ] next · > last" for (binding id, word) pairs whose binding has a key."""
        out = ""
        for binding_id, word in hints:
            key = self._key_of(binding_id)
            if key is not None:
                out += f" · {key} {word}"
        return out

    def _update_info(self) -> None:
        rows = len(self.table.identities)
        if self.from_end:
            steps = self.page_number - 1
            where = "Last page" if steps == 0 else f"{plural(steps, 'page')} before the last"
            where += f" · {plural(rows, 'row')}"
            more = self._hints(("list.next_page", "next")) if steps else ""
            back = self._hints(("list.previous_page", "previous")) if rows == self.page_size else ""
            self._set_info(where + more + back + self._hints(("list.first_page", "first")))
            return
        start = (self.page_number - 1) * self.page_size
        if rows:
            span = f"row {start + 1}" if rows == 1 else f"rows {start + 1}–{start + rows}"
            where = f"Page {self.page_number} · {span}"
        else:
            new_key = self._key_of("list.new")
            if self.filters.active:
                clear = self._key_of("list.clear_filters")
                where = f"Page {self.page_number} · no identities match the filters"
                where += f" ({clear} clears them)" if clear else ""
            elif self.page_number == 1 and not self.app.readonly and new_key:
                where = f"No identities yet: {new_key} creates one"
            else:
                where = f"Page {self.page_number} · no identities"
        more = "" if rows < self.page_size else self._hints(("list.next_page", "next"), ("list.last_page", "last"))
        back = self._hints(("list.previous_page", "previous")) if self.page_number > 1 else ""
        self._set_info(where + more + back)

    def _set_info(self, text: str | Text, error: bool = False) -> None:
        info = self.query_one("#page-info", Static)
        info.set_class(error, "error")
        # The line is one row high and full width whatever it says: no layout pass (that would lay
        # out and repaint the whole screen on every page turn).
        info.update(text if isinstance(text, Text) else Text(text), layout=False)
