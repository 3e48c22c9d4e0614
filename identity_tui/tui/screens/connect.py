"""The connect screen: what went wrong in one sentence, and the ways on: retry, edit URL or token, sandbox, quit."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from identity_tui.core.config import Connection
from identity_tui.core.display import printable
from identity_tui.core.secret import Secret
from identity_tui.tui.screens.dialog import Dialog
from identity_tui.tui.widgets.in_order_keys import OrderedInput


class ConnectScreen(Dialog[Connection | None]):
    """Dismisses with the connection to try next; quitting (esc) exits the app with status 2."""

    BOX_ID = "connect-box"

    BINDINGS = [
        Binding("ctrl+r", "retry", "Retry", id="connect.retry"),
        Binding("ctrl+o", "sandbox", "Open sandbox", id="connect.sandbox"),
        Binding("escape,ctrl+q", "close", "Quit", id="connect.quit"),
    ]

    def __init__(self, message: str, conn: Connection, focus: str = "retry", attempt: int = 1) -> None:
        super().__init__("Cannot connect", hint="enter/ctrl+r retry · ctrl+o sandbox · esc quit")
        self.message = message
        self.conn = conn
        self.first_focus = focus
        # Which try this is: a retry refused again says "Attempt 2: ...", so it reads as new.
        self.attempt = attempt

    def compose_body(self) -> ComposeResult:
        said = printable(self.message)
        if self.attempt > 1:
            said = f"Attempt {self.attempt}: {said}"
        yield Static(Text(said), id="connect-message")
        yield Label("Server URL")
        yield OrderedInput(self.conn.base_url if self.conn.sandbox is None else "", id="url")
        yield Label("Token (API key or server password)")
        yield OrderedInput(
            "",
            password=True,
            placeholder="unchanged" if self.conn.token else "none",
            id="token",
        )
        with Horizontal(classes="buttons"):
            yield Button("Retry", id="retry", variant="primary")
            yield Button("Open sandbox", id="sandbox")
            yield Button("Quit", id="quit")

    def on_mount(self) -> None:
        # Start where the fix most likely is: the token after a 401, the URL when unreachable.
        self.query_one(f"#{self.first_focus}").focus()

    def _edited(self) -> Connection:
        url = self.query_one("#url", Input).value.strip() or self.conn.base_url
        token_text = self.query_one("#token", Input).value
        token = Secret(token_text) if token_text else self.conn.token
        return replace(self.conn, base_url=url.rstrip("/"), token=token, sandbox=None, profile=None if url != self.conn.base_url else self.conn.profile)

    @on(Button.Pressed, "#retry")
    @on(Input.Submitted)
    def action_retry(self) -> None:
        """Try again with what the fields say."""
        self.dismiss(self._edited())

    @on(Button.Pressed, "#sandbox")
    def action_sandbox(self) -> None:
        """Work on the local sandbox instead."""
        self.dismiss(self.app.sandbox_connection())

    @on(Button.Pressed, "#quit")
    def action_close(self) -> None:
        """esc or Quit: leave the app with status 2 and the reason on the terminal (there is nothing behind)."""
        self.app.exit(return_code=2, message=f"identity-tui: {printable(self.message)}")
