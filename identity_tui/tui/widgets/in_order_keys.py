"""Keys taken in the order typed: a widget's own bindings run where its typed characters are handled."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


class InOrderKeys:
    """Runs the widget's own key bindings (backspace, delete, arrows…) where its typed characters are handled.

    Textual inserts a printable key in the focused widget's handler but runs a non-priority binding only
    once the key has bubbled up to the app, through a queue per ancestor. When a burst of keys is queued
    at once (key repeat, an unbracketed paste over SSH), the characters typed after a backspace would
    land before it. Running the binding here keeps every key in the order it was typed.
    """

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return  # the widget's own handler inserts it, in turn
        widget: Widget = self  # type: ignore[assignment]
        active = widget.screen.active_bindings.get(event.key)
        if active is None or active.node is not widget or active.binding.priority or not active.enabled:
            return  # an ancestor's key, or a priority one the app has already run: as before
        event.stop()
        await widget.app.run_action(active.binding.action, widget)


class OrderedInput(InOrderKeys, Input):
    """An ``Input`` that takes a burst of keys in the order typed: a drop-in wherever a screen has one."""
