"""A dialog's priority enter decides only once the keys typed just ahead of it have reached the text box.

A priority binding is handled before the keys typed ahead of it (a paste, a fast typist) reach the focused
box, so acting at once would act on older text.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen
from textual.widget import Widget


def after_typed_ahead(screen: Screen, action: Callable[[], None]) -> None:
    """Call ``action`` once the focused widget has taken the keys typed before, if ``screen`` is still on top.

    A tab among those keys moves the focus on, and the keys after it are handed to the next field: then
    the wait goes on there, until the field that has the focus has taken every key before the action.
    """

    def after(widget: Widget) -> None:
        def then() -> None:
            if not (screen.is_attached and screen.app.screen is screen):
                return  # a second enter found it answered already
            focused = screen.focused
            if focused is not None and focused is not widget:
                after(focused)
            else:
                action()

        widget.call_later(then)

    focused = screen.focused
    if focused is not None:
        after(focused)
    elif screen.is_attached and screen.app.screen is screen:
        action()
