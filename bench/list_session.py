"""The list at scale: the real app in a pty, talking HTTP to a 100,000-identity sandbox on loopback.

One session per server latency: launch (several times, to time the first page), then cursor moves,
a hundred page turns, typing a name filter, and jumping to the last page (``>``: one request in
the opposite order, however long the list), each key timed from its write to the pty until the
end of the first frame that shows its effect. Between page turns the "user" reads for a moment, as
people do; that is when the app prefetches the next page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import app_argv, child_env, ms
from bench.server import RecordingSandbox, serve
from bench.term import Terminal, TimedOut

FIRST_PAGE = "Page 1 · rows 1–50"
LAST_PAGE = "Last page · "
LAUNCHES = 5
CURSOR_MOVES = 40  # down, then back up: the table scrolls on the way
PAGES = 100
READ_PAUSE = 0.3  # seconds a page stays on screen before the next turn
FILTER = "kowal"  # matches only the surname Kowalski in the seed data
FILTER_SURNAME = "Kowalski"
FILTER_ROUNDS = 3
PLACEHOLDER = "/ filter by name"
TYPE_GAP = 0.06  # between keys: a quick typist, well inside the filter's debounce


@dataclass
class ListResult:
    """What one session measured; times in milliseconds."""

    delay_ms: float
    launch_ms: list[float] = field(default_factory=list)  # spawn -> first page painted
    after_response_ms: list[float] = field(default_factory=list)  # its response sent -> painted
    cursor_ms: list[float] = field(default_factory=list)  # j/k with nothing in flight
    cursor_busy_ms: list[float] = field(default_factory=list)  # j right after a page turn, as the prefetch starts
    page_ms: list[float] = field(default_factory=list)
    pages_loading: int = 0  # page turns that had to show "Loading…" first
    type_ms: list[float] = field(default_factory=list)
    filter_applied_ms: float = 0.0  # last key -> filtered rows painted (debounce included)
    filter_requests: list[dict[str, str]] = field(default_factory=list)  # list requests while filtering
    jump_end_ms: float = 0.0  # > -> the last page painted
    peak_rss_kb: int = 0

    @property
    def all_cursor_ms(self) -> list[float]:
        return self.cursor_ms + self.cursor_busy_ms


def _any(_: str) -> bool:
    return True


def _idle(term: Terminal, seconds: float) -> None:
    """Let the app run for ``seconds`` while reading (and dropping) what it paints."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        term.pump(left)
    term.settle(quiet=0.02, timeout=1.0)


def _key(term: Terminal, key: str, match: Any = _any, timeout: float = 10.0) -> tuple[float, int, float]:
    """Press ``key``: milliseconds until the first frame matching ``match``, the index of the first frame
    read after the press, and the moment of the press."""
    first = len(term.frames)
    t = term.press(key)
    frame = term.wait_for(match, after=t, timeout=timeout)
    return ms(frame.t - t), first, t


def _launch(url: str, env: dict[str, str], recorder: RecordingSandbox, result: ListResult) -> Terminal:
    term = Terminal(app_argv("--base-url", url), env=env).spawn()
    try:
        frame = term.wait_for(FIRST_PAGE, timeout=30)
    except Exception:
        term.close()
        raise
    first = [s for s in recorder.lists(since=term.t_spawn) if "after" not in s.query]
    result.launch_ms.append(ms(frame.t - term.t_spawn))
    result.after_response_ms.append(ms(frame.t - first[0].t))
    return term


def _cursor(term: Terminal, result: ListResult) -> None:
    for key in "j" * CURSOR_MOVES + "k" * CURSOR_MOVES:
        result.cursor_ms.append(_key(term, key)[0])
        term.settle(quiet=0.02)


def _pages(term: Terminal, result: ListResult) -> None:
    for n in range(2, PAGES + 2):
        took, first, _ = _key(term, "]", f"Page {n} · rows")
        result.page_ms.append(took)
        if any("Loading…" in f.text for f in term.frames[first:-1]):
            result.pages_loading += 1
        term.settle(quiet=0.02)
        for _ in range(2):
            result.cursor_busy_ms.append(_key(term, "j")[0])
            term.settle(quiet=0.02)
        _idle(term, READ_PAUSE)


def _filter(term: Terminal, recorder: RecordingSandbox, result: ListResult) -> None:
    for round_ in range(FILTER_ROUNDS):
        _key(term, "/")
        term.settle(quiet=0.05)
        since = time.perf_counter()
        for k in range(1, len(FILTER) + 1):
            if k > 1:
                _idle(term, TYPE_GAP)
            took, _, t_last = _key(term, FILTER[k - 1], FILTER[:k])
            result.type_ms.append(took)
        # Every visible row names the surname once the filtered page is painted.
        frame = term.wait_for(lambda text: text.count(FILTER_SURNAME) >= 8, after=t_last, timeout=15)
        if round_ == 0:
            result.filter_applied_ms = ms(frame.t - t_last)
            _idle(term, 0.3 + 2 * recorder.delay)  # the filtered page's prefetch
            result.filter_requests = [s.query for s in recorder.lists(since) if s.query.get("name")]
        term.settle(quiet=0.1)
        _clear_filter(term)
        _idle(term, 0.3 + 2 * recorder.delay)


def _clear_filter(term: Terminal) -> None:
    """Esc empties the filter box (its placeholder comes back) and returns to the first page.

    A lone ESC is only known to be one after Textual's escape delay; on a busy machine it can take
    longer, so it is pressed again if the placeholder does not come back.
    """
    for attempt in range(3):
        try:
            _key(term, "\x1b", PLACEHOLDER, timeout=3)
            return
        except TimedOut:
            if attempt == 2:
                raise


def _jump_to_end(term: Terminal, result: ListResult) -> None:
    result.jump_end_ms = _key(term, ">", LAST_PAGE, timeout=15)[0]


def run(tmp: Path, sandbox: Any, delay: float = 0.0) -> ListResult:
    """Run one session against ``sandbox`` served with ``delay`` seconds of latency per request."""
    server, recorder = serve(sandbox, delay)
    env = child_env(tmp / f"home-list-{int(delay * 1000)}")
    result = ListResult(delay_ms=delay * 1000)
    try:
        for _ in range(LAUNCHES - 1):
            term = _launch(server.base_url, env, recorder, result)
            term.close()
        term = _launch(server.base_url, env, recorder, result)
        try:
            _idle(term, 0.5 + 2 * delay)  # the total and the next page arrive
            _cursor(term, result)
            _pages(term, result)
            _filter(term, recorder, result)
            _jump_to_end(term, result)
            result.peak_rss_kb = term.status("VmHWM")
        finally:
            term.close()
    finally:
        server.stop()
    return result
