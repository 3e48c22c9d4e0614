"""What the app's screens share: ``self.app`` typed as the app's base, what the app may ask of a screen, and a
worker's failure reported."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from textual.app import SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from identity_tui.tui.messages import ShowUnexpected

if TYPE_CHECKING:
    from textual import getters

    from identity_tui.tui.app_base import AppBase

ResultType = TypeVar("ResultType")


class AppScreen(Screen[ResultType]):
    """A full screen of the app: ``self.app`` is the app (its ``AppBase``). Typed for the checker alone (Textual's
    own ``app`` answers at run time), as ``Dialog`` does for the dialogs."""

    if TYPE_CHECKING:
        app = getters.app(AppBase)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The screen's own entries in the command palette, above the app's: none unless the screen has some."""
        return ()


class HoldsUnsavedWork:
    """Mixin for a screen that may hold unsaved work: quitting the app, from it or from any screen above it,
    asks it first, and a signal that stops the app has it write its draft."""

    def confirm_leave(self, then: Callable[[], Any]) -> None:
        """Run ``then`` once leaving is agreed (a screen with unsaved changes asks first)."""
        then()

    def has_unsaved_work(self) -> bool:
        """Whether leaving now would lose something typed (switching servers is refused then)."""
        return False

    def flush_draft(self) -> None:
        """Write the pending draft now, if there is one (the app is stopping)."""


class _OnTheApp(Protocol):
    @property
    def app(self) -> AppBase: ...


class ReportsWorkerErrors:
    """Mixin for screens: Worker.StateChanged does not bubble, so each screen forwards failures to the app."""

    def on_worker_state_changed(self: _OnTheApp, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.post_message(ShowUnexpected(event.worker.error))
