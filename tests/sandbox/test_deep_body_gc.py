"""A request body nested too deeply is the server's 400, and no finalizer runs at the bottom of that depth.

FastAPI answers a body its JSON decoder cannot read for a reason other than a syntax error with
400 "There was an error parsing the body"; the decoder recurses to the interpreter's limit before it gives
up, and a collection down there printed "Exception ignored in sys.unraisablehook" (see
tests/support/deep_gc.py). The request log parses the body too."""

from __future__ import annotations

from identity_tui.sandbox import Sandbox
from tests.support.deep_gc import collecting_everywhere

DEEP = b"[" * 100_000 + b"]" * 100_000


def test_a_deep_body_is_400_and_no_finalizer_runs_while_it_is_decoded(sb: Sandbox):
    with collecting_everywhere() as hurt:
        status, _, body = sb.handle("POST", "/v1/identities/", {"content-type": "application/json"}, DEEP)
    assert (status, body) == (400, b'{"detail":"There was an error parsing the body"}')
    assert sb.request_log[-1].body is None and sb.request_log[-1].status == 400
    assert hurt == []
