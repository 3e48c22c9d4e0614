"""``--prop KEY[:TYPE]=VALUE`` read exactly as the form reads a typed value, and the draft a command means."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from identity_tui.commands.args import UsageError
from identity_tui.core.display import one_line
from identity_tui.core.draft import Draft, DraftProperty, set_properties
from identity_tui.core.form import ValueProblem, parse_typed_text
from identity_tui.core.kinds import PropertyType

TYPES = {t.value: t for t in PropertyType}
TYPE_NAMES = "string, number, boolean or json"
TYPE_RULE = (f"the type after the last ':' is {TYPE_NAMES} (any case); a key holding ':' names its type: "
             "'a:b:string=v'")


@dataclass(frozen=True)
class PropArg:
    """One ``--prop`` as given: ``type`` is None when none was written (an existing property keeps its
    own; a new one is a string). ``value`` is parsed when the type is known, else the raw text."""

    key: str
    type: PropertyType | None
    raw: str
    value: object

    def resolved(self, existing: PropertyType | None) -> DraftProperty:
        """The property to set, given the type of the property of that key it replaces (None: a new one)."""
        if self.type is not None:
            return DraftProperty(self.key, self.type, self.value)
        if existing is None or existing is PropertyType.STRING:
            return DraftProperty(self.key, PropertyType.STRING, self.raw)
        try:
            return DraftProperty(self.key, existing, parse_typed_text(existing, self.raw))
        except ValueProblem as exc:
            raise UsageError(f"Property '{one_line(self.key, 40)}' holds a {existing.value} and "
                             f"{one_line(self.raw, 40)!r} is not one ({_bare(str(exc))}); write "
                             f"{one_line(self.key, 40)}:{PropertyType.STRING.value}=... to make it a string."
                             ) from None


def parse_prop_arg(text: str) -> PropArg:
    """``seats:number=10`` -> a number; ``tier=gold`` -> no type (see ``PropArg``). Whatever follows the
    last ``:`` before the ``=`` must be one of the four type names, in any case, so a key holding ``:``
    writes its type (``a:b:string=v``); any other word there is refused rather than kept in the key."""
    head, sep, raw = text.partition("=")
    if not sep:
        raise UsageError(f"--prop {one_line(text, 40)!r}: write KEY=VALUE or KEY:TYPE=VALUE.")
    key, colon, type_name = head.rpartition(":")
    if not colon:
        key, ptype = head, None
    else:
        ptype = TYPES.get(type_name.strip().lower())
        if ptype is None:
            raise UsageError(f"--prop {one_line(text, 40)!r}: {one_line(type_name, 20)!r} is not a type; "
                             f"{TYPE_RULE}.")
    if not key.strip():
        raise UsageError(f"--prop {one_line(text, 40)!r}: the key is empty.")
    value = read_value(key, ptype, raw) if ptype is not None else raw
    return PropArg(key, ptype, raw, value)


def parse_props(texts: Iterable[str], unset: Iterable[str] = ()) -> list[PropArg]:
    """Every ``--prop``, refusing a key given twice, or both set and removed (``--unset``)."""
    props = [parse_prop_arg(t) for t in texts]
    seen: set[str] = set()
    for prop in props:
        if prop.key in seen:
            raise UsageError(f"--prop gives '{one_line(prop.key, 40)}' twice: give each key once.")
        seen.add(prop.key)
    for key in unset:
        if key in seen:
            raise UsageError(f"The command both sets and removes '{one_line(key, 40)}' (--prop and --unset): "
                             "give one of them.")
    return props


def resolve(props: Iterable[PropArg], existing: Iterable[DraftProperty]) -> list[DraftProperty]:
    """The properties to set, each untyped one taking the type of the property of its key in ``existing``."""
    have: dict[str, PropertyType] = {}
    for row in existing:
        have.setdefault(row.key, PropertyType(row.type))
    return [p.resolved(have.get(p.key)) for p in props]


def parse_prop(text: str) -> DraftProperty:
    """One ``--prop`` for a new property (no type given: a string)."""
    return parse_prop_arg(text).resolved(None)


def read_value(key: str, ptype: PropertyType, raw: str) -> object:
    """The value of ``--prop``, checked as the form checks it (ints stay ints, NaN refused, json an object)."""
    try:
        return parse_typed_text(ptype, raw)
    except ValueProblem as exc:
        raise UsageError(f"Property '{one_line(key, 40)}' ({ptype.value}): {_sentence(str(exc))}") from None




def _bare(text: str) -> str:
    return text.strip().rstrip(".")


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
