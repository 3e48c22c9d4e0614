"""The list's actions on the row under the cursor: open, details, raw JSON, copy the id, delete, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from identity_tui.core.display import one_line
from identity_tui.core.errors import BadResponse
from identity_tui.core.summary import IdentitySummary
from identity_tui.tui.messages import DeleteIdentity, ShowHistory

if TYPE_CHECKING:  # for annotations only: the list paints before the models are loaded
    from identity_tui.core.models import Identity
    from identity_tui.tui.screens.list_base import ListBase


class RowActions:
    """What the list's keys do with the row under the cursor: most tell the app what should happen next."""

    def __init__(self, screen: ListBase) -> None:
        self.screen = screen

    def _selected_identity(self) -> Identity | None:
        """The whole identity under the cursor, validated now; None (and a message) if it is malformed."""
        screen = self.screen
        row = screen.table.selected
        if row is None:
            return None
        if not isinstance(row, IdentitySummary):  # already a whole identity
            return row
        try:
            return row.identity(screen.app.client.host)
        except BadResponse as exc:
            screen.notify(exc.message, title="Cannot open this identity", severity="error", markup=False)
            return None

    def post(self, message_type: Callable[[Identity], Message]) -> None:
        """Tell the app to do ``message_type`` (open, details, raw JSON) with the identity under the cursor."""
        identity = self._selected_identity()
        if identity is not None:
            self.screen.app.post_message(message_type(identity))

    def copy_id(self) -> None:
        """Copy the selected id through the terminal (OSC 52)."""
        identity = self.screen.table.selected
        if identity is None:
            return
        self.screen.app.copy_to_clipboard(identity.id)
        self.screen.notify(f"Copied {one_line(identity.id, 60)}", timeout=3, markup=False)

    def copy_json(self) -> None:
        """Copy the selected identity as JSON (what ``y`` shows) through the terminal (OSC 52)."""
        identity = self._selected_identity()
        if identity is None:
            return
        from identity_tui.tui.screens.raw_json import identity_json  # not needed for the first paint

        self.screen.app.copy_to_clipboard(identity_json(identity))
        self.screen.notify(f"Copied the JSON of {one_line(identity.name, 50) or '(no name)'}", timeout=3,
                           markup=False)

    def delete(self) -> None:
        """Delete the selected identity, after typing its identifier key."""
        if self.screen.app.readonly:
            self.screen.notify("Read-only: deleting is turned off.", severity="warning")
            return
        identity = self.screen.table.selected
        if identity is not None:
            self.screen.app.post_message(DeleteIdentity(identity))

    def history(self) -> None:
        """The write journal's records of the selected identity, with undo."""
        row = self.screen.table.selected
        if row is None:
            self.screen.app.post_message(ShowHistory())
            return
        self.screen.app.post_message(ShowHistory(row.id, row.identifier_key))
