"""What the list screen's helpers (its paging, its property scan, its row actions, its info line) see of it.

``ListScreen`` composes the helpers and is the one ``ListBase``; the helpers are typed against this class, so
none of them imports the screen that imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from identity_tui.tui.screens.base import AppScreen
from identity_tui.tui.widgets.identity_table import IdentityTable

if TYPE_CHECKING:
    from rich.text import Text

    from identity_tui.core.summary import IdentitySummary
    from identity_tui.tui.screens.list_model import Filters, PageKey


class ListBase(AppScreen[None]):
    """The list screen's state and the moves its helpers ask of it."""

    page_size: int
    filters: Filters
    total: int | None
    select_after_load: str | None  # set by a write: the identity to select once its row is in

    @property
    def table(self) -> IdentityTable:
        return self.query_one(IdentityTable)

    def show_page(self, key: PageKey, rows: list[IdentitySummary]) -> None:
        """Put a page's rows in the table and say which it is."""
        raise NotImplementedError

    def set_table_loading(self, loading: bool) -> None:
        """Cover the table with the loading indicator if the page is still not here after a moment."""
        raise NotImplementedError

    def say(self, text: str | Text, *, error: bool = False) -> None:
        """One line under the table: which page is shown, or what went wrong."""
        raise NotImplementedError
