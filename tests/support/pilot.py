"""Shared Pilot helpers for tests that drive the real app."""

from __future__ import annotations

import asyncio

from textual.screen import ModalScreen


def waiting_for_the_person(app, worker) -> bool:
    """A worker of a screen under a dialog waits for that dialog's answer (the save flow asks with
    ``push_screen_wait``): the app is idle until the person answers."""
    top = app.screen
    if not isinstance(top, ModalScreen):
        return False
    stack = app.screen_stack
    return worker.node in stack[:-1]


async def workers_idle(pilot, app) -> None:
    """Wait until every worker is done, or waits for a dialog's answer."""
    while True:
        running = [w for w in app.workers if w.is_running and not waiting_for_the_person(app, w)]
        if not running:
            return
        done = [asyncio.ensure_future(w.wait()) for w in running]
        # A worker that pushes a dialog and waits for it never completes: look again after each refresh.
        finished, pending = await asyncio.wait([*done, asyncio.ensure_future(pilot.pause(0.02))],
                                               return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in finished:
            if not task.cancelled():
                task.exception()  # a failed or cancelled worker: the app says so; here it is only done


async def settle(pilot, app) -> None:
    """Wait until the keys typed have settled, the workers are idle (done, or waiting for a dialog's answer)
    and the screen has caught up (twice: a worker may start another)."""
    for _ in range(2):
        await app.keys_settled()
        await pilot.pause()
        await workers_idle(pilot, app)
    await app.keys_settled()
    await pilot.pause()
