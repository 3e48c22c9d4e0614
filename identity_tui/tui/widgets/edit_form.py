"""The edit form's fields and property rows: reads its widgets into a ``FormValues``; ``FormMarks`` marks them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, Switch, TextArea

from identity_tui.core.display import one_line
from identity_tui.core.fields import LABELS, PARTS, parse_row_field, row_field
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.form import FormValues, rebase_rows
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.tui.widgets.form_marks import SCALAR_WIDGETS, FormMarks, Marked, MarksAttribute
from identity_tui.tui.widgets.property_row import PropertyList, PropertyRow
from identity_tui.tui.widgets.value_editors import edit_externally, text_input
from identity_tui.tui.widgets.buttons import KeyButton

TYPES = [(t.value, t.value) for t in IdentityType]
CHANGED = (Input.Changed, Select.Changed, Switch.Changed, TextArea.Changed)
ROW_KEYS = "ctrl+n add · ctrl+d delete · ctrl+t type · alt+↑↓ move"
# The command palette's entries for the rows: the form's action each runs, its title and its help.
PALETTE = {
    "add_property": ("Add property", "A new row at the end (ctrl+n)"),
    "delete_property": ("Delete property", "Remove the focused row (ctrl+d)"),
    "move_up": ("Move property up", "The focused row (alt+up)"),
    "move_down": ("Move property down", "The focused row (alt+down)"),
    "cycle_type": ("Change property type", "string, number, boolean, json (ctrl+t)"),
    "external_editor": ("Edit value in $EDITOR", "The focused value (F4)"),
}
# Rows are mounted in batches, a screenful first, and the app answers keys between two batches.
FIRST_BATCH = 40
BATCH = 60


async def _next_turn() -> None:
    await asyncio.sleep(0)


class EditForm(Vertical):
    """Name, identifier key, type, project, id, the property rows and the buttons under them.

    One class composing a helper: ``marks`` (``FormMarks``) keeps the ● and the errors beside the fields.
    """

    Marked = Marked  # the marks' message, posted by the form and handled as on_edit_form_marked
    between_batches = staticmethod(_next_turn)

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
        self.marks = FormMarks(self, self.refresh_marks, show_all_errors=identity_id is not None, readonly=readonly)
        self._props: PropertyList | None = None  # found once: every look and every key reads the rows
        self._loading = 0  # how many row fills are under way
        # A newer fill supersedes an older one at its next batch: a mount is never cancelled half-way
        # (Textual's Select breaks when its row goes before its own children are in).
        self._generation = 0
        self._fill_lock = asyncio.Lock()

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
        with PropertyList(id="props"):
            for prop in d.properties[:FIRST_BATCH]:
                yield PropertyRow.of(prop)
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
        self.marks.find_parts()
        if self.readonly:
            for button in self.query("#save, #revert, #delete, #add-property"):
                button.display = False
            self.query_one("#props-hint").display = False
            for name in ("name", "identifier_key"):
                self.marks.widget(name).read_only = True  # type: ignore[union-attr]
            self.marks.widget("identity_type").disabled = True  # type: ignore[union-attr]
            for row in self.rows:
                row.make_read_only()
        if len(self.loaded.properties) > FIRST_BATCH:
            self._loading += 1  # until the worker is in: no marks from a half-filled list
            self._add_rest(self.loaded.properties)
        self.refresh_marks()

    # -- marks (kept by FormMarks) -------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    @on(TextArea.Changed)
    @on(PropertyRow.TypeChanged)
    def _something_changed(self, event: Message) -> None:
        event.stop()  # nothing above the form listens, and each hop is a queue a key waits behind
        self.marks.changed(self.loading_rows)

    def refresh_marks(self) -> None:
        """Look again at what changed and what is wrong (not while rows are still going in)."""
        if self.is_mounted and not self.loading_rows:
            self.marks.refresh(self.loaded, self.values(), self.rows)

    # What the marks hold, under the names the screens and the tests have always read on the form.
    modified = MarksAttribute()  # the fields that differ from ``loaded``, as the last look found them
    save_tried = MarksAttribute()  # set once a save was tried: every error shows from then on
    server_errors = MarksAttribute()  # what the server said of a field, and the value it said it of

    # -- parts --------------------------------------------------------------------------------

    @property
    def props(self) -> PropertyList:
        if self._props is None:
            self._props = self.query_one("#props", PropertyList)
        return self._props

    @property
    def loading_rows(self) -> bool:
        """True while rows are still being added (the marks are looked at once they are all in)."""
        return self._loading > 0

    @property
    def rows(self) -> list[PropertyRow]:
        """The property rows in the order shown."""
        return self.props.rows

    def focus_name(self) -> None:
        """Focus the name with the cursor at its end: where an edit usually starts."""
        name = self.query_one("#name", Input)
        name.focus()
        name.cursor_position = len(name.value)

    def widget_for(self, name: str) -> Widget | None:
        """The focusable widget showing field ``name`` (``properties.2.value`` and the like)."""
        if name in SCALAR_WIDGETS:
            found = self.query(SCALAR_WIDGETS[name])
            return found.first() if found else None
        row = parse_row_field(name)
        if row is not None:
            rows = self.rows
            index, part = row
            if index < len(rows):
                return rows[index].part(part if part in PARTS else "key")
        return None

    def focus_field(self, name: str) -> None:
        """Move the focus to field ``name`` and scroll it into view."""
        widget = self.widget_for(name)
        if widget is not None:
            widget.focus()
            widget.scroll_visible(animate=False)

    def focus_path(self, focused: Widget | None) -> str | None:
        """A name for where the focus is that survives rebuilding the rows."""
        if focused is None:
            return None
        for name, selector in SCALAR_WIDGETS.items():
            if focused.id == selector[1:]:
                return name
        for i, row in enumerate(self.rows):
            part = row.focused_part()
            if part is not None:
                return row_field(i, part)
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

    # -- row actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.readonly

    def say(self, text: str, error: bool = False) -> None:
        self.post_message(self.Said(text, error))

    def _row(self, what: str) -> PropertyRow | None:
        row = self.props.row_of(self.screen.focused)
        if row is None:
            self.say(f"Put the cursor in a property row to {what}.")
        return row

    @on(Button.Pressed, "#add-property")
    async def action_add_property(self) -> None:
        """Add an empty string property at the end (appending keeps the save a PATCH)."""
        await self.props.add()
        self.refresh_marks()

    async def action_delete_property(self) -> None:
        """Remove the focused property row; nothing is sent until ctrl+s."""
        row = self._row("delete it")
        if row is None:
            return
        key = row.key_input.value
        index = await self.props.delete(row)
        if not self.rows:
            self.query_one("#add-property").focus()
        self.refresh_marks()
        self.say(f"Removed row {index + 1} ({one_line(key, 30) or 'no key'}): ctrl+s saves, ctrl+r reverts all.")

    def action_move_up(self) -> None:
        """Move the focused row up one place."""
        row = self._row("move it")
        if row is not None and self.props.move(row, -1):
            self.refresh_marks()

    def action_move_down(self) -> None:
        """Move the focused row down one place."""
        row = self._row("move it")
        if row is not None and self.props.move(row, 1):
            self.refresh_marks()

    def action_cycle_type(self) -> None:
        """Next type for the focused row: string, number, boolean, json."""
        row = self._row("change its type")
        if row is not None:
            row.cycle_type()

    def action_external_editor(self) -> None:
        """Open the focused value in $VISUAL or $EDITOR, the app suspended meanwhile."""
        row = self.props.row_of(self.screen.focused)
        if row is None or row.focused_part() != "value":
            self.say("Put the cursor on a property value to open it in $EDITOR.")
        elif row.ptype is PropertyType.BOOLEAN:
            self.say("A boolean has no text to edit: space toggles it.")
        else:
            text, problem = edit_externally(self.app, row.editor.text, row.ptype)
            if problem:
                self.say(problem, error=True)
            elif text is not None:
                row.editor.load_text(text)
                self.refresh_marks()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for the rows."""
        for action, (title, help_text) in PALETTE.items():
            yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))

    # -- values -------------------------------------------------------------------------------

    def values(self) -> FormValues:
        """What the form holds now."""
        project_input = self.marks.widget("project_id")
        if isinstance(project_input, Input):
            project = project_input.value.strip() or None
        else:
            project = self.loaded.project_id
        return FormValues(
            name=self.marks.widget("name").value,  # type: ignore[union-attr]
            identifier_key=self.marks.widget("identifier_key").value,  # type: ignore[union-attr]
            identity_type=str(self.marks.widget("identity_type").value),  # type: ignore[union-attr]
            project_id=project,
            rows=tuple(row.values() for row in self.rows),
        )

    async def load_draft(self, draft: Draft) -> None:
        """Show ``draft`` in every field and row, and make it what "modified" compares with."""
        self.loaded = draft
        self.marks.server_errors.clear()
        # Setting values posts Changed events that arrive while rows are half rebuilt: look once, at the end.
        self._generation += 1
        generation = self._generation
        self._loading += 1
        try:
            async with self._fill_lock:
                await self._show(draft, generation)
        finally:
            self._loading -= 1
        self.refresh_marks()

    @work(group="edit-form-rows", exit_on_error=False)
    async def open(self, draft: Draft) -> None:
        """Show ``draft`` as the loaded identity in the background, then enable the form and focus the name.

        The rows go in batches, so keys (esc above all) and signals are answered while hundreds load.
        """
        await self.load_draft(draft)
        if self.loaded is draft:  # not superseded by a newer one meanwhile
            self.loading = self.disabled = False
            self.focus_name()

    @work(group="edit-form-rows", exit_on_error=False)
    async def _add_rest(self, props: Sequence[DraftProperty]) -> None:
        """Add the rows compose left out (all but the first screenful)."""
        generation = self._generation
        try:  # _loading was raised for this fill by on_mount
            async with self._fill_lock:
                await self._add_rows(props, FIRST_BATCH, generation)
        finally:
            self._loading -= 1
        self.refresh_marks()

    async def _add_rows(self, props: Sequence[DraftProperty], start: int, generation: int) -> None:
        """Mount rows for ``props[start:]`` in batches, letting the app run between two batches."""
        while start < len(props) and generation == self._generation:
            size = FIRST_BATCH if start == 0 else BATCH
            # A widget posts Changed as it mounts: nothing changed, and hundreds of them would queue
            # ahead of the keys (esc) on their way up.
            with self.props.prevent(*CHANGED):
                batch = [PropertyRow.of(p) for p in props[start:start + size]]
                await self.props.mount_all(batch)
            if self.readonly:
                for row in batch:
                    row.make_read_only()
            if start == 0:
                self.loading = False  # the first screenful shows while the rest goes in
            start += size
            if start < len(props):
                await self.between_batches()

    async def _show(self, draft: Draft, generation: int) -> None:
        for selector, value in (("#name", draft.name), ("#identifier-key", draft.identifier_key)):
            widget = self.query_one(selector, Input)
            widget.value = value
            widget.cursor_position = len(value)
        self.query_one("#identity-type", Select).value = IdentityType(draft.identity_type).value
        if self.query("#project-id"):
            self.query_one("#project-id", Input).value = draft.project_id or ""
        await self.props.remove_children()
        await self._add_rows(draft.properties, 0, generation)

    def rebase(self, loaded: Draft) -> None:
        """Compare with a new baseline without touching what the user typed (after a partial save)."""
        self.loaded = loaded
        for row, rebased in zip(self.rows, rebase_rows(self.values().rows, loaded)):
            row.set_origin(rebased.origin)
        self.refresh_marks()
