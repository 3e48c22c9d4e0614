"""``--prop KEY[:TYPE]=VALUE`` read exactly as the form reads a typed value, and the draft a command means."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from identity_tui.commands.args import UsageError
from identity_tui.core.display import one_line
from identity_tui.core.draft import set_properties
from identity_tui.core.fields import FIELDS, LABELS, parse_row_field
from identity_tui.core.form import ValueProblem, parse_json_object, parse_number
from identity_tui.core.kinds import PropertyType
from identity_tui.core.planner import Draft, DraftError, DraftProperty

TYPES = {t.value: t for t in PropertyType}


def parse_prop(text: str) -> DraftProperty:
    """``seats:number=10`` -> a number property; no type means a string. A key may hold ``:`` itself
    (``a:b=1`` is the string property ``a:b``) unless what follows the last ``:`` names a type."""
    head, sep, raw = text.partition("=")
    if not sep:
        raise UsageError(f"--prop {one_line(text, 40)!s}: write KEY=VALUE or KEY:TYPE=VALUE.")
    key, colon, type_name = head.rpartition(":")
    if not colon or type_name not in TYPES:
        key, type_name = head, "string"
    ptype = TYPES[type_name]
    if not key.strip():
        raise UsageError(f"--prop {one_line(text, 40)}: the key is empty.")
    return DraftProperty(key, ptype, read_value(key, ptype, raw))


def read_value(key: str, ptype: PropertyType, raw: str) -> object:
    """The value of ``--prop``, checked as the form checks it (ints stay ints, NaN refused, json an object)."""
    try:
        if ptype is PropertyType.STRING:
            return raw
        if ptype is PropertyType.NUMBER:
            return parse_number(raw)
        if ptype is PropertyType.BOOLEAN:
            if raw.strip().lower() in ("true", "false"):
                return raw.strip().lower() == "true"
            raise ValueProblem("a boolean is true or false")
        return parse_json_object(raw)
    except ValueProblem as exc:
        raise UsageError(f"Property '{one_line(key, 40)}' ({ptype.value}): {_sentence(str(exc))}") from None


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."


def with_props(draft: Draft, props: Iterable[DraftProperty], unset: Iterable[str] = ()) -> tuple[Draft, list[str]]:
    """``draft`` with each property set (in its place, or appended) and each ``unset`` key removed;
    also the keys asked to be removed that it does not have."""
    rows = list(set_properties(draft.properties, props))
    missing = []
    for key in unset:
        if not any(p.key == key for p in rows):
            missing.append(key)
        rows = [p for p in rows if p.key != key]
    return replace(draft, properties=tuple(rows)), missing


def error_sentence(draft: Draft, error: DraftError) -> str:
    """A draft's problem worded as the form words it, naming the field."""
    where = LABELS[error.field] if error.field in FIELDS else error.field
    row = parse_row_field(error.field)
    if row is not None:
        index, part = row
        key = draft.properties[index].key if index < len(draft.properties) else str(index)
        part = part or "key"
        where = f"Property '{one_line(key, 40)}'" + ("" if part == "value" else f" {part}")
    return f"{where}: {_sentence(error.message)}"
