"""Keys typed ahead land where they would have landed typed slowly: one key in flight at a time.

A terminal hands a burst (key repeat, an unbracketed paste over SSH, a quick typist) to the app all at once,
and Textual routes every key of it to whichever widget has the focus when the app takes it off its queue,
while what an earlier key set off (a binding that moves the focus, mounts a row, pushes or pops a screen)
is still on its way through the widgets' queues. So a tab's next characters went into the old field, keys
after an enter ran on the list under the new screen, and a row added by ctrl+n was passed over by the tab
after it.

``KeyGate`` sits in front of that routing (mixed in before ``App``): a raw key (or a paste) that arrives
while an earlier one is still settling waits, in order, and is handed on only once the earlier one has
settled, to wherever the focus is by then. A key settles when:

1. every node it went through (the widget it was handed to and each container up to the app) has handled
   everything queued before a marker put behind it, so its bindings have run wherever they bubbled to;
2. then, unless it was a character the focused field simply took, the app, the screen, the focused widget
   and every node with something queued are drained twice over with nothing changing in between (a message
   two hops away that pushes a screen, a mount, a focus call);
3. and, when the screen, the focus or the widgets changed, one refresh has passed (focus order follows
   layout, so a tab right after a mount must see the new row where it is drawn).

It never waits for workers or timers ("typed slowly" is slower than the interface, not than the network),
and a key that does not settle within ``settle_limit`` seconds lets the next one go, as Textual would have.
Typing at a normal pace never waits at all: a key that finds nothing settling is handed on at once, in the
app's own task, exactly as Textual hands it on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from textual import events
from textual.app import App
from textual.dom import DOMNode

HELD = (events.Key, events.Paste)
PASSES = 30  # drain passes at most per key
# While keys are held for a screen that is not ready (``hold_keys``), these still go at once: esc leaves
# it, and the keys held before it (typed into what is being left) are dropped.
LEAVE_KEYS = frozenset({"escape"})


class KeyGate:
    """Mixin for an ``App``: holds a burst's keys in order until the key before each has settled."""

    settle_limit: float = 5.0  # seconds a key may take to settle before the next one goes anyway
    hold_limit: float = 180.0  # seconds a hold may last before the keys go anyway

    def _gate_state(self) -> dict[str, Any]:
        state = self.__dict__.get("_key_gate")
        if state is None:
            state = self.__dict__["_key_gate"] = {"held": deque(), "busy": False, "task": None,
                                                  "idle": asyncio.Event(), "current": None, "returned": False,
                                                  "late": 0, "holds": set()}
            state["idle"].set()
        return state

    @property
    def keys_waiting(self) -> int:
        """Keys held until the one before them settles (0 when the gate is idle)."""
        state = self._gate_state()
        return len(state["held"]) + (1 if state["busy"] else 0)

    @property
    def keys_let_go_late(self) -> int:
        """How many keys went on because the one before did not settle within ``settle_limit``."""
        return int(self._gate_state()["late"])

    async def keys_settled(self) -> None:
        """Wait until every key posted so far has been handed on and has settled."""
        app = cast("App[Any]", self)  # a mixin for the app
        done = asyncio.Event()
        if app.call_later(done.set):  # keys posted before this call have reached the gate
            await done.wait()
        await self._gate_state()["idle"].wait()

    def hold_keys(self) -> Callable[[], None]:
        """Hold every key typed from now on (esc aside) until the returned function is called: for a screen
        that cannot take keys yet (a form whose fresh copy and rows are still loading). Then they go on in
        order, each once the one before has settled, as if typed once it was ready."""
        state = self._gate_state()
        token = object()
        state["holds"].add(token)

        def release() -> None:
            if token in state["holds"]:
                state["holds"].discard(token)
                expiry.cancel()
                if state["held"] and not state["holds"]:
                    self._gate_wake_settler(state)

        expiry = asyncio.get_running_loop().call_later(self.hold_limit, release)
        return release

    def stop_key_gate(self) -> None:
        """Drop held keys and stop settling (the app is closing)."""
        state = self._gate_state()
        state["held"].clear()
        state["holds"].clear()
        task = state["task"]
        if task is not None and not task.done():
            task.cancel()
        state["idle"].set()

    async def on_event(self, event: events.Event) -> None:
        state = self._gate_state()
        if isinstance(event, HELD) and not event.is_forwarded:
            if state["holds"]:
                if not (isinstance(event, events.Key) and event.key in LEAVE_KEYS):
                    state["held"].append(event)
                    state["idle"].clear()
                    return
                state["held"].clear()  # typed into a screen being left
            if state["busy"] or state["held"]:
                state["held"].append(event)
                self._gate_wake_settler(state)
                return
            # Nothing in flight: handed on at once, in the app's task, as Textual would; the keys after it
            # wait until it has settled.
            state["busy"] = True
            state["idle"].clear()
            target = self._gate_target()
            snapshot = self._gate_cheap_snapshot()
            state["current"], state["returned"] = event, False
            await super().on_event(event)  # type: ignore[misc]  # the App's, after this mixin
            self._gate_wake_settler(state, (event, target, snapshot))
            return
        if isinstance(event, HELD) and event is state["current"]:
            state["returned"] = True  # it came back up to the app: its binding runs now
        await super().on_event(event)  # type: ignore[misc]  # the App's, after this mixin

    # -- the settler ---------------------------------------------------------------------------------

    def _gate_wake_settler(self, state: dict[str, Any], first: tuple[Any, Any, Any] | None = None) -> None:
        if first is not None:
            state["first"] = first
        task = state["task"]
        if task is None or task.done():
            state["task"] = asyncio.get_running_loop().create_task(self._gate_settler(state))

    async def _gate_settler(self, state: dict[str, Any]) -> None:
        app = cast("App[Any]", self)  # a mixin for the app
        try:
            while True:
                first = state.pop("first", None)
                if first is not None:
                    event, target, snapshot = first
                else:
                    if not state["held"] or state["holds"]:
                        break
                    event = state["held"].popleft()
                    state["busy"] = True
                    box: list[Any] = []
                    snapshot = self._gate_cheap_snapshot()
                    delivered = asyncio.Event()
                    state["current"], state["returned"] = event, False
                    if not app.call_later(self._gate_deliver, event, box, delivered):
                        break  # the app is closing
                    await delivered.wait()
                    target = box[0] if box else None
                try:
                    await asyncio.wait_for(self._gate_settle(event, target, snapshot, state), self.settle_limit)
                except asyncio.TimeoutError:
                    state["late"] += 1
                state["current"] = None
                state["busy"] = False
        finally:
            state["busy"] = False
            if not state["held"]:
                state["idle"].set()

    async def _gate_deliver(self, event: events.Event, box: list[Any], delivered: asyncio.Event) -> None:
        """Hand a held key on as Textual would (priority bindings, then the focused widget), in the app's task."""
        try:
            box.append(self._gate_target())
            await super().on_event(event)  # type: ignore[misc]  # the App's, after this mixin
        finally:
            delivered.set()

    def _gate_target(self) -> DOMNode | None:
        app = cast("App[Any]", self)  # a mixin for the app
        try:
            return app.focused or app.screen
        except Exception:  # no screen yet (start-up) or any more (shutdown)
            return None

    def _gate_cheap_snapshot(self) -> tuple[Any, ...]:
        app = cast("App[Any]", self)  # a mixin for the app
        try:
            screen = app.screen
        except Exception:
            return (None, None, 0)
        return (screen, screen.focused, len(app.screen_stack))

    def _gate_snapshot(self, nodes: list[DOMNode]) -> tuple[Any, ...]:
        return (*self._gate_cheap_snapshot(), len(nodes))

    def _gate_nodes(self) -> list[DOMNode]:
        app = cast("App[Any]", self)  # a mixin for the app
        out: list[DOMNode] = [app]
        for screen in list(app.screen_stack):
            out.extend(screen.walk_children(with_self=True))
        return out

    async def _gate_settle(self, event: events.Event, target: DOMNode | None, before: tuple[Any, ...],
                      state: dict[str, Any]) -> None:
        # 1. The key's own path: the widget it went to, then each container up to the app.
        app = cast("App[Any]", self)  # a mixin for the app
        for node in target.ancestors_with_self if target is not None else [app]:  # the app is the last
            await _marker(node)
        # A character the focused field took, with nothing else changed: settled.
        if (isinstance(event, events.Key) and event.is_printable and not state["returned"]
                and target is not None and target is before[1] and self._gate_cheap_snapshot() == before):
            return
        # 2. Drain until two passes in a row change nothing and leave nothing queued.
        nodes = await self._gate_drain()
        # 3. A changed screen, focus or set of widgets: one refresh, so the focus order is the drawn one. The
        # widgets are compared with those the key before left (a widget swapped for another, as a row's value
        # editor is when ctrl+t changes its type, keeps their number).
        widgets = _widgets(nodes)
        changed = widgets != state.get("widgets")
        state["widgets"] = widgets
        if changed or self._gate_cheap_snapshot() != before or state["returned"]:
            done = asyncio.Event()
            try:
                scheduled = app.screen.call_after_refresh(done.set)
            except Exception:
                scheduled = False
            if scheduled:
                await done.wait()
            state["widgets"] = _widgets(await self._gate_drain())

    async def _gate_drain(self) -> list[DOMNode]:
        """Drain until two passes in a row change nothing and leave nothing queued; the widgets as they are then."""
        app = cast("App[Any]", self)  # a mixin for the app
        quiet = 0
        nodes = self._gate_nodes()  # one walk of the widgets a pass: the snapshot and the queues both come from it
        last = self._gate_snapshot(nodes)
        for _ in range(PASSES):
            try:
                focused = app.screen.focused
                extra = [app, app.screen, *([focused] if focused is not None else [])]
            except Exception:
                extra = [app]
            seen: set[int] = set()
            waiting = []
            for node in [*extra, *(n for n in nodes if n.message_queue_size)]:
                if id(node) not in seen:
                    seen.add(id(node))
                    waiting.append(_marker(node))
            await asyncio.gather(*waiting)
            nodes = self._gate_nodes()
            now = self._gate_snapshot(nodes)
            busy = any(n.message_queue_size for n in nodes)
            quiet = quiet + 1 if now == last and not busy else 0
            last = now
            if quiet >= 2:
                break
        return nodes


def _widgets(nodes: list[DOMNode]) -> tuple[tuple[int, type], ...]:
    """Which widgets there are, in order: each one's identity and class."""
    return tuple((id(node), type(node)) for node in nodes)


async def _marker(node: DOMNode) -> None:
    """Once ``node`` has handled everything queued before this call (at once when it is closed)."""
    done = asyncio.Event()
    if node.call_later(done.set):
        await done.wait()
