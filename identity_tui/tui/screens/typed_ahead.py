"""A dialog's priority enter decides only once the keys typed just ahead of it have reached the text box.

A priority binding is handled before the keys typed ahead of it (a paste, a fast typist) reach the focused
box, so acting at once would act on older text.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen


def after_typed_ahead(screen: Screen, action: Callable[[], None]) -> None:
    """Call ``action`` once the focused widget has taken the keys typed before, if ``screen`` is still on top."""

    def if_open() -> None:
        if screen.is_attached and screen.app.screen is screen:  # a second enter found it answered already
            action()

    focused = screen.focused
    if focused is not None:
        focused.call_later(if_open)
    else:
        if_open()
