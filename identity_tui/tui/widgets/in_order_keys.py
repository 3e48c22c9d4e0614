"""Keys taken in the order typed: a widget's own bindings run where its typed characters are handled."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, Select


# The screen's keys that move the focus: a burst's keys after one belong to the next field.
FOCUS_MOVES = frozenset({"focus_next", "focus_previous", "app.focus_next", "app.focus_previous"})


class InOrderKeys:
    """Runs the widget's own key bindings (backspace, delete, arrows…) where its typed characters are handled.

    Textual inserts a printable key in the focused widget's handler but runs a non-priority binding only
    once the key has bubbled up to the app, through a queue per ancestor. When a burst of keys is queued
    at once (key repeat, an unbracketed paste over SSH), the characters typed after a backspace would
    land before it. Running the binding here keeps every key in the order it was typed; a tab (the
    screen's focus move) runs here too, and the burst's keys queued behind it go on to the next field.
    """

    async def on_key(self, event: events.Key) -> None:
        widget: Widget = self  # type: ignore[assignment]
        focused = widget.screen.focused
        if focused is not None and focused is not widget:
            if widget in focused.ancestors:
                return  # a key bubbling up from a focused part of this widget (a select's open list)
            # A tab earlier in the same burst moved the focus on: the keys queued here after it are the
            # next field's, handed on in the order they came.
            event.stop()
            event.prevent_default()
            if not isinstance(focused, InOrderKeys):
                # A field that does not take keys in order (a select, a switch, a button) would let its
                # tab bubble up to the screen only after the keys handed to it, and those would be lost
                # there: its tab moves the focus on here, and the keys after it go on to the next field.
                active = widget.screen.active_bindings.get(event.key)
                if active is not None and active.binding.action in FOCUS_MOVES and active.enabled:
                    await widget.app.run_action(active.binding.action, active.node)
                    return
            handed = events.Key(event.key, event.character)
            # Marked as the app marks a key it hands to the focused widget: one the field does not take
            # bubbles up to the app's bindings (the dialog's, while it is on top), not back to the app as
            # a fresh keystroke typed again into whatever has the focus by then.
            handed._set_forwarded()
            focused.post_message(handed)
            return
        if event.is_printable:
            return  # the widget's own handler inserts it, in turn
        active = widget.screen.active_bindings.get(event.key)
        if active is None or active.binding.priority or not active.enabled:
            return  # a priority key the app has already run, or no key at all: as before
        if active.node is not widget:
            if active.binding.action not in FOCUS_MOVES:
                return  # an ancestor's key: it bubbles up as before
            event.prevent_default()  # the screen's tab/shift+tab: moved on here, before the next keys land
        if await widget.app.run_action(active.binding.action, active.node):
            event.stop()
        # else skipped (down in a one-line box cannot scroll): it bubbles on to the screen's key, as before


class OrderedInput(InOrderKeys, Input):
    """An ``Input`` that takes a burst of keys in the order typed: a drop-in wherever a screen has one."""


class OrderedSelect(InOrderKeys, Select[str]):
    """A ``Select`` whose tab in a burst moves the focus at once, so the keys after it reach the next field."""
