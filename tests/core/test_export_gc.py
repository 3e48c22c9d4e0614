"""An export to CSV reads its spooled rows back with no finalizer run at the bottom of their depth.

A row is spooled as JSON text and read back once the header is known; a value nested nearly as deep as the
stack allows takes the decoder to a few frames short of the limit, where a collection would run finalizers
with no stack left (see tests/support/deep_gc.py)."""

from __future__ import annotations

import io
import json

from identity_tui.core import export
from identity_tui.core.summary import summarize
from tests.support.deep_gc import collecting_everywhere


def wire(depth: int) -> dict:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return {"id": "identity-00000000-0000-4000-8000-000000000001", "identifier_key": "k", "name": "n",
            "identity_type": "user", "project_id": None, "properties": [{"key": "j", "type": "json", "value": value}]}


class OnePage:
    """A client whose list holds one identity."""

    def __init__(self, item: dict) -> None:
        self.item = item

    async def list_page(self, limit: int, after: str | None = None, **filters: object) -> list:
        return [] if after else [summarize(self.item)]


async def deepest_readable() -> int:
    """The deepest value json.loads reads from about the stack depth the export reads at, less a few levels."""
    depth = 1_000
    while True:
        try:
            json.loads("[" * depth + "]" * depth)
            return depth - 8
        except RecursionError:
            depth -= 1


async def test_no_finalizer_runs_while_a_deep_spooled_row_is_read_back():
    item = wire(await deepest_readable())
    out = io.StringIO()
    with collecting_everywhere() as hurt:
        count = await export.write(OnePage(item), "csv", out, {})  # type: ignore[arg-type]
    assert count == 1 and out.getvalue().startswith("id,identifier_key,")
    assert hurt == []
