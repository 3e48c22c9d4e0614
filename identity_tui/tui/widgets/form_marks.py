"""The edit form's marks: ● beside what changed, and errors and warnings beside what is wrong.

"Modified" is always a comparison of what the widgets hold with the loaded draft (see ``core.form``); the
Changed events Textual posts, even for values set from code, only say when to look again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from identity_tui.core.fields import FIELDS, PARTS, parse_row_field, row_field
from identity_tui.core.draft import Draft
from identity_tui.core.form import FormValues, Unparsed, key_note, modified_fields, number_note
from identity_tui.core.kinds import PropertyType
from identity_tui.tui.form_model import field_value
from identity_tui.tui.widgets.property_row import MARK, PropertyRow, set_text

# The widget that shows each of the identity's own fields, in the form's order.
SCALAR_WIDGETS = dict(zip(FIELDS, ("#name", "#identifier-key", "#identity-type", "#project-id"), strict=True))
HEADER_PARTS = ("props-title", "props-hint")


@dataclass
class Marked(Message, namespace="edit_form"):  # handled as on_edit_form_marked: the form's message
    """The marks were recomputed: ``modified`` holds the changed fields."""

    modified: set[str]
    name: str


class FormMarks:
    """What the edit form marks, and when: the form hands it what it holds at each look.

    Cost grows linearly with the rows: while rows are being added nothing is re-marked (the Changed
    events their widgets post are coalesced into one look at the end), and a look reads every row
    once but re-marks only the rows whose marks changed.
    """

    def __init__(self, form: Widget, look: Callable[[], None], *, show_all_errors: bool, readonly: bool) -> None:
        self.form = form  # where the marks are shown, and whose messages say so
        self.look = look  # the form's own look, which gathers what it holds and hands it to ``refresh``
        # A new form stays quiet about empty required fields, and a just-added row about its empty key,
        # until a save is tried; a loaded identity's problems show at once.
        self.show_all_errors = show_all_errors
        self.readonly = readonly
        self.save_tried = False
        self.server_errors: dict[str, tuple[str, Any]] = {}
        self.modified: set[str] = set()
        self._pending = False
        self._parts: dict[str, Widget | None] = {}

    # -- parts ----------------------------------------------------------------------------------

    def find_parts(self) -> None:
        """Find once, on mount, the widgets every look touches: a query each time would cost more."""
        marks = {f"{name}-{what}": f"#{name}-{what}" for name in FIELDS for what in ("mark", "error")}
        for name, selector in {**SCALAR_WIDGETS, **marks}.items():
            found = self.form.query(selector)
            self._parts[name] = found.first() if found else None
        for name in HEADER_PARTS:
            self._parts[name] = self.form.query_one(f"#{name}")

    def widget(self, name: str) -> Widget | None:
        """The widget showing one of ``FIELDS`` (None for the project of a saved identity: it is text)."""
        if name not in self._parts:
            found = self.form.query(SCALAR_WIDGETS[name])
            return found.first() if found else None
        return self._parts[name]

    def _header_part(self, name: str) -> Widget:
        return self._parts.get(name) or self.form.query_one(f"#{name}")

    # -- looks ----------------------------------------------------------------------------------

    def changed(self, loading: bool) -> None:
        """Something in the form changed: look once, after the Changed events queued now (or once loaded)."""
        # Many Changed events can be queued at once (each widget posts one as it mounts): one look for all.
        if loading or self._pending:
            return
        self._pending = True
        self.form.call_later(self._look_now)

    def _look_now(self) -> None:
        self._pending = False
        self.look()

    def refresh(self, loaded: Draft, values: FormValues, rows: list[PropertyRow]) -> None:
        """Recompute modified marks and the errors beside the fields from ``values``, read from ``rows``.

        Linear in the rows; only rows whose marks differ from what they show are touched.
        """
        self.modified = mods = modified_fields(loaded, values)
        errors = self.shown_errors(values, mods)
        for name, note in self.notes(values, rows).items():
            errors.setdefault(name, note)  # shown like an error, but a save still goes
        for name in SCALAR_WIDGETS:
            widget = self.widget(name)
            if widget is not None:
                widget.set_class(name in mods, "-modified")
                widget.set_class(name in errors, "-error")
            mark = self._parts.get(f"{name}-mark")
            if isinstance(mark, Static):
                set_text(mark, Text(MARK if name in mods else " "), layout=False)
            error = self._parts.get(f"{name}-error")
            if isinstance(error, Static):
                set_text(error, Text(errors.get(name, "")))
                error.set_class(name in errors, "-shown")
        flagged = (parse_row_field(name) for name in (*mods, *errors))
        rows_flagged = {row[0] for row in flagged if row is not None and row[1] is not None}
        for i, row in enumerate(rows):
            if i in rows_flagged:
                row_mods = {p for p in PARTS if row_field(i, p) in mods}
                row_errors = {p: errors[row_field(i, p)] for p in PARTS if row_field(i, p) in errors}
            else:
                row_mods, row_errors = set(), {}
            row.mark(row_mods, row_errors, i + 1)
        self._update_header(loaded, values)
        self.form.post_message(Marked(set(mods), values.name))

    def shown_errors(self, values: FormValues, mods: set[str]) -> dict[str, str]:
        """The errors to show now: all after a save was tried, else those of loaded or touched fields."""
        out: dict[str, str] = {}
        blank = {i for i, r in enumerate(values.rows) if r.origin is None and not r.key and _blank(r.value)}
        for error in values.errors():
            row = error.row
            touched = error.field in mods or (row is not None and row_field(row) in mods)
            if self.save_tried or (row not in blank and (self.show_all_errors or touched)):
                out.setdefault(error.field, error.message)
        for name, (message, seen) in list(self.server_errors.items()):
            if field_value(values, name) != seen:
                del self.server_errors[name]  # the user changed what the server complained about
            else:
                out.setdefault(name, message)
        return out

    def notes(self, values: FormValues, rows: list[PropertyRow]) -> dict[str, str]:
        """Warnings that do not stop a save: spaces around a key, a number a float cannot hold as typed."""
        out: dict[str, str] = {}
        note = key_note(values.identifier_key)
        if note:
            out["identifier_key"] = f"Warning: {note}."
        for i, (row, widget) in enumerate(zip(values.rows, rows)):
            note = key_note(row.key)
            if note:
                out[row_field(i, "key")] = f"Warning: {note}."
            if row.type is PropertyType.NUMBER and isinstance(row.value, float):
                note = number_note(widget.editor.text)
                if note:
                    out[row_field(i, "value")] = f"Warning: {note}."
        return out

    def _update_header(self, loaded: Draft, values: FormValues) -> None:
        position = {id(p): i for i, p in enumerate(loaded.properties)}
        kept = {id(r.origin) for r in values.rows if r.origin is not None}
        removed = sum(1 for p in loaded.properties if id(p) not in kept)
        # New rows sort last: a new row above a loaded one is a reorder too (PATCH only appends).
        order = [position.get(id(r.origin), len(position)) if r.origin is not None else len(position)
                 for r in values.rows]
        notes = []
        if removed:
            notes.append(f"{removed} removed")
        if order != sorted(order):
            notes.append("order changed")
        text = Text(f"Properties ({len(values.rows)})", style="bold")
        if notes:
            text.append(f"  {MARK} " + ", ".join(notes))
        title = self._header_part("props-title")
        # Its width follows its text, so a new text is laid out (set_text skips an unchanged one: typing
        # in a value never gets here with a change).
        set_text(title, text)  # type: ignore[arg-type]
        title.set_class(bool(notes), "-modified")
        # The key hint gives way to the notes at 80 columns; the footer and help still list the keys.
        self._header_part("props-hint").display = not notes and not self.readonly


class MarksAttribute:
    """An attribute of a form that is its ``marks``' attribute of the same name: read and written there."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, form: Any, owner: type | None = None) -> Any:
        return self if form is None else getattr(form.marks, self.name)

    def __set__(self, form: Any, value: Any) -> None:
        setattr(form.marks, self.name, value)


def _blank(value: Any) -> bool:
    """An editor nobody has typed in yet."""
    return value == "" or (isinstance(value, Unparsed) and not value.text)
