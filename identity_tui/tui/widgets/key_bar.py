"""The key bar at the bottom of a screen: the shown bindings of what has focus, drawn as one line.

It reads the same bindings as Textual's Footer and looks the same, but it is a single widget:
Footer mounts a widget per key and mounts them all again whenever the bindings change (every focus
move), which is most of a screen's set-up time. Clicking a key presses it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.widget import Widget

from identity_tui.tui.keymap import UNBOUND


# Keys a person must always find, whatever the width: they are kept and the others dropped first. The list's
# actions on marked identities are among them: they are in the bar only while something is marked.
ESSENTIAL_ACTIONS = {"quit", "help", "back", "delete_marked", "batch_property", "export_marked", "clear_marks"}


def _fitting(items: list[tuple[int, bool]], room: int) -> list[int]:
    """Indexes of the (width, essential) items drawn in ``room`` cells, in their order: whole keys only,
    the essential ones first, then the others from the left while they fit."""
    chosen: set[int] = set()
    used = 0
    for only_essential in (True, False):
        for index, (width, essential) in enumerate(items):
            if essential != only_essential or index in chosen:
                continue
            if used + width > room:
                if only_essential:
                    continue
                break
            chosen.add(index)
            used += width
    return sorted(chosen)


class KeyBar(Widget, can_focus=False):
    """Keys and what they do, then the command palette's key on the right."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description", "key-bar--palette"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--palette {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        # (first cell, last cell + 1, key, enabled) of each key drawn, for clicks.
        self._spans: list[tuple[int, int, str, bool]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def _items(self) -> tuple[list[tuple[str, str, str, bool, bool]], tuple[str, str, str, bool] | None]:
        """(key, key as shown, description, enabled, essential) for each shown binding, one per action; the palette's."""
        app = self.app
        seen: set[str] = set()
        items = []
        palette = None
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action == "app.command_palette" or binding.key == app.COMMAND_PALETTE_BINDING:
                if app.ENABLE_COMMAND_PALETTE and palette is None:
                    palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
                continue
            if not binding.show or binding.action in seen or binding.key == UNBOUND:
                continue
            seen.add(binding.action)
            essential = binding.action.rpartition(".")[2] in ESSENTIAL_ACTIONS
            items.append((binding.key, app.get_key_display(binding), binding.description, enabled, essential))
        return items, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        width = self.size.width
        items, palette = self._items()
        tail = Text(no_wrap=True, end="")
        if palette is not None:
            tail.append("▏", style=self.get_component_rich_style("key-bar--palette", partial=True))
            tail.append(palette[1], style=key_style)
            tail.append(f"{palette[2]} ", style=description_style)
        room = width - tail.cell_len
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str, bool]] = []
        drawn = [
            (key, Text.assemble((f" {shown} ", key_style), (f"{description} ", description_style)), enabled)
            for key, shown, description, enabled, _essential in items
        ]
        for index in _fitting([(item.cell_len, essential) for (*_, essential), (_, item, _) in zip(items, drawn)], room):
            key, item, enabled = drawn[index]
            if not enabled:
                item.stylize("dim")
            spans.append((line.cell_len, line.cell_len + item.cell_len, key, enabled))
            line.append_text(item)
        if palette is not None and room >= 0:
            line.append(" " * (room - line.cell_len))
            spans.append((line.cell_len, width, palette[0], palette[3]))
            line.append_text(tail)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                event.stop()
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
