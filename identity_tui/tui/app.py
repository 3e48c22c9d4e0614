"""The Textual application: holds the connection, routes screens, and catches what workers drop."""

from __future__ import annotations

import gc
import os
import traceback
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from identity_tui.core.config import Config, Connection, default_sandbox_path, with_sandbox
from identity_tui.core.connect import Backend, open_backend
from identity_tui.core.secret import Secret, mask


class IdentityApp(App[int]):
    """identity-tui: list, search, create, edit and delete the identities of a Letta server."""

    CSS_PATH = "app.tcss"
    TITLE = "identity-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("colon,ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    def __init__(
        self,
        conn: Connection,
        config: Config | None = None,
        *,
        sandbox: Any = None,
        transport: Any = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.conn = conn
        self.config = config or Config()
        self._sandbox = sandbox
        self._transport = transport
        self.backend: Backend | None = None
        self.total: int | None = None
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
    def readonly(self) -> bool:
        """Whether write actions are removed."""
        return self.conn.readonly

    def secrets(self) -> list[Secret | None]:
        """Values that must never be shown."""
        return [self.conn.token]

    async def reconnect(self, conn: Connection) -> None:
        """Swap the connection (new URL, token or the sandbox) and reopen the client."""
        old = self.backend
        keep_sandbox = self._sandbox if conn.sandbox is None and self._sandbox else None
        self.conn = conn
        self.backend = open_backend(conn, sandbox=keep_sandbox, transport=self._transport if conn.sandbox is None else None)
        if old is not None:
            await old.client.aclose()

    def sandbox_connection(self) -> Connection:
        """This connection pointed at the default sandbox."""
        return with_sandbox(replace(self.conn), default_sandbox_path())

    # -- lifecycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.backend = open_backend(self.conn, sandbox=self._sandbox, transport=self._transport)
        from identity_tui.tui.screens.list import ListScreen

        self.push_screen(ListScreen(page_size=self.config.page_size))
        self.call_after_refresh(collect_from_now_on)

    async def on_unmount(self) -> None:
        if self.backend is not None:
            await self.backend.client.aclose()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Tests and snapshots turn blinking off so that what a person sees is stable.
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    # -- actions ------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit from anywhere (q, ctrl+c, ctrl+q, the palette); an unsaved form is asked about first."""
        for screen in reversed(self.screen_stack):
            confirm_leave = getattr(screen, "confirm_leave", None)
            if confirm_leave is not None:
                confirm_leave(self.exit)
                return
        self.exit()

    def action_help(self) -> None:
        """Show every key binding of the current screen and the app."""
        from identity_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the current screen, then the app's own."""
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield from super().get_system_commands(screen)

    # -- edit, create, delete (edit screen) --

    def open_identity(self, identity) -> None:
        """Open the edit form for ``identity`` (a modified form already open is asked about first)."""
        from identity_tui.tui.screens.edit import open_edit

        open_edit(self, identity)

    def new_identity(self) -> None:
        """Open an empty form that creates an identity with one POST."""
        from identity_tui.tui.screens.edit import open_create

        open_create(self)

    def delete_identity(self, identity) -> None:
        """Ask for the identifier key, then send one DELETE."""
        from identity_tui.tui.screens.confirm import ask_delete

        ask_delete(self, identity)

    # -- errors -------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers: an unexpected exception ends in a copyable dialog (screens forward theirs)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_unexpected(event.worker.error)

    def show_unexpected(self, error: BaseException) -> None:
        """Open the error dialog for an exception nobody handled (token scrubbed)."""
        from identity_tui.tui.screens.error import ErrorScreen

        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.push_screen(ErrorScreen(mask(text, self.secrets())))


def collect_from_now_on() -> None:
    """Undo the command line's start-up ``gc.disable()``, freezing what start-up made.

    Frozen objects (modules, classes, styles: most of the heap) are never scanned again, so a full
    collection stays short and does not stall a key press. Without the command line (tests) the
    collector was never off and this does nothing.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run_app(conn: Connection, config: Config) -> int:
    """Run the app to completion; a fatal start error is one sentence and exit status 2."""
    import sys

    sandbox = None
    if conn.sandbox is not None:
        from identity_tui.core.connect import open_sandbox

        try:
            sandbox = open_sandbox(conn.sandbox)
        except Exception as exc:  # noqa: BLE001 - any failure to open is reported in one line
            print(f"identity-tui: cannot open the sandbox at {conn.sandbox}: {exc}", file=sys.stderr)
            return 2
    app = IdentityApp(conn, config, sandbox=sandbox)
    if config.theme and config.theme not in app.available_themes:
        names = ", ".join(sorted(app.available_themes))
        print(f"identity-tui: unknown theme {config.theme!r}; choose one of: {names}", file=sys.stderr)
        return 2
    try:
        result = app.run()
    except Exception as exc:  # noqa: BLE001 - never a traceback on the terminal
        print(f"identity-tui: stopped by an unexpected error: {mask(str(exc), [conn.token])}", file=sys.stderr)
        return 2
    return int(result or app.return_code or 0)
