"""The top line: where we are connected (never the token) and how many identities there are."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from identity_tui.core.config import Connection
from identity_tui.core.display import one_line
from identity_tui.core.words import plural


class StatusBar(Widget):
    """App name, connection label and badges on the left; the server's total on the right (one line)."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
    }
    StatusBar > .status-bar--total {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {"status-bar--total"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.where = Text("identity-tui", style="bold")
        self.total = Text("")
        self.matches = Text("")  # how many the filters select, when counted on request
        self.marks = Text("")  # how many identities are marked, or how a marking of every match goes

    def set_connection(self, conn: Connection) -> None:
        """Show the profile or host, with sandbox / read-only / TLS-off badges."""
        text = Text("identity-tui", style="bold")
        text.append("  ")
        text.append(one_line(conn.label, 40))
        badges = []
        if conn.sandbox is not None:
            badges.append("sandbox")
        if conn.readonly:
            badges.append("read-only")
        if not conn.verify_tls and conn.sandbox is None:
            badges.append("TLS unverified")
        for badge in badges:
            text.append("  ")
            text.append(f" {badge} ", style="reverse")
        self.where = text
        self.refresh()

    def set_total(self, total: int | None) -> None:
        """Show the organization's total (``/count`` ignores filters, so it says 'in all')."""
        self.total = Text("total unknown" if total is None else f"{plural(total, 'identity', 'identities')} in all")
        self.refresh()

    def clear_total(self) -> None:
        """Say no total until the new server's comes (after a switch): another server's would mislead."""
        self.total = Text("")
        self.matches = Text("")
        self.refresh()

    def set_matches(self, matches: Text | None) -> None:
        """Show how many the filters select (counted on request) before the total; None hides it."""
        self.matches = matches or Text("")
        self.refresh()

    def set_marks(self, marks: Text | None) -> None:
        """Show how many are marked (or how marking every match goes) first on the right; None hides it."""
        self.marks = marks or Text("")
        self.refresh()

    def render(self) -> Text:
        width = self.content_size.width
        total = Text()
        for part in (self.marks, self.matches):
            if part:
                total.append_text(part)
                total.append(" · ")
        total.append_text(self.total)
        total.stylize(self.get_component_rich_style("status-bar--total", partial=True))
        where = self.where.copy()
        where.truncate(max(0, width - total.cell_len - 2), overflow="ellipsis")
        line = Text(no_wrap=True, end="")
        line.append_text(where)
        line.append(" " * max(1, width - where.cell_len - total.cell_len))
        line.append_text(total)
        return line
