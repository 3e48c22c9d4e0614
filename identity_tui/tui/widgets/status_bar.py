"""The top line: where we are connected (never the token) and how many identities there are."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from identity_tui.core.config import Connection
from identity_tui.core.display import one_line


class StatusBar(Horizontal):
    """App name, connection label and badges on the left; the server's total on the right."""

    def compose(self) -> ComposeResult:
        yield Static("identity-tui", id="where")
        yield Static("", id="total")

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
        self.query_one("#where", Static).update(text)

    def set_total(self, total: int | None) -> None:
        """Show the organization's total (``/count`` ignores filters, so it says 'in all')."""
        label = "total unknown" if total is None else f"{total:,} identities in all"
        self.query_one("#total", Static).update(Text(label))
