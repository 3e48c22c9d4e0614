"""What differs between two versions of an identity: the one diff every "what changed" is read from.

``diff(a, b)`` takes two versions (a ``Draft`` or an ``Identity``; both have the four ``FIELDS`` and the
property list) and says which fields differ (compared by ``draft.field_value``), which property keys ``b``
added, changed (another type or value, ``True``, ``1`` and ``1.0`` told apart) or removed, whether the keys
both hold stand in another order, and whether the two lists are the same row by row. Properties are matched
by key as the server's PATCH collapses a list (``by_key``): a key listed twice counts once, first place and
last value, so a stored duplicate makes the lists differ row by row though no key differs.

Its answer is read two ways, each named for what it is used for: ``Diff.names`` names the differences as
a merge names its fields (``name``, ``properties.<key>``, ``ORDER``), and ``held_otherwise`` says where a
read-back holds something else than the draft that was sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from identity_tui.core.draft import Draft, field_value, same_properties
from identity_tui.core.fields import FIELDS, ORDER, SCALARS, key_field
from identity_tui.core.models import Identity, same_property


@dataclass(frozen=True)
class Diff:
    """How ``b`` differs from ``a``; every tuple of keys is in the order of the version that holds them."""

    fields: tuple[str, ...] = ()  # of ``FIELDS``, in that order
    added: tuple[str, ...] = ()  # keys only ``b`` holds
    changed: tuple[str, ...] = ()  # keys both hold, with another type or value in ``b`` (in ``b``'s order)
    removed: tuple[str, ...] = ()  # keys only ``a`` holds
    keys: tuple[str, ...] = ()  # the three together: as ``b`` lists them, then those only ``a`` holds
    keys_old_first: tuple[str, ...] = ()  # the three together: as ``a`` lists them, then those only ``b`` holds
    reordered: bool = False  # the keys both hold stand in another order
    same_rows: bool = True  # the two property lists are the same row by row, duplicates and order included

    @property
    def empty(self) -> bool:
        """Nothing differs: both would leave the server holding the same identity."""
        return not self.fields and self.same_rows

    def names(self) -> list[str]:
        """The differences named as a merge names its fields: the ``FIELDS`` first, then each property that
        differs as ``properties.<key>`` (in ``a``'s order, then what ``b`` added), then ``ORDER`` when the
        keys both hold stand in another order."""
        out = list(self.fields) + [key_field(k) for k in self.keys_old_first]
        if self.reordered:
            out.append(ORDER)
        return out


def by_key(properties: Iterable[Any]) -> dict[str, Any]:
    """Properties by key, as the server collapses a list: a key listed twice keeps its first place and its
    last value."""
    out: dict[str, Any] = {}
    for prop in properties:
        out[prop.key] = prop
    return out


def diff(a: Draft | Identity, b: Draft | Identity) -> Diff:
    """How ``b`` differs from ``a``."""
    old, new = by_key(a.properties), by_key(b.properties)
    changed = {k for k, prop in new.items() if k in old and not same_property(old[k], prop)}
    return Diff(
        fields=tuple(n for n in FIELDS if field_value(a, n) != field_value(b, n)),
        added=tuple(k for k in new if k not in old),
        changed=tuple(k for k in new if k in changed),
        removed=tuple(k for k in old if k not in new),
        keys=tuple(k for k in new if k in changed or k not in old) + tuple(k for k in old if k not in new),
        keys_old_first=tuple(k for k in old if k in changed or k not in new) + tuple(k for k in new if k not in old),
        reordered=[k for k in old if k in new] != [k for k in new if k in old],
        same_rows=same_properties(list(a.properties), list(b.properties)),
    )


def held_otherwise(held: Identity, draft: Draft) -> list[str]:
    """Where ``held`` (a read-back) holds something else than ``draft``; empty when it holds the draft.

    Named as the save's requests name what they set: the three ``SCALARS`` (a save never moves the project),
    then, when the lists differ row by row, each property that differs as ``properties.<key>`` (in the
    draft's order, then the keys only ``held`` has), or ``properties.(order)`` when no key does."""
    found = diff(held, draft)
    out = [n for n in found.fields if n in SCALARS]
    if not found.same_rows:
        out += [key_field(k) for k in found.keys] or [key_field("(order)")]
    return out


def patched_otherwise(held: Identity, draft: Draft, sent: set[str]) -> list[str]:
    """``held_otherwise`` kept to the ``sent`` fields of PATCHes (scalars, and properties as ``properties.<key>``),
    found without the whole diff: each sent scalar, then each sent property (in the draft's order, then the keys
    only ``held`` has) where the two differ by key."""
    out = [n for n in SCALARS if n in sent and field_value(held, n) != field_value(draft, n)]
    prefix = key_field("")
    keys = {f[len(prefix):] for f in sent if f.startswith(prefix)}
    if keys:
        old, new = by_key(held.properties), by_key(draft.properties)
        out += [key_field(k) for k, prop in new.items()
                if k in keys and (k not in old or not same_property(old[k], prop))]
        out += [key_field(k) for k in old if k in keys and k not in new]
    return out
