"""The app's button: every press from the keyboard counts."""

from __future__ import annotations

from textual.widgets import Button


class KeyButton(Button):
    """A ``Button`` that takes every enter or space.

    Textual's ignores a keyboard press while its press effect from the one before still shows (0.2 s), so
    an enter typed ahead right after another, or right after a dialog opened by the button was closed,
    was lost: "enter esc enter" on Delete… left no dialog open, where typed slowly it opens it again.
    A click keeps Textual's own guard against a double click.
    """

    def action_press(self) -> None:
        self.press()
