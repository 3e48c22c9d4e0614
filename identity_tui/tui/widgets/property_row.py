"""One property of the edit form: a key, a type and a value editor chosen by the type, with its errors beneath."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from identity_tui.core.fields import PARTS
from identity_tui.core.form import RowValues, convert, next_type
from identity_tui.core.kinds import PropertyType
from identity_tui.core.draft import DraftProperty
from identity_tui.tui.widgets.value_editors import BoolValueEditor, ValueEditor, make_editor, text_input

TYPE_OPTIONS = [(t.value, t.value) for t in PropertyType]
MARK = "●"


def set_text(widget: Static, text: Text, *, layout: bool = True) -> None:
    """Show ``text`` in ``widget`` unless it already does.

    Every update with a layout re-arranges the whole screen, which with hundreds of rows costs more than
    a keystroke may; pass ``layout=False`` where the widget's size is fixed.
    """
    if widget.content != text:
        widget.update(text, layout=layout)


class PropertyRow(Vertical):
    """A property row; ``origin`` is the loaded property it started as (None for a new row)."""

    class TypeChanged(Message):
        """The row's type changed and its value editor was swapped."""

        def __init__(self, row: PropertyRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        key: str = "",
        ptype: PropertyType | str = PropertyType.STRING,
        value: Any = "",
        *,
        origin: DraftProperty | None = None,
    ) -> None:
        super().__init__(classes="prop-row")
        self.origin = origin
        self.ptype = PropertyType(ptype)
        # The parts are made here and kept: the form reads every row on each refresh, and a query per
        # part per row would make that the slow step with hundreds of rows.
        self._mark = Static(" ", classes="prop-mark")
        self._key_input = text_input(key, placeholder="key", classes="prop-key")
        self._type_select: Select[str] = Select(
            TYPE_OPTIONS, value=self.ptype.value, allow_blank=False, compact=True, classes="prop-type"
        )
        self._editor: Widget = make_editor(self.ptype, value)
        self._error_line = Static("", classes="prop-error")
        self._shown: tuple[frozenset[str], tuple[tuple[str, str], ...], int] = (frozenset(), (), 0)

    @classmethod
    def of(cls, prop: DraftProperty) -> PropertyRow:
        """A row showing a loaded property, remembering it as its origin."""
        return cls(prop.key, prop.type, prop.value, origin=prop)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="prop-line"):
            yield self._mark
            yield self._key_input
            yield self._type_select
            yield self._editor
        yield self._error_line

    # -- parts ----------------------------------------------------------------------------------

    @property
    def key_input(self) -> Input:
        return self._key_input

    @property
    def type_select(self) -> Select:
        return self._type_select

    @property
    def editor(self) -> ValueEditor:
        return self._editor  # type: ignore[return-value]

    def part(self, name: str) -> Widget:
        """The focusable widget of ``key``, ``type`` or ``value``."""
        if name == "key":
            return self.key_input
        if name == "type":
            return self.type_select
        return self.editor.focus_target

    def focused_part(self) -> str | None:
        """Which part holds the focus, if any."""
        focused = self.screen.focused if self.is_attached else None
        if focused is None:
            return None
        for name in PARTS:
            target = self.part(name)
            if focused is target or target in focused.ancestors:
                return name
        return None

    def make_read_only(self) -> None:
        """Read-only: the row can be focused and read, not changed."""
        self._key_input.read_only = True  # type: ignore[attr-defined]
        self._type_select.disabled = True
        editor = self._editor
        if isinstance(editor, BoolValueEditor):
            editor.switch.disabled = True
        else:
            editor.read_only = True  # type: ignore[attr-defined]

    # -- values ---------------------------------------------------------------------------------

    def values(self) -> RowValues:
        """What the row holds now, read from its widgets."""
        return RowValues(self.key_input.value, self.ptype, self.editor.read(self.origin), self.origin)

    def cycle_type(self) -> None:
        """Switch to the next type (string, number, boolean, json), converting the value."""
        self.type_select.value = next_type(self.ptype).value

    @on(Select.Changed, ".prop-type")
    async def _type_chosen(self, event: Select.Changed) -> None:
        event.stop()
        new = PropertyType(str(event.value))
        if new is self.ptype:
            return  # the select reporting a value set at start-up, not a change
        await self.change_type(new)
        self.post_message(self.TypeChanged(self))

    async def change_type(self, new: PropertyType) -> None:
        """Swap the value editor for ``new``'s, keeping the value when it converts and asking for one when not."""
        old = self.editor
        had_focus = self.focused_part() == "value"
        value = convert(old.read(self.origin), new)
        self.ptype = new
        if self.type_select.value != new.value:
            with self.type_select.prevent(Select.Changed):
                self.type_select.value = new.value
        replacement = make_editor(new, value)
        self._editor = replacement
        await old.remove()  # type: ignore[attr-defined]
        await self.query_one(".prop-line", Horizontal).mount(replacement)
        if had_focus:
            replacement.focus_target.focus()  # type: ignore[attr-defined]

    def set_origin(self, origin: DraftProperty | None) -> None:
        """Compare against a new loaded property (after a partial save moved the baseline)."""
        self.origin = origin

    # -- marks ----------------------------------------------------------------------------------

    def mark(self, modified: set[str], errors: dict[str, str], number: int) -> bool:
        """Show which parts changed (``●`` and ``-modified``) and the errors under the row.

        Returns False, touching nothing, when the row already shows exactly that.
        """
        shown = (frozenset(modified), tuple((p, errors[p]) for p in PARTS if p in errors), number if errors else 0)
        if shown == self._shown:
            return False
        self._shown = shown
        changed = bool(modified)
        self.set_class(changed, "-modified")
        set_text(self._mark, Text(MARK if changed else " "), layout=False)
        for name in PARTS:
            widget = self.part(name)
            widget.set_class(name in modified, "-modified")
            widget.set_class(name in errors, "-error")
        line = self._error_line
        if errors:
            words = [f"{name}: {errors[name]}" for name in PARTS if name in errors]
            set_text(line, Text(f"row {number}: " + " · ".join(words)))
        else:
            set_text(line, Text(""))
        line.set_class(bool(errors), "-shown")
        self.set_class(bool(errors), "-error")
        return True


class PropertyList(VerticalScroll, can_focus=False):
    """The scrolling list of property rows, with the row moves the form's keys ask for."""

    @property
    def rows(self) -> list[PropertyRow]:
        """The rows in the order shown."""
        return [c for c in self.children if isinstance(c, PropertyRow)]

    def row_of(self, widget: Widget | None) -> PropertyRow | None:
        """The row ``widget`` sits in, if any."""
        node = widget
        while node is not None and node is not self:
            if isinstance(node, PropertyRow):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    async def add(self) -> PropertyRow:
        """An empty string row at the end, focused (appending keeps the save a PATCH)."""
        row = PropertyRow()
        await self.mount(row)
        row.key_input.focus()
        row.scroll_visible(animate=False)
        return row

    async def delete(self, row: PropertyRow) -> int:
        """Remove ``row``, focusing the same part of the row that takes its place; returns its index."""
        rows = self.rows
        index = rows.index(row)
        part = row.focused_part() or "key"
        await row.remove()
        rows = self.rows
        if rows:
            rows[min(index, len(rows) - 1)].part(part).focus()
        return index

    def move(self, row: PropertyRow, step: int) -> bool:
        """Move ``row`` up (-1) or down (+1); False at either end."""
        rows = self.rows
        index = rows.index(row)
        target = index + step
        if not 0 <= target < len(rows):
            return False
        if step < 0:
            self.move_child(row, before=rows[target])
        else:
            self.move_child(row, after=rows[target])
        row.scroll_visible(animate=False)
        return True
