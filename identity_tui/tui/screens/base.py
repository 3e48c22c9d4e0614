"""What the app's screens share: ``self.app`` typed as the IdentityApp, and a worker's failure reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual import getters

    from identity_tui.tui.app import IdentityApp

ResultType = TypeVar("ResultType")


class AppScreen(Screen[ResultType]):
    """A full screen of the app: ``self.app`` is the IdentityApp. Typed for the checker alone (Textual's
    own ``app`` answers at run time), as ``Dialog`` does for the dialogs."""

    if TYPE_CHECKING:
        app = getters.app(IdentityApp)


class _OnTheApp(Protocol):
    @property
    def app(self) -> IdentityApp: ...


class ReportsWorkerErrors:
    """Mixin for screens: Worker.StateChanged does not bubble, so each screen forwards failures."""

    def on_worker_state_changed(self: _OnTheApp, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.show_unexpected(event.worker.error)
