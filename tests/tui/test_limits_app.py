"""The app against a hostile server on 127.0.0.1: an answer past the cap, or dripped past the request's deadline,
ends in one sentence on the cannot-connect screen instead of filling the memory or waiting for ever."""

from __future__ import annotations

import pytest

from identity_tui.core.config import Config, Connection
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.connect import ConnectScreen
from tests.support.pilot import settle
from tests.support.slow_server import MiB, Answer, SlowServer

HANG_GUARD = 60.0


@pytest.mark.parametrize(("answer", "limits", "words"), [
    (Answer("huge", size=50 * MiB, length=False), {"max_answer_mib": 1}, "more than 1 MiB"),
    (Answer("drip", body={"status": "ok", "pad": "x" * 400}, every=0.2), {"request_timeout": 1}, "within 1 s"),
], ids=["huge", "drip"])
async def test_a_hostile_answer_is_one_sentence_on_the_connect_screen(answer, limits, words):
    with SlowServer(answer, give_up=HANG_GUARD) as server:
        app = IdentityApp(Connection(base_url=server.base_url, **limits), Config(), cursor_blink=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, ConnectScreen)
            said = str(app.screen.query_one("#connect-message").render())
            assert words in said, said
            assert server.cut.wait(HANG_GUARD) and not server.finished.is_set() and not server.gave_up.is_set()
