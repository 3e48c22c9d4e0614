"""How long the app waits before it acts on its own: one settings object, so tests can set the times.

Every delay of the shell lives here (the draft debounce, the filter debounce, the loading line, how often
a scan repaints) and the
app hands its ``Timing`` down; a test builds the app with shorter times and waits on what happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """The shell's delays, in seconds."""

    # A modified form's texts are written this long after typing stops, and at least every ``draft_max_wait``.
    draft_delay: float = 0.7
    draft_max_wait: float = 5.0
    # Typing in a filter (the list's name filter, the link picker) waits this long for a pause.
    filter_debounce: float = 0.3
    # A page that takes longer than this shows "Loading…" (a quick one never flickers).
    loading_delay: float = 0.25
    # A property filter's scan repaints its progress at most this often (its first page, the page of
    # matches filling up and its end are always painted): a paint per page would delay the keys.
    scan_paint_every: float = 0.1
    # What the draft keeper and the scan read the time from (a test steps its own).
    clock: Callable[[], float] = time.monotonic
