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
from identity_tui.core.secret import Secret, shown_url, token_problem
from identity_tui.tui.screens.dialog import Dialog
from identity_tui.tui.widgets.buttons import KeyButton


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
        # Shown without user:password@; the field left as shown means the same URL, credentials and all.
        yield Input(self._shown_url if self.conn.sandbox is None else "", id="url")
        yield Label("Token (API key or server password)")
        yield Input("", password=True, placeholder=self._token_placeholder(same_server=True), id="token")
        with Horizontal(classes="buttons"):
            yield KeyButton("Retry", id="retry", variant="primary")
            yield KeyButton("Open sandbox", id="sandbox")
            yield KeyButton("Quit", id="quit")

    def on_mount(self) -> None:
        # Start where the fix most likely is: the token after a 401, the URL when unreachable.
        self.query_one(f"#{self.first_focus}").focus()

    @property
    def _shown_url(self) -> str:
        return shown_url(self.conn.base_url)

    def _token_placeholder(self, *, same_server: bool) -> str:
        if not self.conn.token:
            return "none"
        # A token only goes to the server it was configured for: another URL takes none unless it is typed.
        return "unchanged" if same_server else "none for this URL unless typed"

    def _url(self) -> tuple[str, bool]:
        """The URL the fields say, and whether it is the server the connection was made for."""
        typed = self.query_one("#url", Input).value.strip()
        if not typed or (self.conn.sandbox is None and typed == self._shown_url):
            return self.conn.base_url, self.conn.sandbox is None
        url = typed.rstrip("/")
        return url, self.conn.sandbox is None and url == self.conn.base_url.rstrip("/")

    @on(Input.Changed, "#url")
    def _url_changed(self) -> None:
        self.query_one("#token", Input).placeholder = self._token_placeholder(same_server=self._url()[1])

    def _edited(self) -> Connection | None:
        url, same_server = self._url()
        token_text = self.query_one("#token", Input).value
        problem = token_problem(token_text) if token_text else None
        if problem is not None:
            self.query_one("#connect-message", Static).update(
                Text(f"The token typed (********) {problem}: it was refused and nothing was sent."))
            return None
        token = Secret(token_text) if token_text else self.conn.token if same_server else None
        return replace(self.conn, base_url=url.rstrip("/"), token=token, sandbox=None,
                       profile=self.conn.profile if same_server else None)

    @on(Button.Pressed, "#retry")
    @on(Input.Submitted)
    def action_retry(self) -> None:
        """Try again with what the fields say (a token no header can carry is refused here, nothing sent)."""
        edited = self._edited()
        if edited is not None:
            self.dismiss(edited)

    @on(Button.Pressed, "#sandbox")
    def action_sandbox(self) -> None:
        """Work on the local sandbox instead."""
        self.dismiss(self.app.sandbox_connection())

    @on(Button.Pressed, "#quit")
    def action_close(self) -> None:
        """esc or Quit: leave the app with status 2 and the reason on the terminal (there is nothing behind)."""
        self.app.exit(return_code=2, message=f"identity-tui: {printable(self.message)}")
