"""A dialog's priority enter decides only once the keys typed just ahead of it have been dealt with.

A priority binding is handled before the keys typed ahead of it (a paste, a fast typist) reach the focused
box, so acting at once would act on older text; and a key the focused widget does not take bubbles up
through its containers and the screen to the app, which would run it with the bindings of the screen on
top by then (the list's, once the dialog has closed), not the dialog's.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget


def after_typed_ahead(screen: Screen, action: Callable[[], None]) -> None:
    """Call ``action`` once the keys typed before it are dealt with, if ``screen`` is still on top.

    A tab among those keys moves the focus on, and the keys after it are handed to the next field: then
    the wait goes on there, until the field that has the focus has taken every key before the action.
    Then it waits for the containers of every field it waited on, the deepest first and the app last, so
    that the keys those fields let bubble up have run while ``screen`` was still on top.
    """
    fields: list[Widget] = []

    def on_top() -> bool:
        return screen.is_attached and screen.app.screen is screen  # not when a second enter answered it

    def after(widget: Widget) -> None:
        """Once ``widget`` has handled the keys it holds, on up through its containers (or on to the field
        the focus moved to)."""
        fields.append(widget)
        up = containers()
        if not widget.call_later(climb, widget, up):
            climb(widget, up)  # gone meanwhile (a row deleted in the burst): it holds no keys

    def containers() -> list[DOMNode]:
        """Every container of the fields waited on, once each, the deepest first (the app last)."""
        seen: dict[int, DOMNode] = {}
        for field in fields:
            for node in field.ancestors:
                seen.setdefault(id(node), node)
        return sorted(seen.values(), key=lambda node: -len(node.ancestors))

    def climb(widget: Widget, up: list[DOMNode]) -> None:
        """Each of ``up`` in turn, once it has handled the keys it holds, then ``action``; if the focus has
        moved meanwhile (a tab among the keys, or a key that bubbled up), the wait goes on from there."""
        if not on_top():
            return
        focused = screen.focused
        if focused is not None and focused is not widget:
            after(focused)
        elif up:
            if not up[0].call_later(climb, widget, up[1:]):
                climb(widget, up[1:])  # a container gone meanwhile holds no keys
        else:
            action()

    focused = screen.focused
    if focused is not None:
        after(focused)
    elif on_top():
        action()
