"""A signal's callback runs on the event loop outside the app's context (asyncio calls it as the loop's own
callback): the exit it starts must still happen while a screen is being mounted, not die on a timer of the
app's that cannot find its app (a LookupError: exit status 1 at the hang-up, or the watchdog's end 5 s later).

A Pilot test, kept with the real-terminal ones it explains.
"""

from __future__ import annotations

import asyncio
import contextvars
import signal
from pathlib import Path

from identity_tui.core.config import Config, Connection
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.help import HelpScreen


async def test_a_signal_while_a_screen_mounts_ends_the_app_with_its_status(hermetic):
    sb = Sandbox(path=":memory:")
    seed(sb, 20, rng_seed=7)
    app = IdentityApp(Connection(base_url="http://sandbox.invalid", sandbox=Path("sandbox.sqlite3")),
                      Config(), sandbox=sb, cursor_blink=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.push_screen(HelpScreen(app.screen))  # mounting when the signal is handled
            # As the signal handler hands it on: a callback of the loop's, in a context of its own.
            asyncio.get_running_loop().call_soon(app.hang_up, signal.SIGTERM, context=contextvars.Context())
            for _ in range(500):  # 10 s at the most
                if not app.is_running:
                    break
                await asyncio.sleep(0.02)
            assert not app.is_running, "the app did not end"
        assert app.return_code == 128 + signal.SIGTERM
    finally:
        sb.close()
