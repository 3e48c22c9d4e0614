"""The marking half of the edit form: ● beside what changed, and errors and warnings beside what is wrong.

"Modified" is always a comparison of what the widgets hold with ``loaded`` (see ``core.form``); the
Changed events Textual posts, even for values set from code, only say when to look again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static, Switch, TextArea

from identity_tui.core.form import FormValues, Unparsed, key_note, modified_fields, number_note
from identity_tui.core.models import PropertyType
from identity_tui.core.planner import Draft
from identity_tui.tui.form_model import field_value
from identity_tui.tui.widgets.property_row import MARK, PARTS, PropertyRow, set_text

SCALAR_WIDGETS = {
    "name": "#name",
    "identifier_key": "#identifier-key",
    "identity_type": "#identity-type",
    "project_id": "#project-id",
}


class MarkingForm(Vertical):
    """Base of the edit form: looks again at its marks when something changed; the subclass holds the fields.

    Cost grows linearly with the rows: while rows are being added nothing is re-marked (the Changed
    events their widgets post are coalesced into one look at the end), and a refresh reads every row
    once but re-marks only the rows whose marks changed.
    """

    loaded: Draft
    readonly: bool

    @dataclass
    class Marked(Message, namespace="edit_form"):  # handled as on_edit_form_marked, where it always was
        """The marks were recomputed: ``modified`` holds the changed fields."""

        modified: set[str]
        name: str

    def __init__(self, *, show_all_errors: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        # A new form stays quiet about empty required fields, and a just-added row about its empty key,
        # until a save is tried; a loaded identity's problems show at once.
        self.show_all_errors = show_all_errors
        self.save_tried = False
        self.server_errors: dict[str, tuple[str, Any]] = {}
        self.modified: set[str] = set()
        self._refresh_pending = False
        self._parts: dict[str, Widget | None] = {}
        # Work counters, public so tests and the bench can check the cost grows linearly with the rows.
        self.refreshes = 0
        self.rows_marked = 0

    # -- what the subclass provides -----------------------------------------------------------

    @property
    def rows(self) -> list[PropertyRow]:
        """The property rows in the order shown."""
        raise NotImplementedError

    @property
    def loading_rows(self) -> bool:
        """True while rows are still being added (the marks are looked at once they are all in)."""
        raise NotImplementedError

    def values(self) -> FormValues:
        """What the form holds now."""
        raise NotImplementedError

    # -- parts ----------------------------------------------------------------------------------

    def _find_parts(self) -> None:
        """Find once, on mount, the widgets every look touches: a query each time would cost more."""
        for name in (*SCALAR_WIDGETS, *(f"{n}-mark" for n in SCALAR_WIDGETS), *(f"{n}-error" for n in SCALAR_WIDGETS)):
            selector = SCALAR_WIDGETS.get(name, f"#{name}")
            found = self.query(selector)
            self._parts[name] = found.first() if found else None
        for name in ("props", "props-title", "props-hint"):
            self._parts[name] = self.query_one(f"#{name}")

    def _scalar(self, name: str) -> Widget | None:
        if name not in self._parts:
            found = self.query(SCALAR_WIDGETS[name])
            return found.first() if found else None
        return self._parts[name]

    # -- marks ----------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    @on(TextArea.Changed)
    @on(PropertyRow.TypeChanged)
    def _something_changed(self, event: Message) -> None:
        event.stop()  # nothing above the form listens, and each hop is a queue a key waits behind
        # Many Changed events can be queued at once (each widget posts one as it mounts): one look for all.
        if self.loading_rows or self._refresh_pending:
            return
        self._refresh_pending = True
        self.call_later(self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_pending = False
        self.refresh_marks()

    def refresh_marks(self) -> None:
        """Recompute modified marks and the errors beside the fields from the widgets' values.

        Linear in the rows; only rows whose marks differ from what they show are touched.
        """
        if not self.is_mounted or self.loading_rows:
            return
        self.refreshes += 1
        values = self.values()
        self.modified = mods = modified_fields(self.loaded, values)
        errors = self.shown_errors(values, mods)
        for name, note in self.notes(values).items():
            errors.setdefault(name, note)  # shown like an error, but a save still goes
        for name in SCALAR_WIDGETS:
            widget = self._scalar(name)
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
        rows_flagged = {int(p[1]) for p in (f.split(".") for f in (*mods, *errors)) if len(p) > 2 and p[1].isdigit()}
        for i, row in enumerate(self.rows):
            if i in rows_flagged:
                row_mods = {p for p in PARTS if f"properties.{i}.{p}" in mods}
                row_errors = {p: errors[f"properties.{i}.{p}"] for p in PARTS if f"properties.{i}.{p}" in errors}
            else:
                row_mods, row_errors = set(), {}
            if row.mark(row_mods, row_errors, i + 1):
                self.rows_marked += 1
        self._update_header(values)
        self.post_message(self.Marked(set(mods), values.name))

    def shown_errors(self, values: FormValues, mods: set[str]) -> dict[str, str]:
        """The errors to show now: all after a save was tried, else those of loaded or touched fields."""
        out: dict[str, str] = {}
        blank = {i for i, r in enumerate(values.rows) if r.origin is None and not r.key and _blank(r.value)}
        for error in values.errors():
            row = error.row
            touched = error.field in mods or (row is not None and f"properties.{row}" in mods)
            if self.save_tried or (row not in blank and (self.show_all_errors or touched)):
                out.setdefault(error.field, error.message)
        for name, (message, seen) in list(self.server_errors.items()):
            if field_value(values, name) != seen:
                del self.server_errors[name]  # the user changed what the server complained about
            else:
                out.setdefault(name, message)
        return out

    def notes(self, values: FormValues) -> dict[str, str]:
        """Warnings that do not stop a save: spaces around a key, a number a float cannot hold as typed."""
        out: dict[str, str] = {}
        note = key_note(values.identifier_key)
        if note:
            out["identifier_key"] = f"Warning: {note}."
        for i, (row, widget) in enumerate(zip(values.rows, self.rows)):
            note = key_note(row.key)
            if note:
                out[f"properties.{i}.key"] = f"Warning: {note}."
            if row.type is PropertyType.NUMBER and isinstance(row.value, float):
                note = number_note(widget.editor.text)
                if note:
                    out[f"properties.{i}.value"] = f"Warning: {note}."
        return out

    def _update_header(self, values: FormValues) -> None:
        position = {id(p): i for i, p in enumerate(self.loaded.properties)}
        kept = {id(r.origin) for r in values.rows if r.origin is not None}
        removed = sum(1 for p in self.loaded.properties if id(p) not in kept)
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
        title = self._parts.get("props-title") or self.query_one("#props-title")
        # Its width follows its text, so a new text is laid out (set_text skips an unchanged one: typing
        # in a value never gets here with a change).
        set_text(title, text)  # type: ignore[arg-type]
        title.set_class(bool(notes), "-modified")
        # The key hint gives way to the notes at 80 columns; the footer and help still list the keys.
        hint = self._parts.get("props-hint") or self.query_one("#props-hint")
        hint.display = not notes and not self.readonly


def _blank(value: Any) -> bool:
    """An editor nobody has typed in yet."""
    return value == "" or (isinstance(value, Unparsed) and not value.text)
