"""The edit form's keys for its rows: tab walking the rows, and adding, deleting, moving and retyping them.

A mixin for ``EditForm`` (which holds the bindings): the rows are a model drawn by a grid with one live row
of editors over the cursor row, so moving between rows and changing them is worked out here, at once, inside
the key's handler; keys typed straight after land where they would typed slowly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.widget import Widget

from identity_tui.core.display import one_line
from identity_tui.core.fields import PARTS
from identity_tui.core.form import next_type
from identity_tui.core.kinds import PropertyType
from identity_tui.core.property_rows import PropertyRows
from identity_tui.tui.widgets.live_row import LiveRow
from identity_tui.tui.widgets.property_grid import PropertyGrid
from identity_tui.tui.widgets.value_editors import edit_externally

# The command palette's entries for the rows: the form's action each runs, its title and its help.
PALETTE = {
    "add_property": ("Add property", "A new row at the end (ctrl+n)"),
    "delete_property": ("Delete property", "Remove the focused row (ctrl+d)"),
    "move_up": ("Move property up", "The focused row (alt+up)"),
    "move_down": ("Move property down", "The focused row (alt+down)"),
    "cycle_type": ("Change property type", "string, number, boolean, json (ctrl+t)"),
    "external_editor": ("Edit value in $EDITOR", "The focused value (F4)"),
}
WRITES = frozenset(PALETTE)

if TYPE_CHECKING:
    Base = Widget  # what the mixin is mixed into, for the type checker
else:
    Base = object


class RowCommands(Base):
    """Tab through the rows and the row commands (ctrl+n, ctrl+d, ctrl+t, alt+arrows, F4) of the edit form."""

    model: PropertyRows
    readonly: bool

    @property
    def grid(self) -> PropertyGrid:
        raise NotImplementedError

    @property
    def live(self) -> LiveRow:
        raise NotImplementedError

    def go_to_row(self, index: int) -> None:
        raise NotImplementedError

    def refresh_marks(self) -> None:
        raise NotImplementedError

    def say(self, text: str, error: bool = False) -> None:
        """A sentence for the line under the form."""
        raise NotImplementedError

    # -- tab ----------------------------------------------------------------------------------

    def action_next_field(self) -> None:
        """Tab: the next field; from a row's value to the next row's key, and into the rows at the first."""
        self._walk(1)

    def action_previous_field(self) -> None:
        """Shift+tab: the field before; from a row's key to the row above's value, into the rows at the last."""
        self._walk(-1)

    def _walk(self, step: int) -> None:
        """Move the focus ``step`` fields on, walking the rows by hand.

        Textual orders focus by where widgets were last laid out, and the live row's editors are swapped in
        and out with each row's type: inside and out of the rows the order is worked out here, at once, so
        keys typed straight after land where they would typed slowly.
        """
        live = self.live
        screen = self.screen
        focused = screen.focused
        part = live.part_of(focused)
        if part is not None:
            parts = list(PARTS)
            at = parts.index(part) + step
            while 0 <= at < len(parts):
                target = live.part(parts[at])
                if target.focusable:
                    screen.set_focus(target, scroll_visible=False)
                    return
                at += step
            if 0 <= self.grid.cursor + step < len(self.model):
                live.move(step)
                self._focus_row_part(parts[0] if step > 0 else parts[-1], step)
                return
        chain = screen.focus_chain
        outside = [widget for widget in chain if live.part_of(widget) is None]
        inside = [i for i, widget in enumerate(chain) if live.part_of(widget) is not None]
        if part is not None:
            # Out of the rows: the field after (or before) where the rows stand in the focus order.
            before = sum(1 for widget in chain[:inside[0]] if live.part_of(widget) is None) if inside else 0
            if outside:
                screen.set_focus(outside[(before if step > 0 else before - 1) % len(outside)])
            return
        if focused is None or focused not in chain:
            screen.focus_next() if step > 0 else screen.focus_previous()
            return
        following = chain[(chain.index(focused) + step) % len(chain)]
        if live.part_of(following) is None:
            screen.set_focus(following)
        elif len(self.model):
            # Into the rows: the first row's key from above, the last row's value from below.
            self.go_to_row(0 if step > 0 else len(self.model) - 1)
            self._focus_row_part("key" if step > 0 else "value", step)

    def _focus_row_part(self, part: str, step: int) -> None:
        """Focus ``part`` of the cursor row, or the nearest part past it that can take the focus."""
        parts = list(PARTS)
        at = parts.index(part)
        while 0 <= at < len(parts):
            target = self.live.part(parts[at])
            if target.focusable:
                self.screen.set_focus(target, scroll_visible=False)
                return
            at += step

    # -- row actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.readonly and action in WRITES)

    def _row(self, what: str) -> int | None:
        """The row id the focus is in (None, saying so, when it is not in a row)."""
        if self.live.part_of(self.screen.focused) is None or self.live.row_id is None:
            self.say(f"Put the cursor in a property row to {what}.")
            return None
        self.live.flush()
        return self.live.row_id

    def _rows_moved(self, index: int) -> None:
        """Rows were added, deleted or moved: the grid and the live row take row ``index`` afresh."""
        self.model.take_changed()
        self.live.forget()
        self.grid.rows_changed()
        if len(self.model):
            self.grid.go_to(index)
        self.live.follow()
        self.refresh_marks()

    def action_add_property(self) -> None:
        """Add an empty string property at the end (appending keeps the save a PATCH)."""
        self.live.flush()
        self.model.add()
        self._rows_moved(len(self.model) - 1)
        self.live.key_input.focus()

    def action_delete_property(self) -> None:
        """Remove the focused property row; nothing is sent until ctrl+s."""
        row_id = self._row("delete it")
        if row_id is None:
            return
        part = self.live.part_of(self.screen.focused) or "key"
        index = self.model.index_of(row_id)
        key = self.model.row_values(row_id).key
        self.model.delete(row_id)
        self._rows_moved(min(index, len(self.model) - 1))
        if len(self.model):
            self.live.part(part).focus()
        else:
            self.query_one("#add-property").focus()
        self.say(f"Removed row {index + 1} ({one_line(key, 30) or 'no key'}): ctrl+s saves, ctrl+r reverts all.")

    def _move(self, step: int) -> None:
        row_id = self._row("move it")
        if row_id is not None and self.model.move(row_id, step):
            self._rows_moved(self.model.index_of(row_id))

    def action_move_up(self) -> None:
        """Move the focused row up one place."""
        self._move(-1)

    def action_move_down(self) -> None:
        """Move the focused row down one place."""
        self._move(1)

    def action_cycle_type(self) -> None:
        """Next type for the focused row: string, number, boolean, json."""
        if self._row("change its type") is not None:
            self.live.set_type(next_type(self.live.ptype))

    def action_external_editor(self) -> None:
        """Open the focused value in $VISUAL or $EDITOR, the app suspended meanwhile."""
        live = self.live
        if live.part_of(self.screen.focused) != "value":
            self.say("Put the cursor on a property value to open it in $EDITOR.")
        elif live.ptype is PropertyType.BOOLEAN:
            self.say("A boolean has no text to edit: space toggles it.")
        else:
            text, problem = edit_externally(self.app, live.editor.text, live.ptype)
            if problem:
                self.say(problem, error=True)
            elif text is not None:
                live.load_text(text)
                self.refresh_marks()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for the rows."""
        for action, (title, help_text) in PALETTE.items():
            yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))

