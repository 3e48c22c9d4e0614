"""A collection at almost every allocation, with garbage whose finalizer needs a little stack: for tests that
a parser's deep recursion runs no finalizer at its bottom.

A parser (json, ``ast.literal_eval``) recurses to the interpreter's limit on deeply nested text before it
gives up. If the garbage collector runs down there, a finalizer runs with no stack left: its error, and then
the error of the hook reporting it, reach stderr ("Exception ignored in sys.unraisablehook") ahead of the
app's one sentence. ``collecting_everywhere`` makes that certain where it would happen now and then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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


@contextmanager
def collecting_everywhere() -> Iterator[list[int]]:
    """Meanwhile a collection at almost every allocation, each with a finalizer to run (a command makes
    thousands of collections before it reads its file); yields the list that gets an entry for each
    finalizer that ran short of stack (empty when none did)."""
    old = gc.get_threshold()
    Garbage.hurt, Garbage.left = [], 10**9
    try:
        gc.set_threshold(1, 1, 1)
        Garbage()
        yield Garbage.hurt
    finally:
        Garbage.left = 0
        gc.set_threshold(*old)
        gc.collect()
