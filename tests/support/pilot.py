"""Shared Pilot helpers for tests that drive the real app."""

from __future__ import annotations


async def settle(pilot, app) -> None:
    """Wait until the keys typed have settled, the workers are idle and the screen has caught up (twice: a
    worker may start another)."""
    for _ in range(2):
        await app.keys_settled()
        await pilot.pause()
        await app.workers.wait_for_complete()
    await app.keys_settled()
    await pilot.pause()
