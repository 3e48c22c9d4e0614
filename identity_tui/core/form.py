"""The edit form's values without its widgets: typed text parsed and converted, errors placed, changes found.

The screen reads its widgets into a ``FormValues`` and asks this module what the draft is, what is
wrong with it and which fields differ from what was loaded; nothing here knows about Textual.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
import re
from dataclasses import dataclass, field, replace
from typing import Any

from identity_tui.core.display import one_line
from identity_tui.core.jsontext import dumps, loads, safe_escapes
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import same_value, value_error
from identity_tui.core.diff import diff
from identity_tui.core.draft import Draft, DraftError, DraftProperty, FormFields
from identity_tui.core.fields import FIELDS, PARTS, PROPERTIES, parse_row_field, row_field
from identity_tui.core.planner import NOT_TEXT, WIRE_DEPTH_MAX, is_text, validate_draft, wire_problem

TYPE_ORDER = (PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON)

# ASCII digits with an optional fraction and exponent: no hex, no underscores, no "nan"/"inf", and
# none of the other scripts' digits that Python's int() would quietly accept.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

ENTER_A_VALUE = "enter a value"


class ValueProblem(ValueError):
    """Typed text that does not parse as its type; the message is a short phrase for the row."""


@dataclass(frozen=True)
class Unparsed:
    """Text the user typed that is not yet a value of its type; it never equals a real value."""

    text: str
    error: str


# -- numbers ------------------------------------------------------------------------------------


def parse_number(text: str) -> int | float:
    """``"42"`` -> 42 and ``"4.0"`` -> 4.0 (the kind is kept); NaN, infinities, hex and ``1_000`` are refused."""
    s = text.strip()
    if not s:
        raise ValueProblem("enter a number")
    if not _NUMBER.fullmatch(s):
        raise ValueProblem("not a number: write digits like 42 or 4.5")
    if "." in s or "e" in s or "E" in s:
        value = float(s)
        if not math.isfinite(value):
            raise ValueProblem("too large: must be a finite number")
        return value
    try:
        return int(s)
    except ValueError:  # Python refuses to parse ints of more than 4300 digits
        raise ValueProblem("too many digits") from None


def number_note(text: str) -> str | None:
    """A warning for a number a float cannot hold as written (``1.0000000000000001`` becomes 1.0), or None."""
    try:
        value = parse_number(text)
    except ValueProblem:
        return None
    if isinstance(value, float) and Decimal(text.strip()) != Decimal(repr(value)):
        return f"stored as {value!r}: more digits than a float holds"
    return None


def key_note(key: str) -> str | None:
    """A warning for a key with spaces at either end (kept as typed, but easy to miss), or None."""
    if key.strip() and key != key.strip():
        return "starts or ends with a space: it is stored with it"
    return None


def number_text(value: int | float) -> str:
    """The text that parses back to exactly ``value`` (``4.0`` stays ``"4.0"``)."""
    return repr(value) if isinstance(value, float) else str(value)


# -- JSON ---------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueProblem(f"{name} is not JSON: use a finite number")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys and drops the other without a word: that is data loss.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueProblem(f"key '{one_line(key, 40)}' appears twice in one object: keep one")
        out[key] = value
    return out


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object ``text`` holds; a syntax error names its line and column, a repeated key names the key."""
    if not text.strip():
        raise ValueProblem("enter a JSON object, for example {}")
    try:
        value = loads(text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise ValueProblem(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ValueProblem(f"nested more than {WIRE_DEPTH_MAX} levels deep") from None
    except ValueProblem:
        raise
    except ValueError:  # Python refuses to read an integer of more than 4300 digits
        raise ValueProblem("a number in it has too many digits") from None
    if not isinstance(value, dict):
        kind = {list: "an array", type(None): "null", str: "a string", bool: "true/false"}.get(
            type(value), "a number"
        )
        raise ValueProblem(f"must be a JSON object {{…}}, not {kind} (the server refuses those)")
    problem = value_error(PropertyType.JSON, value)
    if problem:
        raise ValueProblem(problem)
    return value


def json_text(value: Any) -> str:
    """A JSON value laid out for editing, two spaces a level, with no raw control characters: json.dumps
    escapes C0 controls itself, and ``safe_escapes`` the rest (DEL, C1, bidi controls, line separators),
    so the JSON means the same and shows them plainly."""
    return safe_escapes(dumps(value, indent=2))


# -- values as text -----------------------------------------------------------------------------


def value_text(ptype: PropertyType | str, value: Any) -> str:
    """What a text editor of type ``ptype`` shows for ``value`` (whatever kind the server stored)."""
    if isinstance(value, Unparsed):
        return value.text
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if PropertyType(ptype) is PropertyType.JSON:
        return json_text(value)
    return dumps(value)


def read_text(ptype: PropertyType | str, text: str, origin: DraftProperty | None = None, *,
              touched: bool = False) -> Any:
    """The value a text editor holds: untouched text gives back the loaded value exactly.

    A stored value that does not fit its type (a string property holding 42) comes back only while
    nobody typed in the field (``touched``): once someone did, the text is read as the type says.
    """
    t = PropertyType(ptype)
    if (
        origin is not None
        and PropertyType(origin.type) is t
        and text == value_text(t, origin.value)
        and not (touched and value_error(t, origin.value))
    ):
        return origin.value
    if t is PropertyType.STRING:
        return text
    try:
        if t is PropertyType.NUMBER:
            return parse_number(text)
        if t is PropertyType.JSON:
            return parse_json_object(text)
    except ValueProblem as exc:
        return Unparsed(text, str(exc))
    return Unparsed(text, "edit this value with a switch")


def read_switch(on: bool, origin: DraftProperty | None = None, *, pending: bool = False,
                touched: bool = False) -> Any:
    """The value a boolean switch holds; a stored non-boolean survives until the switch is toggled (either way)."""
    if pending:
        return Unparsed("", f"{ENTER_A_VALUE}: space toggles")
    if (
        origin is not None
        and PropertyType(origin.type) is PropertyType.BOOLEAN
        and not isinstance(origin.value, bool)
        and not on
        and not touched
    ):
        return origin.value
    return on


def parse_typed_text(ptype: PropertyType, raw: str) -> object:
    """The value ``raw`` means as ``ptype``, typed on a command line or in a one-line field (ints stay ints,
    NaN refused, a boolean is true or false, json an object); ``ValueProblem`` says why not."""
    if ptype is PropertyType.STRING:
        return raw
    if ptype is PropertyType.NUMBER:
        return parse_number(raw)
    if ptype is PropertyType.BOOLEAN:
        if raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise ValueProblem("a boolean is true or false")
    return parse_json_object(raw)


def convert(value: Any, to: PropertyType | str) -> Any:
    """``value`` as type ``to`` when that is lossless ("42" -> 42, 1 -> "1", true -> "true"), else an ``Unparsed``."""
    t = PropertyType(to)
    if t is PropertyType.STRING:
        if isinstance(value, Unparsed):
            return value.text
        return value_text(t, value)
    text = value.text if isinstance(value, Unparsed) else value
    if t is PropertyType.NUMBER:
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            return text
        if isinstance(text, str):
            try:
                return parse_number(text)
            except ValueProblem:
                pass
    elif t is PropertyType.BOOLEAN:
        if isinstance(text, bool):
            return text
        if isinstance(text, str) and text.strip().lower() in ("true", "false"):
            return text.strip().lower() == "true"
    else:
        if isinstance(text, dict):
            return text
        if isinstance(text, str):
            try:
                return parse_json_object(text)
            except ValueProblem:
                pass
    return Unparsed("", ENTER_A_VALUE)


def next_type(ptype: PropertyType | str) -> PropertyType:
    """The type after ``ptype`` in the order string, number, boolean, json (wrapping round)."""
    i = TYPE_ORDER.index(PropertyType(ptype))
    return TYPE_ORDER[(i + 1) % len(TYPE_ORDER)]


# -- the whole form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowValues:
    """One property row: its key, type, value (or ``Unparsed``) and the loaded property it began as."""

    key: str
    type: PropertyType
    value: Any
    origin: DraftProperty | None = None

    def draft(self) -> DraftProperty:
        return DraftProperty(self.key, PropertyType(self.type), self.value)


@dataclass(frozen=True)
class FormValues(FormFields):
    """Everything the form holds, read from its widgets."""

    rows: tuple[RowValues, ...] = field(default_factory=tuple)

    def draft(self) -> Draft:
        """The draft the planner takes (unparsed values stay ``Unparsed`` and so always differ)."""
        try:
            kind: IdentityType | str = IdentityType(self.identity_type)
        except ValueError:
            kind = self.identity_type
        return Draft(
            name=self.name,
            identifier_key=self.identifier_key,
            identity_type=kind,
            properties=tuple(r.draft() for r in self.rows),
            project_id=self.project_id or None,
        )

    def errors(self) -> list[DraftError]:
        """Every problem, in form order: a value that does not parse says why in its own words."""
        unparsed = {
            row_field(i, "value"): r.value.error
            for i, r in enumerate(self.rows)
            if isinstance(r.value, Unparsed)
        }
        misfits = {
            row_field(i, "value"): misfit_message(r.type, r.value)
            for i, r in enumerate(self.rows)
            if r.origin is not None and not isinstance(r.value, Unparsed) and same_value(r.value, r.origin.value)
            and value_error(r.type, r.value)
        }
        blank = {
            row_field(i, "key"): "Key is required."
            for i, r in enumerate(self.rows)
            if not r.key.strip() and (r.origin is None or r.origin.key != r.key)
        }
        found = [DraftError(f, _sentence(m)) for f, m in unparsed.items()]
        found += [DraftError(f, m) for f, m in blank.items()]
        found += [DraftError(f, m) for f, m in misfits.items()]
        found += [e for e in validate_draft(self.draft())
                  if e.field not in unparsed and e.field not in misfits and e.field not in blank]
        return sorted(found, key=lambda e: field_order(e.field))


_KIND = {
    PropertyType.STRING: ("text", "type in it to store text"),
    PropertyType.NUMBER: ("a number", "type a number"),
    PropertyType.BOOLEAN: ("a boolean", "toggle it to store true or false"),
    PropertyType.JSON: ("a JSON object", "type a JSON object"),
}


def row_errors(row: RowValues) -> dict[str, str]:
    """The first error of each part of one row, as ``FormValues.errors`` words it for a form of that row
    alone (so never a repeated key): the same answers, without building a whole form per row."""
    found: dict[str, str] = {}
    value = row.value
    if isinstance(value, Unparsed):
        found["value"] = _sentence(value.error)
    if not row.key.strip() and (row.origin is None or row.origin.key != row.key):
        found["key"] = "Key is required."
    if ("value" not in found and row.origin is not None and same_value(value, row.origin.value)
            and value_error(row.type, value)):
        found["value"] = misfit_message(row.type, value)
    if "key" not in found and not is_text(row.key):
        found["key"] = f"Key {NOT_TEXT}."
    try:
        ptype = PropertyType(row.type)
    except ValueError:
        found.setdefault("type", "Unknown property type.")
        return found
    if "value" not in found:
        problem = value_error(ptype, value) or wire_problem(value)
        if problem:
            found["value"] = f"Value {problem}."
    return found


def misfit_message(ptype: PropertyType | str, value: Any) -> str:
    """What the server holds for a value that does not fit its type, literally, and the two ways out."""
    kind, fix = _KIND[PropertyType(ptype)]
    stored = one_line(dumps(value), 40)
    return f"stored: {stored} (not {kind}): it does not fit its type; {fix}, or change the type (ctrl+t)."


def _sentence(phrase: str) -> str:
    text = phrase[:1].upper() + phrase[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def field_order(name: str) -> tuple[int, int, int]:
    """Sort key that puts errors in the order the form shows its fields."""
    if name in FIELDS:
        return (FIELDS.index(name), 0, 0)
    row = parse_row_field(name)
    if row is not None:
        index, part = row
        return (len(FIELDS), index, PARTS.index(part) if part in PARTS else len(PARTS))
    return (len(FIELDS) + 1, 0, 0)


def empty_draft(project_id: str | None = None) -> Draft:
    """What a new identity's form starts as: empty names, type user, no properties."""
    return Draft(name="", identifier_key="", identity_type=IdentityType.USER, project_id=project_id or None)


def modified_fields(loaded: Draft, values: FormValues) -> set[str]:
    """Which fields differ from what was loaded: ``name``, ``properties.2.value``, ``properties`` (the list)…"""
    found = diff(loaded, values.draft())
    out = set(found.fields)
    for i, row in enumerate(values.rows):
        origin = row.origin
        parts = []
        if origin is None:
            parts = list(PARTS)
        else:
            if row.key != origin.key:
                parts.append("key")
            if PropertyType(row.type) is not PropertyType(origin.type):
                parts.append("type")
            if not same_value(row.value, origin.value):
                parts.append("value")
        if parts:
            out.add(row_field(i))
            out.update(row_field(i, p) for p in parts)
    if not found.same_rows:
        out.add(PROPERTIES)
    return out


def rebase_rows(rows: tuple[RowValues, ...], baseline: Draft) -> tuple[RowValues, ...]:
    """Point each row's origin at the property with the same key in a new baseline (after a partial save)."""
    by_key: dict[str, DraftProperty] = {}
    for prop in baseline.properties:
        by_key.setdefault(prop.key, prop)
    return tuple(
        replace(row, origin=by_key.get(row.origin.key) if row.origin is not None else None) for row in rows
    )
