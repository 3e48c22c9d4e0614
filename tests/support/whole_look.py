"""The whole look the widget form took at its marks before it stood on ``PropertyRows``: every field and
row read again from ``FormValues`` on each change. Kept here as the reference the model's incremental
marks are checked against (tests/core/test_property_rows.py)."""

from __future__ import annotations

from typing import Any

from identity_tui.core.draft import Draft
from identity_tui.core.fields import row_field
from identity_tui.core.form import FormValues, Unparsed, key_note, number_note
from identity_tui.core.kinds import PropertyType
from identity_tui.tui.form_model import field_value


class WholeMarks:
    """What the form marked, worked out from the whole of ``FormValues`` at once."""

    def __init__(self, *, show_all_errors: bool) -> None:
        # A new form stays quiet about empty required fields, and a just-added row about its empty key,
        # until a save is tried; a loaded identity's problems show at once.
        self.show_all_errors = show_all_errors
        self.save_tried = False
        self.server_errors: dict[str, tuple[str, Any]] = {}

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

    def notes(self, values: FormValues, texts: list[str]) -> dict[str, str]:
        """Warnings that do not stop a save: spaces around a key, a number a float cannot hold as typed
        (``texts``: each row's value as typed)."""
        out: dict[str, str] = {}
        note = key_note(values.identifier_key)
        if note:
            out["identifier_key"] = f"Warning: {note}."
        for i, (row, text) in enumerate(zip(values.rows, texts)):
            note = key_note(row.key)
            if note:
                out[row_field(i, "key")] = f"Warning: {note}."
            if row.type is PropertyType.NUMBER and isinstance(row.value, float):
                note = number_note(text)
                if note:
                    out[row_field(i, "value")] = f"Warning: {note}."
        return out


def header(loaded: Draft, values: FormValues) -> tuple[int, bool]:
    """The properties header's notes: how many loaded properties were removed, and whether the order changed."""
    position = {id(p): i for i, p in enumerate(loaded.properties)}
    kept = {id(r.origin) for r in values.rows if r.origin is not None}
    removed = sum(1 for p in loaded.properties if id(p) not in kept)
    # New rows sort last: a new row above a loaded one is a reorder too (PATCH only appends).
    order = [position.get(id(r.origin), len(position)) if r.origin is not None else len(position)
             for r in values.rows]
    return removed, order != sorted(order)


def _blank(value: Any) -> bool:
    """An editor nobody has typed in yet."""
    return value == "" or (isinstance(value, Unparsed) and not value.text)
