"""Every name of Textual's that is not public, in one place, and nowhere else in identity-tui.

``tests/tui/test_textual_private.py`` names each one and checks that it still does what this module
relies on, so a Textual release that renames or changes one fails that test loudly instead of breaking
the app quietly; the dependency's pin is as wide as that test has been run on.

- ``textual.keys._normalize_key_list``: how Textual spells a binding's keys (``ctrl+n, tab`` ->
  ``ctrl+n,tab``), used to check the config's ``[keymap]`` the way Textual will read it.
- ``textual.keys._character_to_key``: the key name Textual gives a punctuation character (``/`` ->
  ``slash``), used where a key is made from a character.
- ``Input._value`` (the rich ``Text`` an ``Input`` draws) and ``Input._watch_value`` (run on every change of
  its value): ``DrawnInput`` turns both into two public hooks, ``drawn_text`` and ``value_changed``.
"""

from __future__ import annotations

from rich.text import Text
from textual.keys import _character_to_key, _normalize_key_list
from textual.widgets import Input

__all__ = ["DrawnInput", "character_to_key", "normalize_key_list"]


def normalize_key_list(keys: str) -> str:
    """A binding's keys as Textual reads them: ``"ctrl+n, tab"`` -> ``"ctrl+n,tab"``."""
    return _normalize_key_list(keys)


def character_to_key(character: str) -> str:
    """The key name of one character: ``"/"`` -> ``"slash"``."""
    return _character_to_key(character)


class DrawnInput(Input):
    """An ``Input`` whose drawn text and change watcher are given by two public hooks."""

    def drawn_text(self) -> Text | None:
        """The text to draw for the value (None: Textual's own)."""
        return None

    def value_changed(self, value: str) -> None:
        """Called on every change of the value, before Textual's own watcher."""

    @property
    def _value(self) -> Text:
        drawn = self.drawn_text()
        return super()._value if drawn is None else drawn

    def _watch_value(self, value: str) -> None:
        self.value_changed(value)
        super()._watch_value(value)
