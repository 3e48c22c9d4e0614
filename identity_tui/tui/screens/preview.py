"""The save preview: every request a save will send, with its exact JSON body, before anything goes out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from identity_tui.core.display import printable
from identity_tui.core.jsontext import dumps
from identity_tui.core.planner import Plan
from identity_tui.tui.screens.dialog import Dialog


def plan_text(plan: Plan, note: str = "") -> Text:
    """The plan as plain text: a note, why a PUT (first, before long bodies), then each request exactly as sent."""
    out = Text()
    if note:
        out.append(printable(note) + "\n\n")
    if plan.put_reason:
        out.append("Why a PUT: ", style="bold")
        out.append(printable(plan.put_reason) + ". ")
        out.append("It replaces the whole property list, as read from the server just now; it is read once "
                   "more right before sending.\n\n")
    for i, request in enumerate(plan.requests, 1):
        if i > 1:
            out.append("\n")
        out.append(f"{i}. {request.method} ", style="bold")
        out.append(printable(request.path), style="bold")
        out.append("\n")
        if request.why:
            out.append(f"   {printable(request.why)}\n", style="italic")
        body = dumps(request.body, indent=2)
        for line in printable(body, keep_newlines=True).split("\n"):
            out.append(f"   {line}\n")
    return out


class PreviewScreen(Dialog[bool]):
    """Shows the plan; enter sends it, esc goes back (to the form, or where `back` says) with nothing sent."""

    BOX_ID = "preview-box"
    CLOSED = False

    BINDINGS = [
        Binding("enter", "send", "Send", id="preview.send"),
        Binding("escape", "close", "Back to the form", id="preview.back"),
    ]

    def __init__(self, plan: Plan, *, where: str = "", note: str = "", back: str = "back to the form") -> None:
        n = len(plan.requests)
        title = f"Send {n} request{'s' if n != 1 else ''}"
        if where:
            title += f" to {printable(where)}"
        super().__init__(title + "?", hint=f"enter send · esc {back} (nothing sent)")
        self.plan = plan
        self.where = where
        self.note = note

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="preview-scroll"):
            yield Static(plan_text(self.plan, self.note), id="preview-body")

    def on_mount(self) -> None:
        # The scroll area takes the keys, so a long body can be read with the arrows and page keys.
        self.query_one("#preview-scroll").focus()

    def action_send(self) -> None:
        self.dismiss(True)
