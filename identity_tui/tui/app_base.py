"""What the app is to its screens: the connection, the config, the drafts' place and the notices.

The screens and the navigation are typed against ``AppBase``, never against the ``IdentityApp`` in
``tui.app``, which imports them: it composes the screens and routes the messages they post
(``tui.messages``). Nothing here knows a screen.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App

from identity_tui.core.config import (
    Config,
    Connection,
    SessionFlags,
    default_sandbox_path,
    resolve_profile,
    drafts_dir,
    server_key,
    with_sandbox,
)

SANDBOX_URL = "http://sandbox.invalid"  # what with_sandbox puts in a sandbox connection's base_url
from identity_tui.core.connect import Backend, open_backend
from identity_tui.core.secret import Secret, url_credentials
from identity_tui.tui.key_gate import KeyGate
from identity_tui.tui.timing import Timing

if TYPE_CHECKING:
    from textual.driver import Driver

    from identity_tui.core.draft_store import DraftStore


class AppBase(KeyGate, App[int]):
    """The app's state and the services its screens call; ``IdentityApp`` adds the screens and the routing."""

    def __init__(
        self,
        conn: Connection,
        config: Config | None = None,
        *,
        sandbox: Any = None,
        transport: Any = None,
        cursor_blink: bool = True,
        timing: Timing | None = None,
        driver_class: type[Driver] | None = None,
        flags: SessionFlags | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        # The shell's delays; tests pass shorter ones and wait on events instead of the clock.
        self.timing = timing or Timing()
        # What ``notify`` was asked to say, newest last: toasts expire, this record stays (the last 200).
        self.notices: deque[str] = deque(maxlen=200)
        self.cursor_blink = cursor_blink
        self.conn = conn
        self.config = config or Config()
        # The start-up flags that hold whichever profile is picked later (see SessionFlags).
        self.flags = flags or SessionFlags(readonly=conn.readonly)
        self._sandbox = sandbox
        # The sandbox file the app was started on: its open store is used again when it is picked again.
        self._sandbox_path = conn.sandbox
        self._transport = transport
        self.backend: Backend | None = None
        self.total: int | None = None
        # Binding id -> keys in force: the config's [keymap] once checked, and what it took from others.
        self.keymap: dict[str, str] = {}
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme

    # -- connection ---------------------------------------------------------------------------

    @property
    def client(self):
        """The shared API client (one ``httpx.AsyncClient`` for the whole app)."""
        assert self.backend is not None, "client used before the app was mounted"
        return self.backend.client

    @property
    def sandbox(self) -> Any:
        """The sandbox store when running on one, else None."""
        return self.backend.sandbox if self.backend else None

    @property
    def transport(self) -> Any:
        """The HTTP transport the backend takes instead of its own (tests inject faults here), or None."""
        return self._transport

    @transport.setter
    def transport(self, transport: Any) -> None:
        # Read when the backend opens (mount, reconnect): set it before the app runs.
        self._transport = transport

    def notify(self, message: str, **kwargs: Any) -> None:
        """Show a toast, and keep its text in ``notices`` (the Messages command shows them again)."""
        self.notices.append(message)
        super().notify(message, **kwargs)

    @property
    def readonly(self) -> bool:
        """Whether write actions are removed."""
        return self.conn.readonly

    def secrets(self) -> list[Secret | str | None]:
        """Values that must never be shown: the token, and any user:password@ in the URL."""
        return [self.conn.token, url_credentials(self.conn.base_url)]

    def open_connection(self) -> None:
        """Open the backend for the connection the app was started with (at mount)."""
        self.backend = open_backend(self.conn, sandbox=self._sandbox, transport=self._transport)
        self._warn_plain_http()

    def _warn_plain_http(self) -> None:
        """Once per connection: a token about to cross the network unencrypted (plain http:// to another host)."""
        if self.backend is not None and self.backend.client.plain_http_warning:
            self.notify(self.backend.client.plain_http_warning, severity="warning", timeout=20, markup=False)

    async def reconnect(self, conn: Connection) -> None:
        """Swap the connection (new URL, token or the sandbox) and reopen the client."""
        old = self.backend
        keep_sandbox = self._store_for(conn)
        self.conn = conn
        self.backend = open_backend(conn, sandbox=keep_sandbox, transport=self._transport if conn.sandbox is None else None)
        self._warn_plain_http()
        if old is not None:
            await old.client.aclose()

    def _store_for(self, conn: Connection) -> Any:
        """The open sandbox store ``conn`` may use again: the start-up one, when it is that sandbox again,
        or when the connect screen retries it (the sandbox's URL, no file named); else None."""
        if self._sandbox is None:
            return None
        if conn.sandbox is None:
            return self._sandbox if conn.base_url == SANDBOX_URL else None
        return self._sandbox if conn.sandbox == self._sandbox_path else None

    def profile_connection(self, name: str) -> tuple[Connection, list[str]]:
        """The connection for profile ``name``, weighed as at start-up with the session's flags
        (``resolve_profile``), and the warnings that weighing gave; raises ConfigError when it is refused."""
        before = len(self.config.warnings)
        conn = resolve_profile(self.config, name, self.flags)
        return conn, self.config.warnings[before:]

    def sandbox_entry(self) -> Connection:
        """The sandbox as the profiles screen offers it: the one the app started on, else the default file."""
        path = self._sandbox_path or default_sandbox_path()
        return with_sandbox(Connection(base_url=SANDBOX_URL, readonly=self.flags.readonly), path)

    async def close_connection(self) -> None:
        """Close the client (the app is unmounting)."""
        if self.backend is not None:
            await self.backend.client.aclose()

    def sandbox_connection(self) -> Connection:
        """This connection pointed at the default sandbox."""
        return with_sandbox(replace(self.conn), default_sandbox_path())

    # -- drafts -------------------------------------------------------------------------------

    def draft_store(self) -> DraftStore | None:
        """Where this server's drafts are kept; None when read-only (nothing there could be saved)."""
        if self.readonly:
            return None
        from identity_tui.core.draft_store import DraftStore

        return DraftStore(drafts_dir(), server_key(self.conn))

    # -- focus --------------------------------------------------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Tests and snapshots turn blinking off so that what a person sees is stable.
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False
