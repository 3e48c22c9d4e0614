"""Three-way merge of an identity: my edit and someone else's save, both made since the form was loaded.

The server has no ETag and no locking, so the only defence is to re-read before writing and merge:
``base`` is what the form was loaded from, ``theirs`` what the server holds now, ``mine`` the form's draft.
A field or property changed on one side only takes that side's value; changed on both sides to different
values it is a conflict, decided per row by a choice (``MINE`` or ``THEIRS``). Properties are matched by
key (a rename is a removal plus an addition); a list with a key twice counts it once, first place and last
value, as the server's own PATCH does. The order of the list merges too: the side that moved rows wins,
and if both moved them differently the order itself is a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from identity_tui.core.diff import by_key
from identity_tui.core.draft import Draft, field_value
from identity_tui.core.fields import ORDER, SCALARS, field_key, key_field
from identity_tui.core.kinds import IdentityType
from identity_tui.core.models import same_property

MINE = "mine"
THEIRS = "theirs"


class _Absent:
    """The property is not in that version of the list."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Conflict:
    """One field both sides changed differently: ``name``, ``properties.<key>``, or ``properties`` (the order).

    Values are the field's text (scalars), a ``DraftProperty`` or ``ABSENT`` (properties), or a tuple of
    keys (the order).
    """

    field: str
    base: Any
    theirs: Any
    mine: Any

    @property
    def key(self) -> str | None:
        """The property key, for a property row."""
        return field_key(self.field)


@dataclass(frozen=True)
class Merge:
    """The merged draft, the conflicts (each decided by ``choices``, mine when not chosen), what they changed."""

    draft: Draft
    conflicts: tuple[Conflict, ...] = ()
    theirs: tuple[str, ...] = ()  # their changes taken into the draft, by field name as in ``Conflict``

    @property
    def clean(self) -> bool:
        """True when nothing overlapped."""
        return not self.conflicts


def merge(base: Draft, theirs: Draft, mine: Draft, choices: Mapping[str, str] | None = None) -> Merge:
    """Merge ``mine`` and ``theirs`` (both edits of ``base``); ``choices`` decides conflicts by field name."""
    choices = choices or {}
    conflicts: list[Conflict] = []
    taken: list[str] = []
    scalars: dict[str, Any] = {}
    for name in SCALARS:
        b, t, m = (field_value(d, name) for d in (base, theirs, mine))
        value, conflict = _pick(b, t, m, name, choices, _equal)
        if conflict is not None:
            conflicts.append(conflict)
        elif t != b and value == t and m == b:
            taken.append(name)
        scalars[name] = value

    b_props, t_props, m_props = by_key(base.properties), by_key(theirs.properties), by_key(mine.properties)
    picked: dict[str, Any] = {}
    for key in _union(b_props, t_props, m_props):
        field = key_field(key)
        b, t, m = (props.get(key, ABSENT) for props in (b_props, t_props, m_props))
        value, conflict = _pick(b, t, m, field, choices, _same_prop)
        if conflict is not None:
            conflicts.append(conflict)
        elif not _same_prop(t, b) and _same_prop(m, b):
            taken.append(field)
        picked[key] = value

    keep = {k for k, v in picked.items() if v is not ABSENT}
    order, order_conflict, theirs_order = _order(list(b_props), list(t_props), list(m_props), choices)
    if order_conflict is not None:
        conflicts.append(order_conflict)
    elif theirs_order:
        taken.append(ORDER)
    primary, secondary = (list(t_props), list(m_props)) if order == THEIRS else (list(m_props), list(t_props))
    keys = _interleave(primary, secondary, keep)

    draft = replace(
        mine,
        name=scalars["name"],
        identifier_key=scalars["identifier_key"],
        identity_type=_as_type(scalars["identity_type"]),
        properties=tuple(picked[k] for k in keys),
        # The project cannot be changed by an edit (PATCH refuses it): the server's is the truth.
        project_id=theirs.project_id,
    )
    return Merge(draft, tuple(conflicts), tuple(taken))


# -- parts ------------------------------------------------------------------------------------


def _as_type(value: str) -> IdentityType | str:
    try:
        return IdentityType(value)
    except ValueError:
        return value


def _equal(a: Any, b: Any) -> bool:
    return bool(a == b)


def _same_prop(a: Any, b: Any) -> bool:
    """Same key, type and value (True, 1 and 1.0 told apart), or both absent."""
    if a is ABSENT or b is ABSENT:
        return a is b
    return same_property(a, b)


def _pick(b: Any, t: Any, m: Any, field: str, choices: Mapping[str, str],
          same: Callable[[Any, Any], bool]) -> tuple[Any, Conflict | None]:
    """The merged value of one field, and the conflict when both sides changed it differently."""
    if same(m, b):
        return t, None
    if same(t, b) or same(m, t):
        return m, None
    conflict = Conflict(field, b, t, m)
    return (t if choices.get(field) == THEIRS else m), conflict


def _union(*maps: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for m in maps:
        seen.update(dict.fromkeys(m))
    return list(seen)


def _order(
    b: list[str], t: list[str], m: list[str], choices: Mapping[str, str]
) -> tuple[str, Conflict | None, bool]:
    """Whose order the merged list follows, the order conflict if any, and whether that is their move alone.

    A side "moved" rows when the keys all three versions share stand in another order than in ``base``;
    keys added or removed are not a move.
    """
    common = set(b) & set(t) & set(m)
    ob = tuple(k for k in b if k in common)
    ot = tuple(k for k in t if k in common)
    om = tuple(k for k in m if k in common)
    mine_moved, theirs_moved = om != ob, ot != ob
    if mine_moved and theirs_moved and om != ot:
        conflict = Conflict(ORDER, tuple(b), tuple(t), tuple(m))
        side = THEIRS if choices.get(ORDER) == THEIRS else MINE
        return side, conflict, False
    if theirs_moved and not mine_moved:
        return THEIRS, None, True
    return MINE, None, False


def _interleave(primary: list[str], secondary: list[str], keep: set[str]) -> list[str]:
    """``primary``'s kept keys in its order, then each kept key only ``secondary`` has, placed after the
    key it follows there (or first, when it follows none), so a row added on either side stays where it
    was added and rows appended on both sides stay appended."""
    out = [k for k in primary if k in keep]
    placed = set(out)
    for i, key in enumerate(secondary):
        if key not in keep or key in placed:
            continue
        at = 0
        for before in reversed(secondary[:i]):
            if before in placed:
                at = out.index(before) + 1
                break
        out.insert(at, key)
        placed.add(key)
    return out
