"""The edit form's find bar: one line under the property rows where a text to find is typed.

The bar only takes the text and the keys; the form looks the text up in its rows and tells the bar what to
say ("3 of 17"). What is typed here never reaches the form's fields: its own change events stop here.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from identity_tui.tui.widgets.value_editors import text_input

HINT = "enter/↓ next · ↑ previous · esc close"


class FindBar(Horizontal):
    """"Find", the text to find, and what was found; hidden until the form opens it."""

    DEFAULT_CSS = """
    FindBar {
        display: none;
        height: 1;
        & > #find-label {
            width: auto;
            padding: 0 1;
            color: $text-muted;
            text-style: bold;
        }
        & > #find-input {
            width: 1fr;
            max-width: 36;
        }
        & > #find-status {
            width: auto;
            max-width: 70%;
            padding: 0 1 0 2;
            color: $text-muted;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        & > #find-status.-none {
            color: $error;
        }
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close find", id="find.close"),
        Binding("down", "step(False)", "Next match", show=False, id="find.next"),
        Binding("up", "step(True)", "Previous match", show=False, id="find.previous"),
    ]

    @dataclass
    class Changed(Message):
        """The text to find is now ``term``."""

        term: str

    @dataclass
    class Step(Message):
        """Go to the next match (the previous one, ``backwards``)."""

        backwards: bool = False

    class Closed(Message):
        """esc: the bar closed; the form puts the keyboard on what was found."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.input = text_input(placeholder="text in a key or a value", id="find-input")
        self.status = Static(Text(HINT), id="find-status")

    def compose(self) -> ComposeResult:
        yield Static("Find", id="find-label")
        yield self.input
        yield self.status

    @property
    def term(self) -> str:
        """The text to find, as typed."""
        return self.input.value

    @property
    def is_open(self) -> bool:
        """Whether the bar shows."""
        return bool(self.display)

    def open(self) -> None:
        """Show the bar and put the keyboard in it, its text kept and selected (typing replaces it)."""
        self.display = True
        self.screen.set_focus(self.input, scroll_visible=False)
        self.input.select_all()

    def close(self) -> None:
        """Hide the bar (the form moves the keyboard first: a hidden field cannot keep it)."""
        self.display = False

    def say(self, words: str, *, none: bool = False) -> None:
        """What was found, or the keys when there is nothing to find."""
        self.status.update(Text(words or HINT))
        self.status.set_class(none, "-none")

    @on(Input.Changed, "#find-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()  # the form's fields must never take this for an edit
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#find-input")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Step())

    def action_step(self, backwards: bool) -> None:
        """down or up: the next or the previous match."""
        self.post_message(self.Step(backwards))

    def action_close(self) -> None:
        """esc: close, the keyboard going to what was found."""
        self.post_message(self.Closed())
