"""A one-shot timer that a screen restarts and stops, whose tick never acts once it was stopped.

Used for the waits of the shell (a filter's debounce, the list's loading indicator): on a busy machine a
stopped Textual timer's tick may already be queued, so each start is a round and only the current round acts.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class Countdown:
    """At most one timer of ``owner`` at a time: a start replaces the one running, a stop ends it for good."""

    def __init__(self, owner: MessagePump) -> None:
        self._owner = owner
        self._timer: Timer | None = None
        self._round = 0
        # What the running timer calls when it runs out (None when none runs): a tick already queued
        # keeps it, and calling it after a stop or a newer start does nothing.
        self.tick: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        """True between a start and the tick or the stop."""
        return self._timer is not None

    def start(self, delay: float, action: Callable[[], None]) -> None:
        """Call ``action`` after ``delay`` seconds, unless stopped or started again first."""
        self.stop()
        this_round = self._round

        def tick() -> None:
            if this_round == self._round:
                self._timer = None
                self.tick = None
                action()

        self.tick = tick
        self._timer = self._owner.set_timer(delay, tick)

    def stop(self) -> None:
        """No tick of the timers started so far acts, even one already queued."""
        self._round += 1
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.tick = None
