"""The edit form's find: ctrl+f (or / outside a text field) opens the find bar, and what is typed there moves
the cursor row, and the live row with it, to the first row whose key or value holds it.

A mixin for ``EditForm`` (which holds the bindings and the bar). Every look is one pass over the model's
texts (``core.row_find``), never over widgets; the grid highlights the term while the bar is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widget import Widget

from identity_tui.core.property_rows import PropertyRows
from identity_tui.core.row_find import Found, find_hits, first_from, found_words, step
from identity_tui.tui.widgets.find_bar import FindBar
from identity_tui.tui.widgets.live_row import LiveRow
from identity_tui.tui.widgets.property_grid import PropertyGrid

if TYPE_CHECKING:
    Base = Widget  # what the mixin is mixed into, for the type checker
else:
    Base = object

# Bound on the form: ctrl+f anywhere in it; / too, but only where it is not typed (outside a text field).
FIND_BINDINGS = [
    Binding("ctrl+f", "find", "Find", show=False, priority=True, id="edit.find",
            tooltip="Find in the property keys and values (/ too, outside a text field)"),
    Binding("slash", "find", "Find", show=False, id="edit.find_slash"),
    Binding("f3", "find_next", "Next match", show=False, id="edit.find_next"),
    # xterm-style terminals (tmux, GNOME, iTerm2) send shift+F3 as F15; in the bar, up and down work too.
    Binding("shift+f3,f15", "find_previous", "Previous match", show=False, id="edit.find_previous"),
]


@dataclass
class FindState:
    """Where a find started and where it stands."""

    origin: int = 0  # the row the cursor was on when the bar opened: a find starts there
    found: str | None = None  # the part ("key", "value") of the row found, None while nothing is
    back: str | None = None  # where the keyboard was before the bar opened (``focus_path``)


class FindCommands(Base):
    """ctrl+f, /, F3 and shift+F3 of the edit form, and what the find bar says."""

    model: PropertyRows
    find_bar: FindBar
    find_state: FindState

    @property
    def grid(self) -> PropertyGrid:
        raise NotImplementedError

    @property
    def live(self) -> LiveRow:
        raise NotImplementedError

    def go_to_row(self, index: int) -> None:
        raise NotImplementedError

    def focus_path(self, focused: Widget | None) -> str | None:
        raise NotImplementedError

    def widget_for(self, name: str) -> Widget | None:
        raise NotImplementedError

    def focus_name(self) -> None:
        raise NotImplementedError

    def action_find(self) -> None:
        """Open the find bar (ctrl+f, or / outside a text field); the text in it is looked up again."""
        self._open_bar()
        if self.find_bar.term:
            self._find_from(self.find_state.origin)

    def _open_bar(self) -> None:
        """Show the bar with the keyboard in it; a find starts from the cursor row."""
        bar = self.find_bar
        state = self.find_state
        if not bar.is_open:
            focused = self.screen.focused
            inside = focused is not None and bar in focused.ancestors_with_self
            state.back = None if inside else self.focus_path(focused)
            state.origin = self.grid.cursor
            state.found = None
        bar.open()

    def action_find_next(self) -> None:
        """F3: the next row holding the text (round to the top past the last)."""
        self._step(backwards=False)

    def action_find_previous(self) -> None:
        """shift+F3: the row before holding the text (round to the bottom past the first)."""
        self._step(backwards=True)

    def _step(self, *, backwards: bool) -> None:
        bar = self.find_bar
        if not bar.is_open:
            self._open_bar()  # F3 from a row: the bar shows where it lands
        if not bar.term:
            return
        self.live.flush()  # a row typed in since is looked at as it is now
        found = step(find_hits(self.model.views(), bar.term), self.grid.cursor, backwards=backwards)
        self._land(found, backwards=backwards)

    def _find_from(self, start: int) -> None:
        self.live.flush()
        self._land(first_from(find_hits(self.model.views(), self.find_bar.term), start))

    def _land(self, found: Found, *, backwards: bool = False) -> None:
        """Put the cursor row on what was found, highlight the term, and say where it landed."""
        bar = self.find_bar
        state = self.find_state
        self.grid.search = bar.term
        if not bar.term:
            bar.say("")
            state.found = None
            return
        bar.say(found_words(found, backwards=backwards), none=found.hit is None)
        if found.hit is None:
            state.found = None
            return
        state.found = found.hit.part
        self.go_to_row(found.hit.index)

    # Handlers by name: Textual reads ``@on`` only from classes it makes, and this mixin is not one.
    def on_find_bar_changed(self, event: FindBar.Changed) -> None:
        event.stop()
        self._find_from(self.find_state.origin)

    def on_find_bar_step(self, event: FindBar.Step) -> None:
        event.stop()
        self._step(backwards=event.backwards)

    def on_find_bar_closed(self, event: FindBar.Closed) -> None:
        """esc in the bar: the keyboard goes to the part of the row found (or back where it was), the bar hides."""
        event.stop()
        self.close_find()

    def close_find(self) -> None:
        """Hide the find bar, the keyboard on what was found (or back where it was before it opened)."""
        bar = self.find_bar
        if not bar.is_open:
            return
        state = self.find_state
        part, back = state.found, state.back
        screen = self.screen
        target: Widget | None = None
        if part is not None and len(self.model):
            self.live.follow()
            target = self.live.part(part)
        elif back is not None and back.startswith("#"):
            found = self.query(back)
            target = found.first() if found else None
        elif back is not None:
            target = self.widget_for(back)  # a row's part by its name: the editors may hold another row by now
        if target is None or not target.focusable or not target.display:
            target = self.live.part("key") if part is not None and len(self.model) else None
        if target is not None:
            screen.set_focus(target, scroll_visible=False)
        else:
            self.focus_name()
        bar.close()
        self.grid.search = ""
