"""The conflict dialog: fields someone else changed too since the form was loaded, each shown as base, theirs
and mine, each decided by keep mine or take theirs. Nothing is sent until every row is decided."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from identity_tui.core.conflict import ABSENT, MINE, THEIRS, Conflict
from identity_tui.core.display import one_line
from identity_tui.core.draft import DraftProperty
from identity_tui.core.fields import LABELS, ORDER
from identity_tui.core.form import value_text
from identity_tui.core.jsontext import dumps
from identity_tui.core.kinds import PropertyType
from identity_tui.tui.form_model import change_list
from identity_tui.tui.screens.dialog import Dialog

KEYS_HINT = "↑↓ row · m or ← keep mine · t or → take theirs · M/T all · enter continue · esc back (nothing sent)"


def conflict_title(conflict: Conflict) -> str:
    """``Name``, ``Property 'age'`` or ``Order of the properties``."""
    if conflict.field == ORDER:
        return "Order of the properties"
    if conflict.key is not None:
        return f"Property '{one_line(conflict.key, 40)}'"
    return LABELS.get(conflict.field, conflict.field)


def shown_value(value: Any, *, absent: str, width: int = 60) -> str:
    """One printable line for a version of a field: text, ``number 42``, a key list, or what absence means."""
    if value is ABSENT:
        return absent
    if isinstance(value, DraftProperty):
        v = value.value
        if isinstance(v, str):
            text = v if v.strip() else repr(v)  # blank text shown as '' or '  ', not as nothing
        elif isinstance(v, (dict, list)):
            text = dumps(v)
        else:
            text = value_text(value.type, v)
        return one_line(f"{PropertyType(value.type).value}  {text}", width)
    if isinstance(value, tuple):
        return one_line(", ".join(value) or "(no properties)", width)
    return one_line(str(value), width)


class ConflictRow(Static, can_focus=True):
    """One conflicting field: its three versions, the chosen one marked."""

    choice: reactive[str | None] = reactive(None)

    def __init__(self, conflict: Conflict) -> None:
        super().__init__(classes="conflict-row")
        self.conflict = conflict

    def render(self) -> Text:
        c = self.conflict
        width = max(20, self.size.width - 14)
        text = Text()
        text.append(conflict_title(c), style="bold")
        decided = {MINE: "  ✓ keep mine", THEIRS: "  ✓ take theirs", None: "  ? choose m or t"}[self.choice]
        text.append(decided, style="bold" if self.choice else "italic")
        lines = (
            (None, "was", c.base, "(did not exist)"),
            (THEIRS, "theirs", c.theirs, "(deleted)"),
            (MINE, "mine", c.mine, "(deleted)"),
        )
        for side, label, value, absent in lines:
            chosen = side is not None and side == self.choice
            text.append("\n")
            text.append("▶ " if chosen else "  ")
            text.append(f"{label:<7} ", style="bold" if chosen else "dim")
            text.append(shown_value(value, absent=absent, width=width), style="reverse" if chosen else "")
        return text

    def watch_choice(self) -> None:
        self.set_class(self.choice is not None, "-decided")


class ConflictScreen(Dialog[dict[str, str] | None]):
    """Answers ``{field: "mine" | "theirs"}`` once every row is decided, or None (esc: nothing is sent)."""

    BOX_ID = "conflict-box"

    BINDINGS = [
        Binding("m,left", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t,right", "choose('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("M", "choose_all('mine')", "All mine", show=False, id="conflict.all_mine"),
        Binding("T", "choose_all('theirs')", "All theirs", show=False, id="conflict.all_theirs"),
        Binding("down,j", "move(1)", "Next", show=False, id="conflict.next"),
        Binding("up,k", "move(-1)", "Previous", show=False, id="conflict.previous"),
        Binding("enter", "done", "Continue", id="conflict.done"),
        Binding("escape", "close", "Back to the form", id="conflict.cancel"),
    ]

    def __init__(self, conflicts: tuple[Conflict, ...] | list[Conflict], *, kept: list[str] | None = None) -> None:
        super().__init__("Changed on the server meanwhile", hint=KEYS_HINT)
        self.conflicts = tuple(conflicts)
        self.kept = kept or []

    def compose_body(self) -> ComposeResult:
        n = len(self.conflicts)
        overlap = "one of your changes overlaps" if n == 1 else f"{n} of your changes overlap"
        about = (f"Someone saved this identity after you opened it, and {overlap} with theirs. Choose for each {'row' if n == 1 else 'of the rows'}; nothing is "
                 "sent until all are chosen.")
        if self.kept:
            about += f" Their other changes are kept: {change_list(self.kept)}."
        yield Static(Text(about), id="conflict-about")
        with VerticalScroll(id="conflict-rows"):
            for conflict in self.conflicts:
                yield ConflictRow(conflict)
        yield Static("", id="conflict-message")

    def on_mount(self) -> None:
        self.rows[0].focus()

    @property
    def rows(self) -> list[ConflictRow]:
        return list(self.query(ConflictRow))

    def _focused_row(self) -> ConflictRow:
        focused = self.focused
        return focused if isinstance(focused, ConflictRow) else self.rows[0]

    def action_choose(self, side: str) -> None:
        """Decide the focused row, then move to the next undecided one."""
        row = self._focused_row()
        row.choice = side
        self._say("")
        undecided = [r for r in self.rows if r.choice is None]
        if undecided:
            after = [r for r in undecided if self.rows.index(r) > self.rows.index(row)]
            target = (after or undecided)[0]
            target.focus()
            target.scroll_visible(animate=False)

    def action_choose_all(self, side: str) -> None:
        for row in self.rows:
            row.choice = side
        self._say("")

    def action_move(self, step: int) -> None:
        rows = self.rows
        index = rows.index(self._focused_row())
        target = rows[max(0, min(len(rows) - 1, index + step))]
        target.focus()
        target.scroll_visible(animate=False)

    def action_done(self) -> None:
        undecided = [r for r in self.rows if r.choice is None]
        if undecided:
            n = len(undecided)
            self._say(f"{n} row{'s' if n > 1 else ''} still to choose: m keeps yours, t takes theirs.")
            undecided[0].focus()
            undecided[0].scroll_visible(animate=False)
            return
        self.dismiss({r.conflict.field: str(r.choice) for r in self.rows})

    def _say(self, text: str) -> None:
        self.query_one("#conflict-message", Static).update(Text(text))
