"""The dialogs that stand between a key press and a loss: delete an identity, leave unsaved changes, yes/no."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, Static

from identity_tui.core import deletion
from identity_tui.core.display import one_line, printable
from identity_tui.core.models import Identity
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.dialog import Dialog
from identity_tui.tui.widgets.buttons import KeyButton

if TYPE_CHECKING:
    from identity_tui.core.summary import IdentitySummary


class ConfirmScreen(Dialog[bool]):
    """A yes/no question: enter or the first button says yes, esc says no."""

    BOX_CLASSES = "confirm-box"
    CLOSED = False

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="confirm.no"),
    ]

    def __init__(self, title: str, text: str, yes: str = "OK", no: str = "Cancel") -> None:
        super().__init__(title)
        self.text = text
        self.yes = yes
        self.no = no

    def compose_body(self) -> ComposeResult:
        yield Static(Text(self.text))
        with Horizontal(classes="buttons"):
            yield KeyButton(self.yes, id="yes", variant="primary", compact=True)
            yield KeyButton(self.no, id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.action_close()


class LeaveScreen(Dialog[str]):
    """Unsaved changes: save, discard or stay (esc stays); answers ``"save"``, ``"discard"`` or ``"stay"``."""

    BOX_ID = "leave-box"
    BOX_CLASSES = "confirm-box"
    CLOSED = "stay"

    BINDINGS = [
        Binding("escape", "close", "Stay", id="leave.stay"),
        Binding("s", "choose('save')", "Save", id="leave.save"),
        Binding("d", "choose('discard')", "Discard", id="leave.discard"),
    ]

    def __init__(self, changes: list[str], *, can_save: bool = True) -> None:
        keys = "s save · d discard · esc stay" if can_save else "d discard · esc stay"
        super().__init__("Unsaved changes", hint=keys)
        self.changes = changes
        self.can_save = can_save

    def compose_body(self) -> ComposeResult:
        listed = ", ".join(self.changes[:6]) + (" …" if len(self.changes) > 6 else "")
        yield Static(Text(f"Changed: {printable(listed)}."))
        if not self.can_save:
            yield Static(Text("This connection is read-only: the changes cannot be saved."))
        with Horizontal(classes="buttons"):
            if self.can_save:
                yield KeyButton("Save", id="save", variant="primary", compact=True)
            yield KeyButton("Discard", id="discard", variant="error", compact=True)
            yield KeyButton("Stay", id="stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters == ("save",) and not self.can_save:
            return False
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class ExistingKeyScreen(Dialog[str]):
    """A create's key is held already: merge what was typed into that identity, open it as it is, or stay.

    Answers ``"merge"``, ``"open"`` or ``"stay"`` (esc).
    """

    BOX_CLASSES = "confirm-box"
    CLOSED = "stay"

    BINDINGS = [
        Binding("escape", "close", "Stay", id="existing.stay"),
        Binding("m", "choose('merge')", "Merge", id="existing.merge"),
        Binding("o", "choose('open')", "Open", id="existing.open"),
    ]

    def __init__(self, text: str, changes: str) -> None:
        super().__init__("The key exists", hint="m merge · o open · esc stay")
        self.text = text
        self.changes = changes

    def compose_body(self) -> ComposeResult:
        yield Static(Text(self.text))
        yield Static(Text(self.changes))
        with Horizontal(classes="buttons"):
            yield KeyButton("Merge into it", id="merge", variant="primary", compact=True)
            yield KeyButton("Open it", id="open", compact=True)
            yield KeyButton("Stay here", id="stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#merge", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


DELETED = "deleted"
GONE = "gone"


class DeleteScreen(ReportsWorkerErrors, Dialog[str]):
    """Delete one identity after its identifier_key is typed in full; sends one DELETE.

    Answers ``DELETED``, or ``GONE`` when the server answered 404 (an earlier try whose answer was lost, or
    someone else, deleted it), or ``""`` when cancelled.
    """

    BOX_ID = "delete-box"
    CLOSED = ""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="delete.cancel"),
    ]

    @dataclass
    class Done(Message):
        """The DELETE finished: the core's answer (deleted, found gone, or failed)."""

        result: deletion.Deleted | deletion.DeleteFailed

    def __init__(self, identity: Identity | IdentitySummary) -> None:
        super().__init__("Delete this identity?", hint="enter delete · esc cancel")
        self.identity = identity
        self.busy = False

    def compose_body(self) -> ComposeResult:
        i = self.identity
        about = Text()
        for label, value in (("Name", i.name), ("Identifier key", i.identifier_key), ("Id", i.id)):
            about.append(f"{label:>14}  ", style="bold")
            about.append(one_line(value, 52) + "\n")
        yield Static(about)
        yield Static(
            Text(
                "Agents and memory blocks linked to it are not deleted; they only lose the link. "
                "History (h) can create it again, with a new id."
            )
        )
        yield Static(Text("Type the identifier key in full to confirm:"), classes="delete-prompt")
        yield Input(placeholder="identifier key", id="delete-key", compact=True, select_on_focus=False)
        yield Static("", id="delete-message")
        with Horizontal(classes="buttons"):
            yield KeyButton("Delete", id="delete", variant="error", compact=True)
            yield KeyButton("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#delete-key", Input).focus()

    def _say(self, text: str) -> None:
        self.query_one("#delete-message", Static).update(Text(text))

    @on(Input.Submitted, "#delete-key")
    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        if self.busy:
            return
        typed = self.query_one("#delete-key", Input).value
        if typed != self.identity.identifier_key:
            self._say("That is not the identifier key: nothing was deleted.")
            self.query_one("#delete-key", Input).focus()
            return
        self.busy = True
        self._say("Deleting…")
        self.query_one("#delete-box").disabled = True
        self.send_delete(self.identity.id)

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def send_delete(self, identity_id: str) -> None:
        """The core's delete (journaled); a delete answering 404 means it is already gone."""
        self.post_message(self.Done(await deletion.delete(self.app.client, identity_id)))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.busy = False
        result = message.result
        if isinstance(result, deletion.Deleted):
            if result.journal_problem:
                self.notify(result.journal_problem, severity="warning", timeout=8, markup=False)
            self.dismiss(GONE if result.already else DELETED)
            return
        error = result.error
        self.query_one("#delete-box").disabled = False
        if result.lost:
            # DELETE is safe to repeat: a 404 on the next try means this one had gone through.
            self._say(f"Not deleted, as far as we know: {error.message} It may have been deleted all the same: "
                      "enter tries again, and a 404 then means it is gone.")
        else:
            self._say(f"Not deleted: {error.message}")
        self.query_one("#delete-key", Input).focus()

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        """esc or Cancel: leave with nothing deleted, unless the DELETE is already on its way."""
        if not self.busy:
            super().action_close()

