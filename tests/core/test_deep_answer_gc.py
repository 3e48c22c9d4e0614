"""An answer nested too deeply is one sentence, and nothing else runs meanwhile at the bottom of that depth.

The JSON decoder recurses to the interpreter's limit before it gives up. If the garbage collector runs in
there, a finalizer (any ``__del__``, an unclosed resource) runs with no stack left: its error, and then the
error of the hook reporting it, reached stderr ahead of the sentence ("Exception ignored in
sys.unraisablehook"), now and then, on a busy machine."""

from __future__ import annotations

import gc

import httpx
import pytest

from identity_tui.core.client import LettaClient
from identity_tui.core.errors import BadResponse

DEEP = b"[" * 100_000 + b"]" * 100_000


def nest(n: int) -> int:
    return 0 if n == 0 else 1 + nest(n - 1)


class Garbage:
    """A cycle whose finalizer needs a little stack, and leaves another like it: there is always some."""

    hurt: list[int] = []
    left = 0

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        try:
            nest(40)
        except RecursionError:
            Garbage.hurt.append(1)
        if Garbage.left > 0:
            Garbage.left -= 1
            Garbage()


async def test_no_finalizer_runs_while_a_deep_answer_is_decoded(monkeypatch):
    client = LettaClient("http://letta.test", transport=httpx.MockTransport(lambda r: httpx.Response(
        200, content=DEEP, headers={"content-type": "application/json"})))
    old = gc.get_threshold()
    Garbage.hurt, Garbage.left = [], 5_000
    try:
        gc.set_threshold(1, 1, 1)  # a collection at almost every allocation, the decoder's deep ones too
        Garbage()
        with pytest.raises(BadResponse, match="nested too deeply"):
            await client.get("identity-00000000-0000-4000-8000-000000000001")
    finally:
        Garbage.left = 0
        gc.set_threshold(*old)
        gc.collect()
        await client.aclose()
    assert Garbage.hurt == []
