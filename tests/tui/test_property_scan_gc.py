"""A kept match nested nearly as deep as the encoder can write is read back with no finalizer run at the
bottom of that depth: the decoder goes as deep as the encoder went, to a few frames short of the limit,
where a collection would run finalizers with no stack left (see tests/support/deep_gc.py)."""

from __future__ import annotations

from identity_tui.core.summary import summarize
from identity_tui.tui.property_scan import pack, unpack
from tests.support.deep_gc import collecting_everywhere


def row(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return summarize({"id": "identity-1", "identifier_key": "k", "name": "n", "identity_type": "user",
                      "project_id": None, "properties": [{"key": "j", "type": "json", "value": value}]})


def deepest_packed():
    """The deepest row ``pack`` keeps as text from here, found by trying."""
    depth = 1_000
    while not isinstance(kept := pack(row(depth)), str):
        depth -= 1
    return kept, row(depth)


def test_no_finalizer_runs_while_a_deep_kept_match_is_read_back():
    kept, expected = deepest_packed()
    with collecting_everywhere() as hurt:
        got = unpack(kept)
    assert got == expected
    assert hurt == []
