"""The edit form's copy keys: ctrl+o copies the focused field's value (or the cursor row's value), ctrl+g the
cursor row's key, through the terminal (OSC 52, ``App.copy_to_clipboard``), as the list's ``c`` copies an id.

A mixin for ``EditForm`` (which holds the bindings). The text copied is the one the form holds, as typed (a
JSON value as its editor shows it, a boolean as true or false), never masked; only control characters are
written as ``\\xNN`` escapes, and the notice says so. Neither key is one a field types or edits with:
Textual's Input and TextArea bind ctrl+k (delete to the line's end) and TextArea ctrl+y (redo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widget import Widget

from identity_tui.core.display import clipboard_text, one_line
from identity_tui.core.fields import LABELS
from identity_tui.core.property_rows import PropertyRows
from identity_tui.core.row_find import one_line_json
from identity_tui.tui.widgets.property_grid import PropertyGrid

if TYPE_CHECKING:
    Base = Widget  # what the mixin is mixed into, for the type checker
else:
    Base = object

# Bound on the form: keys no field types or edits with (Input and TextArea take ctrl+k, TextArea ctrl+y for redo).
COPY_BINDINGS = [
    Binding("ctrl+o", "copy_value", "Copy value", show=False, id="edit.copy_value",
            tooltip="Copy the focused field's value, or the cursor row's value (OSC 52)"),
    Binding("ctrl+g", "copy_key", "Copy key", show=False, id="edit.copy_key",
            tooltip="Copy the cursor row's key (OSC 52)"),
]
SHOWN = 50  # characters of what was copied the notice shows


class CopyCommands(Base):
    """ctrl+o (copy value) and ctrl+g (copy key) of the edit form."""

    model: PropertyRows

    @property
    def grid(self) -> PropertyGrid:
        raise NotImplementedError

    def sync(self) -> None:
        raise NotImplementedError

    def say(self, text: str, error: bool = False) -> None:
        raise NotImplementedError

    def scalar_field_of(self, widget: Widget | None) -> str | None:
        raise NotImplementedError

    def action_copy_value(self) -> None:
        """Copy the focused field's value; in a property row or anywhere else, the cursor row's value."""
        self.sync()
        name = self.scalar_field_of(self.screen.focused)
        if name is not None:
            self._copy(self.model.field_text(name), LABELS[name])
            return
        if not len(self.model):
            self.say("No property row to copy a value from.")
            return
        index = self.grid.cursor
        view = self.model.view(index)
        self._copy(view.text, f"the value of row {index + 1} ({one_line(view.key, 20) or 'no key'})",
                   shown=one_line_json(view.text))

    def action_copy_key(self) -> None:
        """Copy the cursor row's key."""
        self.sync()
        if not len(self.model):
            self.say("No property row to copy a key from.")
            return
        index = self.grid.cursor
        self._copy(self.model.view(index).key, f"the key of row {index + 1}")

    def _copy(self, text: str, what: str, *, shown: str | None = None) -> None:
        """Put ``text`` on the clipboard and say in one line what went there, shortened and shown literally."""
        copied, escaped = clipboard_text(text)
        self.app.copy_to_clipboard(copied)
        words = f"Copied {what}: " + (one_line(text if shown is None else shown, SHOWN) if text else "(empty)")
        if escaped:
            words += " (control characters as \\x escapes)"
        self.notify(words, timeout=3, markup=False)
