"""Shared Pilot helpers for tests that drive the real app."""

from __future__ import annotations

import asyncio

from textual.screen import ModalScreen
from textual.widgets import DirectoryTree
from textual.worker import WorkerState


def waiting_for_the_person(app, worker) -> bool:
    """A worker of a screen under a dialog waits for that dialog's answer (the save flow asks with
    ``push_screen_wait``): the app is idle until the person answers."""
    return isinstance(app.screen, ModalScreen) and worker.node in app.screen_stack[:-1]


def lives_with_its_widget(worker) -> bool:
    """A directory tree's loader runs as long as the tree, waiting for folders to read: never done."""
    return isinstance(worker.node, DirectoryTree)


async def workers_idle(app) -> None:
    """Wait until every worker is done, or waits for a dialog's answer."""
    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) and not waiting_for_the_person(app, w)
              and not lives_with_its_widget(w) for w in app.workers):
        # A worker that asks never completes until answered, so no waiting on all of them at once (and a
        # wait on one must not be cancelled: that would cancel the worker): look again after a turn.
        await asyncio.sleep(0.005)


async def settle(pilot, app) -> None:
    """Wait until the keys typed have settled, the workers are idle (done, or waiting for a dialog's answer)
    and the screen has caught up (twice: a worker may start another)."""
    for _ in range(2):
        await app.keys_settled()
        await pilot.pause()
        await workers_idle(app)
    await app.keys_settled()
    await pilot.pause()
