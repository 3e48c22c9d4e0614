"""An answer nested too deeply is one sentence, and nothing else runs meanwhile at the bottom of that depth.

The JSON decoder recurses to the interpreter's limit before it gives up. If the garbage collector runs in
there, a finalizer (any ``__del__``, an unclosed resource) runs with no stack left: its error, and then the
error of the hook reporting it, reached stderr ahead of the sentence ("Exception ignored in
sys.unraisablehook"), now and then, on a busy machine."""

from __future__ import annotations

import httpx
import pytest

from identity_tui.core.client import LettaClient
from identity_tui.core.errors import BadResponse
from tests.support.deep_gc import collecting_everywhere

DEEP = b"[" * 100_000 + b"]" * 100_000


async def test_no_finalizer_runs_while_a_deep_answer_is_decoded():
    client = LettaClient("http://letta.test", transport=httpx.MockTransport(lambda r: httpx.Response(
        200, content=DEEP, headers={"content-type": "application/json"})))
    try:
        with collecting_everywhere() as hurt:  # a collection at almost every allocation, the decoder's deep ones too
            with pytest.raises(BadResponse, match="nested too deeply"):
                await client.get("identity-00000000-0000-4000-8000-000000000001")
    finally:
        await client.aclose()
    assert hurt == []
