"""What every screen with workers shares: an unexpected worker failure ends in the error dialog."""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Mixin for screens: Worker.StateChanged does not bubble, so each screen forwards failures."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.show_unexpected(event.worker.error)
