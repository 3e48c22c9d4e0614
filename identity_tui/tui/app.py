"""The Textual application: composes the screens, routes what they ask for, and catches what workers drop.

The state the screens share (connection, config, drafts' place, notices) is ``AppBase``'s, below the screens;
this module stands above them: it pushes them and handles the messages they post (``tui.messages``).
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.worker import Worker, WorkerState

from identity_tui.core.config import Config, Connection, SessionFlags, server_key
from identity_tui.core.secret import mask, url_credentials
from identity_tui.tui.app_base import AppBase
from identity_tui.tui.messages import (
    DeleteIdentity,
    ExportIdentities,
    IdentityWritten,
    NewIdentity,
    OpenIdentity,
    RestoreAsNew,
    RestoreDraft,
    ShowDetails,
    ShowHistory,
    ShowRawJson,
    ShowUnexpected,
)
from identity_tui.tui.process import (
    ExitWatchdog,
    collect_from_now_on,
    default_suspension,
    terminal_driver,
    terminal_fd,
    terminal_gone,
)
from identity_tui.tui.screens.base import AppScreen, HoldsUnsavedWork
from identity_tui.tui.screens.list_paging import PageLoaded
from identity_tui.tui.timing import Timing

if TYPE_CHECKING:
    from identity_tui.core.models import Identity
    from identity_tui.core.summary import IdentitySummary

# Once the screens are closed (drafts on disk), the rest of the exit gets this long before the process
# ends anyway: with the terminal gone, Textual's shutdown can wait forever on its dead writer thread.
EXIT_GRACE = 3.0
# From a SIGHUP, SIGTERM or SIGINT (or a terminal gone) to the end of the process, at the longest: the drafts
# are written at once, and an exit stuck anywhere is cut short.
SIGNAL_GRACE = 5.0
# What ends the app at any moment, as a dropped SSH session, a kill or a kill -INT does (ctrl+c in the app is
# a key: its quit asks about an unsaved form first).
ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM", "SIGINT") if hasattr(signal, name))
# How often the terminal is checked for a hang-up that came without a SIGHUP (seconds).
TERMINAL_CHECK = 1.0


def _navigation():
    """The app's navigation module, imported on first use: it pulls in the forms, which the first
    paint of the list does without."""
    from identity_tui.tui import navigation

    return navigation


class IdentityApp(AppBase):
    """identity-tui: list, search, create, edit and delete the identities of a Letta server."""

    CSS_PATH = ["app.tcss", "dialogs.tcss"]
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
        signals: bool = False,
        timing: Timing | None = None,
        flags: SessionFlags | None = None,
    ) -> None:
        # The real terminal's driver, its SIGCONT guarded (see terminal_driver); tests run headless.
        super().__init__(conn, config, sandbox=sandbox, transport=transport, cursor_blink=cursor_blink, timing=timing,
                         driver_class=terminal_driver() if signals and os.name == "posix" else None, flags=flags)
        self._signals = signals
        self._watchdog = (ExitWatchdog(terminal_fd(), check=TERMINAL_CHECK, hang_up_grace=SIGNAL_GRACE)
                          if signals else None)
        self._drafts_offered: str | None = None
        self._gc_frozen = False
        self._hung_up = False
        self._screens_pushed = False
        self._ending = False

    # -- lifecycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.config.keymap:
            self._apply_keymap(self.config.keymap)
        self.open_connection()
        from identity_tui.tui.screens.list import ListScreen

        self.push_screen(ListScreen(page_size=self.config.page_size))
        self._screens_pushed = True
        self.call_after_refresh(self._collect_from_now_on)
        if self._signals:
            self._watch_terminal()

    def _apply_keymap(self, keymap: dict[str, str]) -> None:
        """Use the config's [keymap], checked: its mistakes and the keys it takes are said in one sentence."""
        from identity_tui.tui.keymap import check_keymap

        check = check_keymap(keymap, self.BINDINGS)
        self.keymap = check.keymap
        self.set_keymap(check.keymap)
        if check.sentence:
            self.notify(check.sentence, severity="warning", timeout=20, markup=False)

    def _collect_from_now_on(self) -> None:
        self._gc_frozen = collect_from_now_on()

    async def on_unmount(self) -> None:
        self.stop_key_gate()
        if self._watchdog is not None:
            self._watchdog.arm(self.return_code or 0, EXIT_GRACE)
        await self.close_connection()

    # -- actions ------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit from anywhere (q, ctrl+c, ctrl+q, the palette); an unsaved form is asked about first."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, HoldsUnsavedWork):
                screen.confirm_leave(self.exit)
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
        if isinstance(screen, AppScreen):
            yield from screen.palette_commands()
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield SystemCommand("Switch server…", "Connect to another profile of config.toml, or the sandbox",
                            self.action_switch_server)
        yield SystemCommand("Import identities…", "Plan a file of identities, then apply it", self.action_import)
        yield SystemCommand("History", "Every write this app sent to this server, with undo", self.action_history)
        yield SystemCommand("Messages", "What the app said in this session, newest first", self.action_messages)
        if not self.readonly:
            yield SystemCommand("Drafts", "Restore or discard unsaved drafts of this server", self.action_drafts)
        yield from super().get_system_commands(screen)

    def action_switch_server(self) -> None:
        """Open the profiles screen, from the list only: a form with changes would be left behind."""
        from identity_tui.tui.screens.list import ListScreen

        if any(isinstance(s, HoldsUnsavedWork) and s.has_unsaved_work() for s in self.screen_stack):
            self.notify("Switching servers is refused while a form has unsaved changes: save or close it first.",
                        severity="warning", markup=False)
            return
        if not isinstance(self.screen, ListScreen):
            self.notify("Switching servers is done from the list: close this screen first.",
                        severity="warning", markup=False)
            return
        self.screen.action_switch_server()

    def action_import(self) -> None:
        """Read a file of identities, plan it, and apply it after a confirmation."""
        from identity_tui.tui.screens.import_screen import ImportScreen

        self.push_screen(ImportScreen())

    def action_messages(self) -> None:
        """Every notice of this session again, newest first: a toast is gone in seconds."""
        from identity_tui.tui.screens.messages_screen import MessagesScreen

        self.push_screen(MessagesScreen(self.notices))

    def action_history(self) -> None:
        """The write journal of this server, newest first, with undo."""
        self.show_history()

    def show_history(self, identity_id: str | None = None, identifier_key: str | None = None) -> None:
        """The write journal: one identity's records, or every record when ``identity_id`` is None."""
        from identity_tui.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(identity_id, identifier_key))

    # -- edit, create, delete: the screens ask by message, the navigation module moves --

    def open_identity(self, identity: Identity) -> None:
        """Open the edit form for ``identity`` (a modified form already open is asked about first)."""
        _navigation().open_edit(self, identity)

    def new_identity(self) -> None:
        """Open an empty form that creates an identity with one POST."""
        _navigation().open_create(self)

    def delete_identity(self, identity: Identity | IdentitySummary) -> None:
        """Ask for the identifier key, then send one DELETE."""
        _navigation().ask_delete(self, identity)

    @on(OpenIdentity)
    def _on_open_identity(self, message: OpenIdentity) -> None:
        self.open_identity(message.identity)

    @on(NewIdentity)
    def _on_new_identity(self, message: NewIdentity) -> None:
        self.new_identity()

    @on(DeleteIdentity)
    def _on_delete_identity(self, message: DeleteIdentity) -> None:
        self.delete_identity(message.identity)

    @on(ShowDetails)
    def _on_show_details(self, message: ShowDetails) -> None:
        from identity_tui.tui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(message.identity))

    @on(ShowRawJson)
    def _on_show_raw_json(self, message: ShowRawJson) -> None:
        from identity_tui.tui.screens.raw_json import RawJsonScreen

        self.push_screen(RawJsonScreen(message.identity))

    @on(ShowHistory)
    def _on_show_history(self, message: ShowHistory) -> None:
        self.show_history(message.identity_id, message.identifier_key)

    @on(ExportIdentities)
    def _on_export_identities(self, message: ExportIdentities) -> None:
        _navigation().open_export(self, message.query, message.where, message.key_match, message.ids)

    @on(IdentityWritten)
    def _on_identity_written(self, message: IdentityWritten) -> None:
        _navigation().refresh_lists(self, message.select_id)

    @on(RestoreDraft)
    def _on_restore_draft(self, message: RestoreDraft) -> None:
        _navigation().restore_draft(self, message.draft)

    @on(RestoreAsNew)
    def _on_restore_as_new(self, message: RestoreAsNew) -> None:
        _navigation().restore_as_new(self, message.draft)

    # -- drafts -------------------------------------------------------------------------------

    def action_drafts(self) -> None:
        """Offer this server's drafts: restore, discard or later."""
        _navigation().offer_drafts(self)

    @on(PageLoaded)
    def _on_page_loaded(self, message: PageLoaded) -> None:
        # Once a server's first page is on screen (never before: the list paints first), offer its drafts.
        if message.prefetch:
            return
        key = server_key(self.conn)
        if self._drafts_offered == key:
            return
        self._drafts_offered = key
        self.call_after_refresh(self._look_for_drafts)

    @work(thread=True, exclusive=True, group="drafts", exit_on_error=False)
    def _look_for_drafts(self) -> None:
        """Load the forms' modules (pydantic and the models) off the UI thread, then offer the drafts.

        The list paints without them; here they are imported while the user reads the first page,
        so neither the first paint nor the first identity opened waits for them.
        """
        if self._gc_frozen:
            gc.freeze()  # like the rest of start-up (see collect_from_now_on): never scanned again
        if not self.readonly:
            self.call_from_thread(_navigation().offer_drafts, self, at_start=True)

    def flush_drafts(self) -> None:
        """Write every open form's pending draft now."""
        for screen in self.screen_stack:
            if isinstance(screen, HoldsUnsavedWork):
                screen.flush_draft()

    def catch_signals(self) -> None:
        """From now until ``release_signals``, SIGHUP, SIGTERM and SIGINT write the drafts and end the app.

        Textual leaves SIGHUP (the SSH session dropped) and SIGTERM at their defaults, which end the process
        on the spot, and SIGINT to asyncio, which ends it with status 0. A plain signal handler, not the
        event loop's: Python runs it even while the main thread waits on a lock, so the watchdog is armed
        whatever the app is stuck on.
        """
        for signum in ENDING_SIGNALS:
            signal.signal(signum, self._on_signal)

    def release_signals(self) -> None:
        """The defaults back, the app's run over."""
        for signum in ENDING_SIGNALS:
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        default_suspension()

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._watchdog is not None:
            self._watchdog.arm(128 + signum, SIGNAL_GRACE)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # before the app's loop or after it: nothing to save, nothing to close
            raise SystemExit(128 + signum) from None
        loop.call_soon_threadsafe(self.hang_up, signum)

    def _watch_terminal(self) -> None:
        # A terminal can also vanish without a SIGHUP reaching us (started outside the terminal's
        # session, e.g. by setsid or a supervisor); Textual would then spin on its end-of-input forever.
        fd = terminal_fd()
        if fd is not None:
            self.set_interval(TERMINAL_CHECK, lambda: self._check_terminal(fd), name="terminal check")

    def _check_terminal(self, fd: int) -> None:
        if terminal_gone(fd) and not self._hung_up:
            self._hung_up = True
            self.hang_up(signal.SIGHUP)

    def hang_up(self, signum: int) -> None:
        """The terminal is gone or the app is told to stop: keep every draft, then exit (128 + signal)."""
        if self._watchdog is not None:
            self._watchdog.arm(128 + signum, SIGNAL_GRACE)
        self._ending = True
        try:
            self.flush_drafts()
        finally:
            self._exit_once_mounted(128 + signum)

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        """Push a screen, unless the app is on its way out for a hang-up or a signal (see _exit_once_mounted)."""
        if self._ending:
            return AwaitMount(self.screen, [])
        return super().push_screen(screen, *args, **kwargs)

    def _exit_once_mounted(self, return_code: int) -> None:
        # An exit while a screen or a widget is still mounting runs its on_mount after the exit took the
        # widgets under it away: a traceback and status 1. The signal may come at any moment: no screen is
        # pushed from then on (a key or a worker already on its way would), and the exit waits for the
        # screens and widgets being mounted (a form's rows, its selects).
        mounting = any(not node.is_mounted for screen in self.screen_stack
                       for node in screen.walk_children(Widget, with_self=True))
        if self._screens_pushed and not mounting:
            self.exit(return_code=return_code)
        else:  # the loop's timer, not the app's: a signal's callback runs outside the app's context
            asyncio.get_running_loop().call_later(0.02, self._exit_once_mounted, return_code)

    def stop_watchdog(self) -> None:
        """The exit finished in time: no forced end."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    # -- errors -------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers: an unexpected exception ends in a copyable dialog (screens forward theirs)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_unexpected(event.worker.error)

    @on(ShowUnexpected)
    def _on_show_unexpected(self, message: ShowUnexpected) -> None:
        self.show_unexpected(message.error)

    def show_unexpected(self, error: BaseException) -> None:
        """Open the error dialog for an exception nobody handled (token scrubbed)."""
        from identity_tui.tui.screens.error import ErrorScreen

        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.push_screen(ErrorScreen(mask(text, self.secrets())))


def run_app(conn: Connection, config: Config, flags: SessionFlags | None = None) -> int:
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
    app = IdentityApp(conn, config, sandbox=sandbox, signals=True, flags=flags)
    if config.theme and config.theme not in app.available_themes:
        names = ", ".join(sorted(app.available_themes))
        print(f"identity-tui: unknown theme {config.theme!r}; choose one of: {names}", file=sys.stderr)
        return 2
    app.catch_signals()
    try:
        result = app.run()
    except Exception as exc:  # noqa: BLE001 - never a traceback on the terminal
        print(f"identity-tui: stopped by an unexpected error: {mask(str(exc), [conn.token, url_credentials(conn.base_url)])}", file=sys.stderr)
        return 2
    finally:
        app.release_signals()
        app.stop_watchdog()
    return int(result or app.return_code or 0)
