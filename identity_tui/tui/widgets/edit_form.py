"""The edit form: the identity's fields as widgets, its properties as a ``PropertyRows`` model drawn by a grid.

The grid draws every row from the model; one live row of editors sits over the cursor row and writes what
is typed into the model. The marks (● beside what changed, errors beside what is wrong) are the model's,
kept one edit at a time, so opening or typing in an identity with thousands of properties costs about
what it does with four.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from identity_tui.core.display import one_line
from identity_tui.core.draft import Draft
from identity_tui.core.draft_texts import FormTexts
from identity_tui.core.fields import FIELDS, LABELS, PARTS, parse_row_field, row_field
from identity_tui.core.form import FormValues
from identity_tui.core.kinds import IdentityType
from identity_tui.core.property_rows import PropertyRows, RowView
from identity_tui.tui.widgets.buttons import KeyButton
from identity_tui.tui.widgets.find_bar import FindBar
from identity_tui.tui.widgets.form_copy import COPY_BINDINGS, CopyCommands
from identity_tui.tui.widgets.form_find import FIND_BINDINGS, FindCommands, FindState
from identity_tui.tui.widgets.form_rows import RowCommands
from identity_tui.tui.widgets.live_grid import LiveGrid
from identity_tui.tui.widgets.live_row import LiveRow
from identity_tui.tui.widgets.property_grid import MARK, PropertyGrid, error_words
from identity_tui.tui.widgets.value_editors import text_input

TYPES = [(t.value, t.value) for t in IdentityType]
ROW_KEYS = "ctrl+n/d add/delete · ctrl+t type · alt+↑↓ move · ctrl+f find"
# The widget that shows each of the identity's own fields, in the form's order.
SCALAR_WIDGETS = dict(zip(FIELDS, ("#name", "#identifier-key", "#identity-type", "#project-id"), strict=True))
# Past this many rows redrawn at once, the grid redraws everything (a save tried re-words every row).
REDRAW_ALL = 64


def set_text(widget: Static, text: Text, *, layout: bool = True) -> None:
    """Show ``text`` in ``widget`` unless it already does (pass ``layout=False`` where its size is fixed:
    every update with a layout re-arranges the whole screen)."""
    if widget.content != text:
        widget.update(text, layout=layout)


@dataclass
class Marked(Message, namespace="edit_form"):  # handled as on_edit_form_marked: the form's message
    """The marks were recomputed: ``modified`` holds the changed fields."""

    modified: set[str]
    name: str


class ServerErrors(MutableMapping[str, tuple[str, Any]]):
    """What the server said of fields, read and written on the form's model: field name -> (message, the
    value it was said of). An entry goes once its field's value changes."""

    def __init__(self, form: EditForm) -> None:
        self.form = form

    def _said(self) -> dict[str, tuple[str, Any]]:
        return self.form.model.server_errors()

    def __getitem__(self, name: str) -> tuple[str, Any]:
        return self._said()[name]

    def __setitem__(self, name: str, said: tuple[str, Any]) -> None:
        self.form.model.set_server_errors({name: said[0]})

    def __delitem__(self, name: str) -> None:
        raise KeyError(name)  # only a change of the field's value takes an error away

    def __iter__(self) -> Iterator[str]:
        return iter(self._said())

    def __len__(self) -> int:
        return len(self._said())

    def clear(self) -> None:
        self.form.model.clear_server_errors()


class EditForm(FindCommands, CopyCommands, RowCommands, Vertical):
    """Name, identifier key, type, project, id, the property rows and the buttons under them."""

    Marked = Marked  # the marks' message, posted by the form and handled as on_edit_form_marked

    # Priority, so that ctrl+d and ctrl+t mean the row even inside an Input (delete also works there).
    # No plain letters: stray typing where no text field has the focus must never change the rows.
    BINDINGS = [
        Binding("ctrl+n", "add_property", "Add prop", priority=True, id="edit.add_property"),
        Binding("ctrl+d", "delete_property", "Del prop", priority=True, id="edit.delete_property"),
        Binding("ctrl+t", "cycle_type", "Type", priority=True, id="edit.cycle_type"),
        Binding("alt+up,ctrl+up", "move_up", "Move row up", show=False, priority=True, id="edit.move_up"),
        Binding("alt+down,ctrl+down", "move_down", "Move row down", show=False, priority=True,
                id="edit.move_down"),
        Binding("f4", "external_editor", "Edit in $EDITOR", show=False, id="edit.external_editor"),
        # Tab walks key, type, value and on to the next row's key; the rows are one live row of widgets.
        Binding("tab", "next_field", "Next field", show=False, id="edit.next_field"),
        Binding("shift+tab", "previous_field", "Previous field", show=False, id="edit.previous_field"),
        *FIND_BINDINGS,
        *COPY_BINDINGS,
    ]

    @dataclass
    class Said(Message):
        """A sentence for the line under the form."""

        text: str
        error: bool = False

    def __init__(self, loaded: Draft, *, identity_id: str | None, readonly: bool = False) -> None:
        super().__init__(id="edit-form")
        self.loaded = loaded
        self.identity_id = identity_id
        self.readonly = readonly
        # A new form stays quiet about empty required fields, and a just-added row about its empty key,
        # until a save is tried; a loaded identity's problems show at once.
        self.model = PropertyRows.load(loaded, show_all_errors=identity_id is not None)
        self.modified: set[str] = set()  # the fields that differ from ``loaded``, as the last look found them
        self.props = LiveGrid(self.model, id="props")
        self.find_bar = FindBar(id="find-bar")
        self.find_state = FindState()
        self._look_pending = False

    def compose(self) -> ComposeResult:
        d = self.loaded
        yield from self._field("name", text_input(d.name, placeholder="required", id="name"))
        yield from self._field(
            "identifier_key",
            text_input(d.identifier_key, placeholder="required; unique in its project", id="identifier-key"),
        )
        with Horizontal(classes="field-line"):
            yield Static(LABELS["identity_type"], classes="field-label")
            yield Static(" ", classes="field-mark", id="identity_type-mark")
            yield Select(TYPES, value=IdentityType(d.identity_type).value, allow_blank=False,
                         compact=True, id="identity-type")
            yield Static(LABELS["project_id"], classes="field-label project-label")
            yield Static(" ", classes="field-mark", id="project_id-mark")
            if self.identity_id is None:
                yield text_input(d.project_id or "", placeholder="none", id="project-id")
            else:
                # PATCH cannot move an identity to another project, so the project is shown, not edited.
                fixed = Text(one_line(d.project_id or "—", 40))
                fixed.append("  (fixed: cannot be changed)", style="dim")
                yield Static(fixed, id="project-text")
        if self.identity_id is not None:
            with Horizontal(classes="field-line", id="id-line"):
                yield Static("Id", classes="field-label")
                yield Static(" ", classes="field-mark")
                yield Static(Text(self.identity_id), id="identity-id")
                yield Static(Text("c copies"), id="id-hint")
        with Horizontal(id="props-header"):
            yield Static("", id="props-title")
            yield Static(Text(ROW_KEYS), id="props-hint")
        yield self.props
        yield self.find_bar
        with Horizontal(id="edit-buttons"):
            yield KeyButton("Add property", id="add-property", compact=True)
            yield KeyButton("Save", id="save", variant="primary", compact=True)
            yield KeyButton("Revert", id="revert", compact=True)
            if self.identity_id is not None:
                yield KeyButton("Delete…", id="delete", variant="error", compact=True)

    def _field(self, name: str, widget: Widget) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Static(LABELS[name], classes="field-label")
            yield Static(" ", classes="field-mark", id=f"{name}-mark")
            yield widget
            yield Static("", classes="field-error", id=f"{name}-error")

    def on_mount(self) -> None:
        if self.readonly:
            for button in self.query("#save, #revert, #delete, #add-property"):
                button.display = False
            self.query_one("#props-hint").display = False
            for name in ("name", "identifier_key"):
                self.query_one(SCALAR_WIDGETS[name], Input).read_only = True  # type: ignore[attr-defined]
            self.query_one("#identity-type", Select).disabled = True
            self.live.make_read_only()
        self.refresh_marks()

    # -- parts --------------------------------------------------------------------------------

    @property
    def grid(self) -> PropertyGrid:
        """The grid drawing the rows."""
        return self.props.grid

    @property
    def live(self) -> LiveRow:
        """The editors over the cursor row."""
        return self.props.live

    def row_view(self, index: int) -> RowView:
        """What row ``index`` shows: key, type, value text, changed parts and errors."""
        self.sync()
        return self.model.view(index)

    def error_line(self, index: int) -> str:
        """The line under row ``index`` as the grid draws it ("" when the row has no error or note)."""
        view = self.row_view(index)
        return error_words(index + 1, view.errors) if view.errors else ""

    def focus_name(self) -> None:
        """Focus the name with the cursor at its end: where an edit usually starts."""
        name = self.query_one("#name", Input)
        name.focus()
        name.cursor_position = len(name.value)

    def widget_for(self, name: str) -> Widget | None:
        """The focusable widget showing field ``name``; for ``properties.2.value`` and the like, the cursor
        moves to that row first and the live row's editor is returned."""
        if name in SCALAR_WIDGETS:
            found = self.query(SCALAR_WIDGETS[name])
            return found.first() if found else None
        row = parse_row_field(name)
        if row is not None:
            index, part = row
            if index < len(self.model):
                self.go_to_row(index)
                return self.live.part(part if part in PARTS else "key")
        return None

    def go_to_row(self, index: int) -> None:
        """Put the cursor (and the live row) on row ``index``."""
        self.live.flush()
        self.grid.go_to(index)
        self.live.follow()

    def focus_field(self, name: str) -> None:
        """Move the focus to field ``name`` and scroll it into view."""
        widget = self.widget_for(name)
        if widget is not None:
            widget.focus()
            if parse_row_field(name) is None:
                widget.scroll_visible(animate=False)

    def scalar_field_of(self, widget: Widget | None) -> str | None:
        """Which of the identity's own fields ``widget`` shows (None for any other widget)."""
        if widget is None:
            return None
        for name, selector in SCALAR_WIDGETS.items():
            if widget.id == selector[1:] and self in widget.ancestors:
                return name
        return None

    def focus_path(self, focused: Widget | None) -> str | None:
        """A name for where the focus is that survives rebuilding the rows."""
        if focused is None:
            return None
        name = self.scalar_field_of(focused)
        if name is not None:
            return name
        part = self.live.part_of(focused)
        if part is not None and len(self.model):
            return row_field(self.grid.cursor, part)
        return "#" + focused.id if focused.id else None

    def restore_focus(self, path: str | None) -> None:
        """Focus what ``focus_path`` named, if it still exists."""
        if path is None:
            return
        if path.startswith("#"):
            found = self.query(path)
            if found:
                found.first().focus()
            return
        self.focus_field(path)

    def say(self, text: str, error: bool = False) -> None:
        """A sentence for the line under the form."""
        self.post_message(self.Said(text, error))

    # -- marks --------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Message) -> None:
        event.stop()  # nothing above the form listens, and each hop is a queue a key waits behind
        self._look_soon()

    @on(LiveRow.Edited)
    def _row_edited(self, event: LiveRow.Edited) -> None:
        event.stop()
        self._look_soon()

    def _look_soon(self) -> None:
        """Look once, after the changes queued now."""
        if not self._look_pending:
            self._look_pending = True
            self.call_later(self._look_now)

    def _look_now(self) -> None:
        self._look_pending = False
        self.refresh_marks()

    def sync(self) -> None:
        """Write what the fields and the live row hold into the model (their Changed events may still be queued)."""
        if not self.is_mounted:
            return
        model = self.model
        for name in ("name", "identifier_key", "project_id"):
            found = self.query(SCALAR_WIDGETS[name])
            if found and isinstance(found.first(), Input):
                model.set_field(name, found.first(Input).value)
        model.set_field("identity_type", str(self.query_one("#identity-type", Select).value))
        self.live.flush()

    def refresh_marks(self) -> None:
        """Show what changed and what is wrong, as the model keeps it: only rows whose view changed are redrawn."""
        if not self.is_mounted:
            return
        self.sync()
        model = self.model
        changed = model.take_changed()
        if len(changed) > REDRAW_ALL:
            self.grid.rows_changed()
        else:
            for row_id in changed:
                self.props.row_changed(row_id)
        self.live.refresh_mark()
        self.modified = mods = model.modified_fields()
        errors = model.field_errors()
        for name, selector in SCALAR_WIDGETS.items():
            found = self.query(selector)
            if found:
                found.first().set_class(name in mods, "-modified")
                found.first().set_class(name in errors, "-error")
            mark = self.query(f"#{name}-mark")
            if mark:
                set_text(mark.first(Static), Text(MARK if name in mods else " "), layout=False)
            error = self.query(f"#{name}-error")
            if error:
                set_text(error.first(Static), Text(errors.get(name, "")))
                error.first().set_class(name in errors, "-shown")
        self._update_header()
        self.post_message(Marked(set(mods), model.field_text("name")))

    def _update_header(self) -> None:
        model = self.model
        notes = []
        if model.removed:
            notes.append(f"{model.removed} removed")
        if model.order_changed:
            notes.append("order changed")
        text = Text(f"Properties ({len(model)})", style="bold")
        if notes:
            text.append(f"  {MARK} " + ", ".join(notes))
        title = self.query_one("#props-title", Static)
        set_text(title, text)  # its width follows its text; set_text skips an unchanged one
        title.set_class(bool(notes), "-modified")
        # The key hint gives way to the notes at 80 columns; the footer and help still list the keys.
        self.query_one("#props-hint").display = not notes and not self.readonly

    @property
    def save_tried(self) -> bool:
        """Set once a save was tried: every error shows from then on."""
        return self.model.save_tried

    @save_tried.setter
    def save_tried(self, tried: bool) -> None:
        self.model.save_tried = tried

    @property
    def server_errors(self) -> ServerErrors:
        """What the server said of a field, shown beside it until its value changes."""
        return ServerErrors(self)

    # -- values -------------------------------------------------------------------------------

    def values(self) -> FormValues:
        """What the form holds now."""
        self.sync()
        return self.model.values()

    def texts(self) -> FormTexts:
        """Every field as typed (a draft keeps half-typed and invalid values too)."""
        self.sync()
        return self.model.texts()

    async def load_draft(self, draft: Draft) -> None:
        """Show ``draft`` in every field and row, and make it what "modified" compares with."""
        self.show(draft)

    def show(self, draft: Draft) -> None:
        """Show ``draft`` in every field and row, and make it what "modified" compares with: one model load."""
        self.loaded = draft
        save_tried = self.model.save_tried
        self.model = PropertyRows.load(draft, show_all_errors=self.identity_id is not None)
        self.model.save_tried = save_tried
        self.grid.source = self.model
        if self.is_mounted:
            for selector, value in (("#name", draft.name), ("#identifier-key", draft.identifier_key)):
                widget = self.query_one(selector, Input)
                with widget.prevent(Input.Changed):
                    widget.value = value
                widget.cursor_position = len(value)
            select = self.query_one("#identity-type", Select)
            with select.prevent(Select.Changed):
                select.value = IdentityType(draft.identity_type).value
            if self.query("#project-id"):
                project = self.query_one("#project-id", Input)
                with project.prevent(Input.Changed):
                    project.value = draft.project_id or ""
            self._rows_moved(min(self.grid.cursor, len(self.model) - 1))  # the cursor stays where it was

    def on_unmount(self) -> None:
        # A closed form lives on in Textual's reference cycles until a full garbage collection: its rows (tens
        # of megabytes for a big identity) are let go now, so the next form does not stand on them.
        self.release()

    def release(self) -> None:
        """Let go of the rows (the form is closed): an empty model takes their place."""
        empty = PropertyRows.load(replace(self.loaded, properties=()), show_all_errors=False)
        self.model = empty
        self.loaded = replace(self.loaded, properties=())
        self.grid.source = empty
        self.live.forget()

    def open(self, draft: Draft) -> None:
        """Show ``draft`` as the loaded identity, then enable the form and focus the name."""
        self.show(draft)
        self.loading = self.disabled = False
        self.focus_name()

    def rebase(self, loaded: Draft) -> None:
        """Compare with a new baseline without touching what the user typed (after a partial save)."""
        self.sync()
        self.loaded = loaded
        self.model.rebase(loaded)
        self.refresh_marks()
