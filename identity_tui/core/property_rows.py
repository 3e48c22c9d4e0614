"""The edit form's property rows as data, with their marks kept up to date one edit at a time.

A grid that draws rows from data needs to know, after each key, what changed in the rows it shows; a
whole look over every row (``form.modified_fields`` and ``FormValues.errors``) costs about 100 ms at
10,000 rows. Here an edit re-checks only its own row, and re-words only the rows that share its old or
new key (a repeated key's error names row numbers). What the marks say is the same as the whole look
says of ``values()``: modified parts, the errors shown under a row (with the form's show rules),
the notes, the removed count and whether the order changed.

Rows are named by a ``row_id`` that stays with the row through moves and is never given to another.
A row's ``version`` changes whenever its ``RowView`` does, so a grid can cache a drawn row by
(row_id, version); the row number in front of an error line is the grid's to draw from the index.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from identity_tui.core.draft import Draft, DraftProperty, field_value
from identity_tui.core.draft_texts import FormTexts, RowText
from identity_tui.core.fields import FIELDS, PARTS, PROPERTIES, parse_row_field, row_field
from identity_tui.core.form import (
    FormValues,
    RowValues,
    Unparsed,
    convert,
    key_note,
    row_errors,
    number_note,
    read_switch,
    read_text,
    value_text,
)
from identity_tui.core.kinds import PropertyType
from identity_tui.core.models import same_property, same_value
from identity_tui.core.planner import duplicate_key_message, is_text


@dataclass(frozen=True)
class RowView:
    """What a grid draws for one row: its parts, which of them changed, and the errors and notes under it
    (in ``PARTS`` order, one message a part, as the form shows them)."""

    row_id: int  # stable for the row's life
    version: int  # changes whenever anything drawn for the row changes
    key: str
    type: PropertyType
    text: str  # the value as typed; for a boolean "true", "false", or "" while none is set
    modified: frozenset[str]  # parts among "key", "type", "value"
    errors: tuple[tuple[str, str], ...]  # (part, message) shown under the row


@dataclass(frozen=True)
class RowCheck:
    """What one row says about itself alone: all but a repeated key, which takes the other rows."""

    modified: frozenset[str]  # parts that differ from the row's origin (all of them for a new row)
    errors: Mapping[str, str]  # part -> the first error ``FormValues.errors`` gives it
    notes: Mapping[str, str]  # part -> a warning that does not stop a save
    blank: bool  # a new row nobody has typed in: its errors wait for a save


def check_row(values: RowValues, text: str) -> RowCheck:
    """Check one row, whose editor shows ``text``, as the whole form would (less a repeated key)."""
    origin = values.origin
    if origin is None:
        modified = frozenset(PARTS)
    else:
        modified = frozenset(
            part for part, differs in (
                ("key", values.key != origin.key),
                ("type", PropertyType(values.type) is not PropertyType(origin.type)),
                ("value", not same_value(values.value, origin.value)),
            ) if differs
        )
    blank = origin is None and not values.key and _blank(values.value)
    return RowCheck(modified, row_errors(values), _notes(values, text), blank)


_UNCHANGED: frozenset[str] = frozenset()


def loaded_check(values: RowValues, text: str) -> RowCheck:
    """``check_row`` of a row holding its origin's key, type and very value: no part differs from it."""
    return RowCheck(_UNCHANGED, row_errors(values), _notes(values, text), False)


def _notes(values: RowValues, text: str) -> dict[str, str]:
    """Warnings that do not stop a save: a key with spaces at its ends, a number's text that reads back
    otherwise."""
    notes: dict[str, str] = {}
    note = key_note(values.key)
    if note:
        notes["key"] = f"Warning: {note}."
    if values.type is PropertyType.NUMBER and isinstance(values.value, float):
        note = number_note(text)
        if note:
            notes["value"] = f"Warning: {note}."
    return notes


def _blank(value: Any) -> bool:
    """An editor nobody has typed in yet."""
    return value == "" or (isinstance(value, Unparsed) and not value.text)


# What a row holds until its first check and refresh (moments after it is made): shared, never shown. The
# unseen view matches no real one (its key is no text), so the first refresh always makes the row's view.
_UNSEEN = RowView(-1, 0, None, PropertyType.STRING, "", frozenset(), ())  # type: ignore[arg-type]
_UNREAD = RowValues("", PropertyType.STRING, None)
_UNCHECKED = RowCheck(frozenset(), {}, {}, False)


class _Row:
    """One row's state: what its editors hold, and what was last found about it."""

    __slots__ = ("row_id", "origin", "key", "type", "text", "on", "pending", "touched", "rank",
                 "values", "check", "dup", "server", "view", "typed", "as_loaded")

    def __init__(self, row_id: int, origin: DraftProperty | None, key: str, ptype: PropertyType, value: Any) -> None:
        self.row_id = row_id
        self.origin = origin
        self.key = key
        self.rank = 0  # where its origin stands in the baseline (new rows after all): for "order changed"
        self.dup: str | None = None  # the repeated-key error, worded with the row numbers
        self.server: dict[str, tuple[str, Any]] = {}  # part -> (what the server said, the value it said it of)
        self.view = _UNSEEN  # every row is checked and refreshed as soon as it is made
        self.typed: RowText | None = None  # the row as a draft file keeps it, made when first wanted
        self.show(ptype, value)
        # The text its origin's value was shown as: while the editor holds that very string, untouched and
        # of the origin's type, it holds the origin's value (what ``read_text`` finds, without reading).
        self.as_loaded = (origin, self.text) if origin is not None and value is origin.value else None
        self.values = _UNREAD
        self.check = _UNCHECKED

    def show(self, ptype: PropertyType, value: Any) -> None:
        """Hold ``value`` in a fresh editor of ``ptype``, as ``make_editor`` does."""
        self.type = ptype
        self.touched = False
        self.pending = isinstance(value, Unparsed)  # a boolean with no value yet
        self.on = value is True
        self.text = value_text(ptype, value) if ptype is not PropertyType.BOOLEAN else ""

    @property
    def shown_text(self) -> str:
        """The value as its editor shows it: the text, or a boolean's word ("" while none is set)."""
        if self.type is PropertyType.BOOLEAN:
            return "" if self.pending else ("true" if self.on else "false")
        return self.text

    def read(self) -> Any:
        """The value its editor holds, read as the editors read it."""
        if self.type is PropertyType.BOOLEAN:
            return read_switch(self.on, self.origin, pending=self.pending, touched=self.touched)
        loaded = self.as_loaded
        origin = self.origin
        if (loaded is not None and origin is not None and loaded[0] is origin and loaded[1] is self.text
                and not self.touched and self.type is PropertyType(origin.type)):
            return origin.value
        return read_text(self.type, self.text, origin, touched=self.touched)


class PropertyRows:
    """The four fields and the property rows of one form, with their marks; see the module's docstring.

    A key, value or type edit checks its row once and re-words the rows sharing its old or new key. Adding
    at the end, deleting the last row and moving a row one place keep the index; adding or deleting
    elsewhere shifts every row below, so the row -> index map is rebuilt once when next wanted, and the
    rows holding a repeated key are re-worded (their messages name row numbers). ``values()``,
    ``draft()`` and ``texts()`` read every row.
    """

    def __init__(self, baseline: Draft, *, show_all_errors: bool) -> None:
        self._show_all_errors = show_all_errors
        self._save_tried = False
        self._next_id = 0
        self._rows: dict[int, _Row] = {}
        self._ids: list[int] = []  # row ids in the order shown
        self._positions: dict[int, int] | None = {}  # row id -> index; None until wanted after an insert
        self._by_key: dict[str, set[int]] = {}
        self._repeated: set[str] = set()  # keys (sendable ones) more than one row holds
        self._changed: set[int] = set()  # rows with a modified part
        self._fields: dict[str, str] = {}
        self._fields_modified: set[str] = set()
        self._field_errors: dict[str, str] = {}
        self._field_server: dict[str, tuple[str, Any]] = {}
        # Against the baseline: "order changed" counts neighbours out of order; "removed" counts baseline
        # properties no row began as; the same rows row by row is known per index until rows shift.
        self._baseline = baseline
        self._new_rank = 0
        self._loaded_count: dict[int, int] = {}
        self._origin_count: dict[int, int] = {}
        self._descents = 0
        self._removed = 0
        self._aligned: dict[int, bool] | None = None
        self._misaligned = 0
        self._redrawn: set[int] = set()  # rows whose view changed since ``take_changed``

    @classmethod
    def load(cls, baseline: Draft, *, show_all_errors: bool) -> PropertyRows:
        """A form showing ``baseline``: one row per property, each with it as origin.

        ``show_all_errors`` (a loaded identity) shows a row's errors at once; otherwise (a new one) only
        those of rows that changed, until a save is tried.
        """
        model = cls(baseline, show_all_errors=show_all_errors)
        model._fields = {
            "name": baseline.name,
            "identifier_key": baseline.identifier_key,
            "identity_type": field_value(baseline, "identity_type"),
            "project_id": baseline.project_id or "",
        }
        for prop in baseline.properties:
            row = _Row(model._new_id(), prop, prop.key, PropertyType(prop.type), prop.value)
            model._rows[row.row_id] = row
            model._ids.append(row.row_id)
        model._rebuild()
        return model

    # -- reading rows -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def row_id_at(self, index: int) -> int:
        """The id of the row shown at ``index``."""
        return self._ids[index]

    def index_of(self, row_id: int) -> int:
        """Where the row stands now (counted from 0)."""
        positions = self._positions
        if positions is None:
            positions = self._positions = {rid: i for i, rid in enumerate(self._ids)}
        return positions[row_id]

    def view(self, index: int) -> RowView:
        """What to draw for the row at ``index``."""
        return self._rows[self._ids[index]].view

    def views(self) -> Iterator[RowView]:
        """Every row's view, in the order shown (what a find looks through)."""
        rows = self._rows
        return (rows[row_id].view for row_id in self._ids)

    def view_of(self, row_id: int) -> RowView:
        """What to draw for the row ``row_id``."""
        return self._rows[row_id].view

    def origin(self, row_id: int) -> DraftProperty | None:
        """The property the row began as (None for a row added here)."""
        return self._rows[row_id].origin

    def row_values(self, row_id: int) -> RowValues:
        """What the row holds: key, type, value (or ``Unparsed``) and origin."""
        return self._rows[row_id].values

    @property
    def baseline(self) -> Draft:
        """What "modified" compares with."""
        return self._baseline

    def take_changed(self) -> set[int]:
        """The rows (still here) whose view changed since the last call: what a grid must redraw."""
        changed, self._redrawn = self._redrawn, set()
        return {row_id for row_id in changed if row_id in self._rows}

    def server_errors(self) -> dict[str, tuple[str, Any]]:
        """What the server said that still shows, and the value it said it of, by field name as it stands
        now (rows by their index)."""
        out = dict(self._field_server)
        for row in self._rows.values():
            for part, said in row.server.items():
                out[row_field(self.index_of(row.row_id), part)] = said
        return out

    def clear_server_errors(self) -> None:
        """Forget what the server said (a fresh copy was loaded)."""
        self._field_server.clear()
        self._check_fields()
        for row in self._rows.values():
            if row.server:
                row.server.clear()
                self._refresh(row)

    # -- reading the whole form ------------------------------------------------------------------

    def field_text(self, name: str) -> str:
        """One of ``FIELDS`` as typed."""
        return self._fields[name]

    def field_modified(self, name: str) -> bool:
        """One of ``FIELDS`` differs from the baseline."""
        return name in self._fields_modified

    def field_errors(self) -> dict[str, str]:
        """The error or note shown beside each of ``FIELDS`` that has one."""
        return dict(self._field_errors)

    def modified_fields(self) -> set[str]:
        """What ``form.modified_fields`` says of ``values()``; linear in the modified rows."""
        out = set(self._fields_modified)
        for row_id in self._changed:
            index = self.index_of(row_id)
            out.add(row_field(index))
            out.update(row_field(index, part) for part in self._rows[row_id].check.modified)
        if not self._same_rows():
            out.add(PROPERTIES)
        return out

    @property
    def modified(self) -> bool:
        """Anything differs from the baseline."""
        return bool(self._fields_modified or self._changed) or not self._same_rows()

    @property
    def removed(self) -> int:
        """How many baseline properties no row began as."""
        return self._removed

    @property
    def order_changed(self) -> bool:
        """Rows stand in another order than their origins did (a new row above a loaded one counts)."""
        return self._descents > 0

    def values(self) -> FormValues:
        """What the form holds, as the widget form reads it for a save or a preview."""
        fields = self._fields
        return FormValues(
            name=fields["name"],
            identifier_key=fields["identifier_key"],
            identity_type=fields["identity_type"],
            project_id=fields["project_id"].strip() or None,
            rows=tuple(self._rows[rid].values for rid in self._ids),
        )

    def draft(self) -> Draft:
        """The draft the planner takes."""
        return self.values().draft()

    def texts(self) -> FormTexts:
        """Every field as typed, for a draft file."""
        values = self.values()
        rows = []
        for row_id in self._ids:  # each row's text kept until its view changes: a draft is taken after every key
            row = self._rows[row_id]
            if row.typed is None:
                row.typed = RowText(row.key, row.type.value, row.shown_text)
            rows.append(row.typed)
        return FormTexts(values.name, values.identifier_key, str(values.identity_type), values.project_id,
                         tuple(rows))

    # -- editing ---------------------------------------------------------------------------------

    def set_field(self, name: str, text: str) -> None:
        """Type ``text`` into one of ``FIELDS``."""
        if name not in FIELDS:
            raise KeyError(name)
        if self._fields[name] != text:
            self._fields[name] = text
            self._check_fields()

    def set_key(self, row_id: int, key: str) -> None:
        """Type ``key`` as the row's key."""
        row = self._rows[row_id]
        old = row.key
        if key == old:
            return
        self._by_key[old].discard(row_id)
        if not self._by_key[old]:
            del self._by_key[old]
        self._by_key.setdefault(key, set()).add(row_id)
        row.key = key
        self._check(row)
        self._reword(old)
        self._reword(key)
        self._refresh(row)

    def set_text(self, row_id: int, text: str) -> None:
        """Type ``text`` as the value of a string, number or JSON row."""
        row = self._rows[row_id]
        if row.type is PropertyType.BOOLEAN:
            raise ValueError("a boolean row takes set_switch")
        if text == row.text:
            return
        row.text = text
        row.touched = True  # the stored value is no longer kept once someone typed, even back to it
        self._check(row)
        self._refresh(row)

    def set_switch(self, row_id: int, on: bool) -> None:
        """Toggle a boolean row's switch to ``on`` (from "not set", either way is a change)."""
        row = self._rows[row_id]
        if row.type is not PropertyType.BOOLEAN:
            raise ValueError("only a boolean row has a switch")
        if on == row.on and not row.pending:
            return
        row.on, row.pending, row.touched = on, False, True
        self._check(row)
        self._refresh(row)

    def set_type(self, row_id: int, ptype: PropertyType | str) -> None:
        """Give the row another type, keeping the value when it converts and asking for one when not."""
        row = self._rows[row_id]
        new = PropertyType(ptype)
        if new is row.type:
            return
        row.show(new, convert(row.read(), new))
        self._check(row)
        self._refresh(row)

    def add(self, after_row_id: int | None = None) -> int:
        """A new empty string row after ``after_row_id`` (at the end by default); returns its id."""
        index = len(self._ids) if after_row_id is None else self.index_of(after_row_id) + 1
        row = _Row(self._new_id(), None, "", PropertyType.STRING, "")
        row.rank = self._new_rank
        self._rows[row.row_id] = row
        self._by_key.setdefault("", set()).add(row.row_id)
        self._insert(index, row.row_id)
        self._check(row)
        self._reword("")
        self._refresh(row)
        if index < len(self._ids) - 1:
            self._reword_all()
        return row.row_id

    def delete(self, row_id: int) -> None:
        """Remove the row (and what the server said of it)."""
        row = self._rows[row_id]
        index = self.index_of(row_id)
        last = index == len(self._ids) - 1
        self._take_out(index)
        del self._rows[row_id]
        self._changed.discard(row_id)
        self._by_key[row.key].discard(row_id)
        if not self._by_key[row.key]:
            del self._by_key[row.key]
        if row.origin is not None:
            origin = id(row.origin)
            self._origin_count[origin] -= 1
            if not self._origin_count[origin]:
                self._removed += self._loaded_count.get(origin, 0)
        self._reword(row.key)
        if not last:
            self._reword_all()

    def move(self, row_id: int, step: int) -> bool:
        """Move the row ``step`` places (-1 up, +1 down); False, moving nothing, when it would leave the list."""
        index = self.index_of(row_id)
        target = index + step
        if step == 0 or not 0 <= target < len(self._ids):
            return False
        if abs(step) == 1:
            self._swap(min(index, target))
            return True
        self._take_out(index)
        self._insert(target, row_id)
        self._reword_all()
        return True

    def rebase(self, baseline: Draft) -> None:
        """Compare with a new baseline, keeping what was typed (after a partial save): each row's origin
        becomes the baseline's property with its origin's key, as ``form.rebase_rows`` does."""
        by_key: dict[str, DraftProperty] = {}
        for prop in baseline.properties:
            by_key.setdefault(prop.key, prop)
        self._baseline = baseline
        for row in self._rows.values():
            if row.origin is not None:
                row.origin = by_key.get(row.origin.key)
        self._rebuild()

    @property
    def save_tried(self) -> bool:
        """Set once a save was tried: every error shows from then on."""
        return self._save_tried

    @save_tried.setter
    def save_tried(self, tried: bool) -> None:
        if tried != self._save_tried:
            self._save_tried = tried
            self._check_fields()
            for row in self._rows.values():
                self._refresh(row)

    def set_server_errors(self, errors: Mapping[str, str]) -> None:
        """What the server said of fields (``name``, ``properties.2.value``…, as ``server_field_errors``
        names them now): each is shown beside its field until that field's value changes. A row's error
        stays with the row when rows move."""
        touched: set[int] = set()
        for name, message in errors.items():
            if name in FIELDS:
                self._field_server[name] = (message, self._field_value(name))
                continue
            where = parse_row_field(name)
            if where is None or where[1] not in PARTS or not 0 <= where[0] < len(self._ids):
                continue  # not a field the form shows
            row = self._rows[self._ids[where[0]]]
            row.server[where[1]] = (message, _part_value(row.values, where[1]))
            touched.add(row.row_id)
        self._check_fields()
        for row_id in touched:
            self._refresh(self._rows[row_id])

    # -- keeping the marks -----------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _check(self, row: _Row) -> None:
        """Read the row's value and check it alone; the row at its index is compared with the baseline's."""
        row.values = RowValues(row.key, row.type, row.read(), row.origin)
        origin = row.origin
        if origin is not None and row.values.value is origin.value and row.key == origin.key \
                and row.type is PropertyType(origin.type):
            row.check = loaded_check(row.values, row.shown_text)  # as loaded: nothing to compare
        else:
            row.check = check_row(row.values, row.shown_text)
        if row.check.modified:
            self._changed.add(row.row_id)
        else:
            self._changed.discard(row.row_id)
        if self._aligned is not None:
            self._align(row.row_id, self.index_of(row.row_id))

    def _refresh(self, row: _Row) -> None:
        """Work out what the row shows; its version moves on only when that differs from before."""
        values, check = row.values, row.check
        for part, (_, seen) in list(row.server.items()):
            if _part_value(values, part) != seen:
                del row.server[part]  # the user changed what the server complained about
        found: dict[str, str] = {}
        if self._save_tried or (not check.blank and (self._show_all_errors or check.modified)):
            for part in PARTS:
                message = check.errors.get(part) or (row.dup if part == "key" else None)
                if message:
                    found[part] = message
        for part, (message, _) in row.server.items():
            found.setdefault(part, message)
        for part, note in check.notes.items():
            found.setdefault(part, note)
        errors = tuple((part, found[part]) for part in PARTS if part in found)
        old = row.view
        text = row.shown_text
        if (old.key, old.type, old.text, old.modified, old.errors) != (row.key, row.type, text, check.modified, errors):
            row.view = RowView(row.row_id, old.version + 1, row.key, row.type, text, check.modified, errors)
            row.typed = None
            self._redrawn.add(row.row_id)

    def _reword(self, key: str) -> None:
        """Word the repeated-key error of each row holding ``key`` again (the row numbers may have moved)."""
        members = self._by_key.get(key, ())
        if len(members) < 2 or not is_text(key):
            self._repeated.discard(key)
            for row_id in members:
                row = self._rows[row_id]
                if row.dup is not None:
                    row.dup = None
                    self._refresh(row)
            return
        self._repeated.add(key)
        at = sorted(self.index_of(row_id) for row_id in members)
        first, second = at[0], at[1]
        for row_id in members:
            row = self._rows[row_id]
            index = self.index_of(row_id)
            dup = duplicate_key_message(key, first, second if index == first else index)
            if dup != row.dup:
                row.dup = dup
                self._refresh(row)

    def _reword_all(self) -> None:
        """Rows shifted: every repeated key's rows are worded again."""
        for key in list(self._repeated):
            self._reword(key)

    def _check_fields(self) -> None:
        """The four fields: modified, and their errors, server errors and note, with the show rule."""
        fields = self._fields
        held = FormValues(fields["name"], fields["identifier_key"], fields["identity_type"],
                          fields["project_id"].strip() or None)
        self._fields_modified = {n for n in FIELDS if field_value(self._baseline, n) != field_value(held, n)}
        for name, (_, seen) in list(self._field_server.items()):
            if getattr(held, name) != seen:
                del self._field_server[name]
        shown: dict[str, str] = {}
        for error in held.errors():
            if self._save_tried or self._show_all_errors or error.field in self._fields_modified:
                shown.setdefault(error.field, error.message)
        for name, (message, _) in self._field_server.items():
            shown.setdefault(name, message)
        note = key_note(held.identifier_key)
        if note:
            shown.setdefault("identifier_key", f"Warning: {note}.")
        self._field_errors = shown

    def _field_value(self, name: str) -> Any:
        text = self._fields[name]
        return (text.strip() or None) if name == "project_id" else text

    def _rebuild(self) -> None:
        """Everything found again from the rows and the baseline (a load or a rebase)."""
        properties = self._baseline.properties
        position = {id(p): i for i, p in enumerate(properties)}
        size = self._new_rank = len(position)  # a new row ranks after every loaded one
        self._loaded_count = {}
        for prop in properties:
            self._loaded_count[id(prop)] = self._loaded_count.get(id(prop), 0) + 1
        self._origin_count = {}
        self._by_key = {}
        self._aligned = None
        self._positions = None
        for row_id in self._ids:
            row = self._rows[row_id]
            row.rank = size if row.origin is None else position.get(id(row.origin), size)
            if row.origin is not None:
                self._origin_count[id(row.origin)] = self._origin_count.get(id(row.origin), 0) + 1
            self._by_key.setdefault(row.key, set()).add(row_id)
            self._check(row)
        self._removed = sum(count for origin, count in self._loaded_count.items() if origin not in self._origin_count)
        ranks = [self._rows[row_id].rank for row_id in self._ids]
        self._descents = sum(1 for a, b in zip(ranks, ranks[1:]) if a > b)
        self._check_fields()
        self._repeated = set()
        for row in self._rows.values():
            row.dup = None
        for key in self._by_key:
            self._reword(key)
        for row in self._rows.values():
            self._refresh(row)

    # -- order -----------------------------------------------------------------------------------

    def _out_of_order(self, a: int | None, b: int | None) -> int:
        if a is None or b is None:
            return 0
        return 1 if self._rows[a].rank > self._rows[b].rank else 0

    def _neighbours(self, index: int) -> tuple[int | None, int | None]:
        ids = self._ids
        return (ids[index - 1] if index > 0 else None, ids[index + 1] if index + 1 < len(ids) else None)

    def _insert(self, index: int, row_id: int) -> None:
        ids = self._ids
        before = ids[index - 1] if index > 0 else None
        after = ids[index] if index < len(ids) else None
        self._descents += (self._out_of_order(before, row_id) + self._out_of_order(row_id, after)
                           - self._out_of_order(before, after))
        ids.insert(index, row_id)
        at_end = index == len(ids) - 1
        if self._positions is not None and at_end:
            self._positions[row_id] = index
        else:
            self._positions = None
        if self._aligned is not None:
            if at_end:
                self._align(row_id, index)
            else:
                self._aligned = None

    def _take_out(self, index: int) -> None:
        ids = self._ids
        row_id = ids[index]
        before, after = self._neighbours(index)
        self._descents -= (self._out_of_order(before, row_id) + self._out_of_order(row_id, after)
                           - self._out_of_order(before, after))
        at_end = index == len(ids) - 1
        ids.pop(index)
        if self._positions is not None and at_end:
            del self._positions[row_id]
        else:
            self._positions = None
        if self._aligned is not None:
            if at_end:
                self._misaligned -= int(not self._aligned.pop(row_id))
            else:
                self._aligned = None

    def _swap(self, index: int) -> None:
        """Swap the rows at ``index`` and ``index + 1``."""
        ids = self._ids
        a, b = ids[index], ids[index + 1]
        before = ids[index - 1] if index > 0 else None
        after = ids[index + 2] if index + 2 < len(ids) else None
        pairs = ((before, a), (a, b), (b, after))
        self._descents -= sum(self._out_of_order(x, y) for x, y in pairs)
        ids[index], ids[index + 1] = b, a
        pairs = ((before, b), (b, a), (a, after))
        self._descents += sum(self._out_of_order(x, y) for x, y in pairs)
        positions = self._positions
        if positions is not None:
            positions[a], positions[b] = index + 1, index
        if self._aligned is not None:
            self._align(b, index)
            self._align(a, index + 1)
        key_a, key_b = self._rows[a].key, self._rows[b].key
        self._reword(key_a)
        if key_b != key_a:
            self._reword(key_b)

    # -- the same rows as the baseline ------------------------------------------------------------

    def _align(self, row_id: int, index: int) -> None:
        """Note whether the row at ``index`` is the same property as the baseline's at that index."""
        aligned = self._aligned
        assert aligned is not None
        properties = self._baseline.properties
        same = index < len(properties) and _same(self._rows[row_id].values, properties[index])
        was = aligned.get(row_id, True)
        aligned[row_id] = same
        self._misaligned += int(not same) - int(not was)

    def _same_rows(self) -> bool:
        """The rows are the baseline's row by row (``Diff.same_rows``); after rows shifted, found anew once."""
        if len(self._ids) != len(self._baseline.properties):
            return False
        if self._aligned is None:
            self._aligned, self._misaligned = {}, 0
            for index, row_id in enumerate(self._ids):
                self._align(row_id, index)
        return self._misaligned == 0


def _same(values: RowValues, prop: DraftProperty) -> bool:
    """``same_property``, at once for a row still holding its loaded value (no walk through a deep one)."""
    if values.value is prop.value and values.key == prop.key and values.type is PropertyType(prop.type):
        return True
    return same_property(values, prop)


def _part_value(values: RowValues, part: str) -> Any:
    """A row's key, type or value, as a server error remembers it."""
    return getattr(values, part)
