"""The journal's disk, full or about to be: ``os.write`` (what the journal appends with) raises ENOSPC, or
puts only part of a record on disk first.

One fake for the tests of a full or half-written disk, so that each says only which writes fail::

    disk = FullDisk(monkeypatch)
    disk.full()                 # every write fails
    disk.full(when=intent_line) # only the intents' writes fail
    disk.half_then_full()       # the next write puts half its bytes on disk, then every write fails
    disk.room()                 # writes go to disk again
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

import pytest

from identity_tui.core import journal as journal_mod

NO_SPACE = "No space left on device"


def intent_line(data: bytes) -> bool:
    """A write holding an intent (outcome lines carry no operation)."""
    return b'"operation"' in data


def no_space() -> OSError:
    return OSError(errno.ENOSPC, NO_SPACE)


class FullDisk:
    """Replaces the ``os.write`` the journal calls (monkeypatched, so undone after the test)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.real_write = os.write

    def full(self, when: Callable[[bytes], bool] = lambda data: True) -> None:
        """Every write whose bytes ``when`` picks fails with ENOSPC; the others go to disk."""
        real_write = self.real_write

        def write(fd: int, data: bytes) -> int:
            if when(data):
                raise no_space()
            return real_write(fd, data)

        self._use(write)

    def half_then_full(self) -> None:
        """The next write puts the first half of its bytes on disk (a short write), then the disk is full."""
        real_write = self.real_write

        def write(fd: int, data: bytes) -> int:
            self.full()
            return real_write(fd, data[: len(data) // 2])

        self._use(write)

    def room(self) -> None:
        """Writes go to disk again."""
        self._use(self.real_write)

    def _use(self, write: Callable[[int, bytes], int]) -> None:
        self.monkeypatch.setattr(journal_mod.os, "write", write)
