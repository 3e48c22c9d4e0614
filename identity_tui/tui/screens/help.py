"""The help screen: every key binding of the screen underneath and of the app, from the live bindings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from identity_tui.tui.app_base import AppBase
from identity_tui.tui.keymap import keys_label
from identity_tui.tui.screens.dialog import Dialog


def collect(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, id) for the screen, its focusable widgets and the app, keymap applied."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    keymap = screen.app.keymap if isinstance(screen.app, AppBase) else {}
    sources = [screen] + list(screen.query("*")) + [screen.app]
    for node in sources:
        for binding in getattr(type(node), "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
                continue
            seen.add(binding.id)
            keys = keymap.get(binding.id, binding.key)
            # The tooltip, when there is one, is the longer description (the key bar shows the short one).
            rows.append((keys_label(keys), binding.tooltip or binding.description or binding.action, binding.id))
    return rows


ACTION_WIDTH = 30  # cells for an action's words in the table


class HelpScreen(Dialog[None]):
    """Lists every binding; esc, q, ? or F1 closes it."""

    BOX_ID = "help-box"

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__("Keys", hint="Also: ctrl+p or : opens the command palette with every action.  esc closes.")
        self.rows = collect(under)

    def compose_body(self) -> ComposeResult:
        table: DataTable = DataTable(cursor_type="row", id="help-table")
        # The action's words are cut at ACTION_WIDTH (with …), so the ids stay in view at 80 columns.
        longest = max((len(description) for _, description, _ in self.rows), default=0)
        table.add_column(Text("Key"))
        table.add_column(Text("Action"), width=min(longest, ACTION_WIDTH))
        table.add_column(Text("Id (for [keymap])"))
        for keys, description, binding_id in self.rows:
            words = description if len(description) <= ACTION_WIDTH else description[:ACTION_WIDTH - 1] + "…"
            table.add_row(Text(keys), Text(words), Text(binding_id, style="dim"))
        yield table
