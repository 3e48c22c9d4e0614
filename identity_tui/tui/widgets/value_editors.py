"""One editor widget per property type, all answering the same two questions: what value do you hold, show this one."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.containers import Horizontal
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static, Switch, TextArea

from identity_tui.core.display import UNSAFE
from identity_tui.core.form import Unparsed, read_switch, read_text, value_text
from identity_tui.core.kinds import PropertyType
from identity_tui.core.draft import DraftProperty
from identity_tui.tui.textual_private import DrawnInput


# C0 controls, DEL, C1 controls, bidi controls and line separators (``core.display.UNSAFE``): written raw
# they would drive the terminal (colours, titles, the clipboard), reorder what a line appears to say, or
# break the line.
_UNSAFE = UNSAFE


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␤ for a newline…
    return "\u2421" if code == 0x7F else "\ufffd"


class VisibleControls(Highlighter):
    """Shows control and bidi characters in an Input as one visible symbol each, so the cursor stays true."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        safe = _UNSAFE.sub(_picture, plain)
        if safe != plain:
            text.plain = safe
            for match in _UNSAFE.finditer(plain):
                text.stylize("reverse", match.start(), match.end())


VISIBLE = VisibleControls()


def visible_text(value: str) -> Text:
    """``value`` with each control or bidi character as one reversed symbol.

    Built from the raw string: rich drops BEL, BS, VT, FF and CR from any text it is given, so a
    highlighter, which sees the text after that, could never show them.
    """
    text = Text(_UNSAFE.sub(_picture, value), no_wrap=True, overflow="ignore", end="")
    for match in _UNSAFE.finditer(value):
        text.stylize("reverse", match.start(), match.end())
    return text


class DrawsNothingOnceRemoved:
    """A widget that draws blank lines once it has left the DOM, instead of failing.

    When a widget is removed, its styles go with it (``get_component_styles`` then raises ``KeyError``),
    but the screen's last layout still holds it until its parent's new layout is computed a few
    messages later. A screen update in between (any repaint while a screen lies underneath redraws
    every widget of that layout) draws the removed widget, and ``TextArea`` and ``Switch`` read their
    component styles as they draw (``Input`` draws blank by itself). Seen on a loaded machine when a type change replaced a
    JSON editor, the app stopped on ``KeyError: "No 'text-area--gutter' key in COMPONENT_CLASSES"``.
    """

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.parent is None:  # type: ignore[attr-defined]
            return [Strip.blank(crop.width)] * crop.height
        return super().render_lines(crop)  # type: ignore[misc]


class FieldInput(DrawnInput):
    """A one-line field that shows control characters, and whose typing repaints only itself."""

    read_only = False  # set in a read-only form: focus, cursor and copy still work, edits do not

    def drawn_text(self) -> Text | None:
        # Textual's own builds a rich Text from the value, which drops BEL, BS, VT, FF and CR unseen.
        if self.password or self.highlighter is not VISIBLE:
            return None
        return visible_text(self.value)

    def replace(self, text: str, start: int, end: int) -> None:
        # Every edit a person makes (typing, paste, cut, delete) comes through here.
        if self.read_only:
            self.app.bell()
            return
        super().replace(text, start, end)

    def value_changed(self, value: str) -> None:
        # Textual's Input grows its virtual size with its text, and that asks for a layout of the whole
        # screen on every keystroke: with hundreds of property rows, the slowest part of typing. The
        # form's CSS fixes each field's size, so the virtual size (it only bounds scrolling) is set quietly.
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))


def text_input(value: str = "", **kwargs: Any) -> Input:
    """A one-line field the form's way: compact, cursor kept on focus, control characters made visible."""
    return FieldInput(value, compact=True, select_on_focus=False, highlighter=VISIBLE, **kwargs)


class ValueEditor:
    """What the property row needs from any value editor."""

    ptype: PropertyType

    def read(self, origin: DraftProperty | None) -> Any:
        """The value held now (an ``Unparsed`` when the text does not parse)."""
        raise NotImplementedError

    def show(self, value: Any) -> None:
        """Display ``value`` (or an ``Unparsed``'s text)."""
        raise NotImplementedError

    @property
    def focus_target(self) -> Widget:
        """The widget that takes the keyboard."""
        return self  # type: ignore[return-value]

    @property
    def text(self) -> str:
        """The value as text, for $EDITOR."""
        raise NotImplementedError

    def load_text(self, text: str) -> None:
        """Take text back from $EDITOR."""
        raise NotImplementedError


class TextValueEditor(FieldInput, ValueEditor):
    """A one-line text editor for string and number values (the number parse happens in the form model)."""

    def __init__(self, ptype: PropertyType, value: Any, **kwargs: Any) -> None:
        placeholder = "a number, e.g. 42 or 4.5" if ptype is PropertyType.NUMBER else "text"
        self.shown_text = value_text(ptype, value)
        self.touched = False  # someone typed here: a stored value that does not fit is no longer kept
        super().__init__(
            value_text(ptype, value),
            placeholder=placeholder,
            compact=True,
            select_on_focus=False,
            highlighter=VISIBLE,
            classes="value-editor",
            **kwargs,
        )
        self.ptype = ptype

    def value_changed(self, value: str) -> None:
        if value != self.shown_text:
            self.touched = True
        super().value_changed(value)

    def read(self, origin: DraftProperty | None) -> Any:
        return read_text(self.ptype, self.value, origin, touched=self.touched)

    def show(self, value: Any) -> None:
        self.shown_text = value_text(self.ptype, value)
        self.touched = False
        self.value = self.shown_text
        self.cursor_position = len(self.value)

    @property
    def text(self) -> str:
        return self.value

    def load_text(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(self.value)


class JsonValueEditor(DrawsNothingOnceRemoved, TextArea, ValueEditor):
    """A multi-line editor for a JSON object; plain text, validated by the form model (no tree-sitter)."""

    def __init__(self, value: Any, **kwargs: Any) -> None:
        super().__init__(
            value_text(PropertyType.JSON, value),
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            highlight_cursor_line=False,
            classes="value-editor",
            **kwargs,
        )
        self.ptype = PropertyType.JSON
        self.shown_text = self.text
        self.touched = False  # someone typed here: a stored value that does not fit is no longer kept

    def get_line(self, line_index: int) -> Text:
        # A control character typed or pasted raw shows as a symbol (one cell, so the cursor stays true).
        text = visible_text(self.document.get_line(line_index))
        text.overflow = None
        return text

    @on(TextArea.Changed)
    def _typed(self) -> None:
        if self.text != self.shown_text:
            self.touched = True

    def read(self, origin: DraftProperty | None) -> Any:
        return read_text(self.ptype, self.text, origin, touched=self.touched)

    def show(self, value: Any) -> None:
        self.shown_text = value_text(self.ptype, value)
        self.load_text(self.shown_text)
        self.touched = False


class ValueSwitch(DrawsNothingOnceRemoved, Switch):
    """The boolean editor's switch."""


class BoolValueEditor(Horizontal, ValueEditor):
    """A switch plus the words true/false, so the state reads without colour (NO_COLOR, ansi themes)."""

    def __init__(self, value: Any, **kwargs: Any) -> None:
        super().__init__(classes="value-editor bool-editor", **kwargs)
        self.ptype = PropertyType.BOOLEAN
        self.pending = isinstance(value, Unparsed)
        self._initial = value is True
        self.switch = ValueSwitch(self._initial)
        self.touched = False

    def compose(self) -> ComposeResult:
        yield self.switch
        yield Static(self._label(self._initial), classes="bool-label")

    @property
    def focus_target(self) -> Widget:
        return self.switch

    def _label(self, on: bool) -> Text:
        if self.pending:
            return Text("not set: space toggles")
        return Text("true" if on else "false")

    @on(Switch.Changed)
    def _toggled(self, event: Switch.Changed) -> None:
        # Only a person toggles with this event flowing: values set from code are sent with it prevented.
        self.pending = False
        self.touched = True  # either way: a stored non-boolean is replaced by what the switch says
        self.query_one(".bool-label", Static).update(self._label(event.value))

    def read(self, origin: DraftProperty | None) -> Any:
        return read_switch(self.switch.value, origin, pending=self.pending, touched=self.touched)

    def show(self, value: Any) -> None:
        self.pending = isinstance(value, Unparsed)
        on = value is True
        with self.switch.prevent(Switch.Changed):
            self.switch.value = on
        self.query_one(".bool-label", Static).update(self._label(on))

    @property
    def text(self) -> str:
        return "true" if self.switch.value else "false"

    def load_text(self, text: str) -> None:
        word = text.strip().lower()
        if word in ("true", "false"):
            self.show(word == "true")


class LiveSwitch(ValueSwitch):
    """The boolean editor's switch, telling the live row the moment a person toggles it."""

    def __init__(self, toggled: Callable[[bool], None]) -> None:
        super().__init__(False)
        self.toggled = toggled

    def toggle(self) -> LiveSwitch:
        super().toggle()
        self.toggled(self.value)  # at once: the next key may move the editors to another row
        return self


class LiveBoolEditor(BoolValueEditor):
    """``BoolValueEditor`` with a ``LiveSwitch``."""

    def __init__(self, toggled: Callable[[bool], None]) -> None:
        super().__init__(False)
        self.switch = LiveSwitch(toggled)

    def show_word(self, word: str) -> None:
        """Show a row's value as the grid words it: "true", "false", or "" while none is set."""
        self.pending = word not in ("true", "false")
        on = word == "true"
        with self.switch.prevent(Switch.Changed):
            self.switch.value = on
        self.query_one(".bool-label", Static).update(self._label(on))


def make_editor(ptype: PropertyType | str, value: Any) -> Widget:
    """The editor for ``ptype`` holding ``value``."""
    t = PropertyType(ptype)
    if t is PropertyType.BOOLEAN:
        return BoolValueEditor(value)
    if t is PropertyType.JSON:
        return JsonValueEditor(value)
    return TextValueEditor(t, value)


def edit_externally(app: Any, text: str, ptype: PropertyType) -> tuple[str | None, str | None]:
    """Edit ``text`` in $VISUAL or $EDITOR with the app suspended: (new text, None) or (None, why not)."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        return None, "Set $EDITOR (or $VISUAL) to edit values in your editor."
    suffix = ".json" if ptype is PropertyType.JSON else ".txt"
    with tempfile.TemporaryDirectory(prefix="identity-tui-") as folder:
        path = Path(folder) / f"value{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            with app.suspend():
                status = subprocess.call([*shlex.split(command), str(path)])
        except SuspendNotSupported:
            return None, "This terminal cannot hand over to an editor."
        except (OSError, ValueError) as exc:
            return None, f"Could not start {command!r}: {exc}"
        if status != 0:
            return None, f"The editor exited with status {status}: the value is unchanged."
        text = path.read_text(encoding="utf-8")
        # Editors end a file with a newline the user did not mean as part of the value.
        return (text[:-1] if text.endswith("\n") else text), None
