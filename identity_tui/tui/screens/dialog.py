"""The box every dialog is drawn in: a title, the dialog's own body, a line of keys; c copies, esc closes.

Each dialog gives its body (``compose_body``) and says what esc answers (``CLOSED``); its rules live in
``dialogs.tcss``, under the box's id (``BOX_ID``). The bindings stay in each dialog's own ``BINDINGS``,
with their ids, since help and the keymap read a screen's own list: they name the base's actions
``close`` and ``copy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual import getters

    from identity_tui.tui.app_base import AppBase

AnswerType = TypeVar("AnswerType")


class Dialog(ModalScreen[AnswerType]):
    """A modal box with a title and a hint around the subclass's body; answers ``CLOSED`` on esc."""

    if TYPE_CHECKING:  # the app's dialogs: for the checker alone, Textual's own ``app`` answers at run time
        app = getters.app(AppBase)

    BOX_ID: ClassVar[str | None] = None
    """The box's id, which names the dialog's own rules in dialogs.tcss."""
    TITLE_ID: ClassVar[str | None] = None
    """The title's id, where a dialog's rules or tests name it."""
    BOX_CLASSES: ClassVar[str] = ""
    """Classes the box carries beside ``dialog``: a look several dialogs share."""
    CLOSED: ClassVar[Any] = None
    """What the dialog answers when esc closes it."""
    COPIED: ClassVar[str] = "Copied"
    """The notice once c has copied."""

    def __init__(self, heading: str, *, hint: str = "", copy: str = "") -> None:
        super().__init__()
        # Not ``title``: a screen's title is a reactive Textual shows in its header.
        self.heading = heading
        self.hint = hint
        self.copy_text = copy

    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX_ID, classes=f"dialog {self.BOX_CLASSES}".strip()):
            yield Static(Text(self.heading, style="bold"), id=self.TITLE_ID, classes="dialog-title")
            yield from self.compose_body()
            if self.hint:
                yield Static(Text(self.hint), classes="dialog-hint")

    def compose_body(self) -> ComposeResult:
        """The dialog's own widgets, between the title and the keys."""
        yield from ()

    def show_heading(self, text: str) -> None:
        """Retitle the dialog, as what it is about changes."""
        self.heading = text
        self.query_one(".dialog-title", Static).update(Text(text, style="bold"))

    def show_hint(self, text: str) -> None:
        """Say other keys, as the dialog's state changes."""
        self.query_one(".dialog-hint", Static).update(Text(text))

    def action_copy(self) -> None:
        """Copy what the dialog offers (its ``copy`` text) to the clipboard."""
        self.app.copy_to_clipboard(self.copy_text)
        self.notify(self.COPIED, timeout=3)

    def action_close(self) -> None:
        """esc: close the dialog with its ``CLOSED`` answer."""
        self.dismiss(self.CLOSED)
