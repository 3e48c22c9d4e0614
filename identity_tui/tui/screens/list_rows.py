"""The list's actions on the row under the cursor (open, details, raw JSON, copy the id, new, delete), and its palette."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.app import SystemCommand

from identity_tui.core.display import one_line
from identity_tui.core.errors import BadResponse
from identity_tui.tui.messages import (
    DeleteIdentity,
    ExportIdentities,
    NewIdentity,
    OpenIdentity,
    ShowDetails,
    ShowHistory,
    ShowRawJson,
)


class RowActions:
    """Mixed into the list screen, which has ``table`` (an IdentityTable), ``app`` and ``notify``."""

    def _selected_identity(self):
        """The whole identity under the cursor, validated now; None (and a message) if it is malformed."""
        row = self.table.selected
        if row is None:
            return None
        try:
            return row.identity(self.app.client.host)
        except BadResponse as exc:
            self.notify(exc.message, title="Cannot open this identity", severity="error", markup=False)
            return None

    def action_open(self) -> None:
        """Open the identity under the cursor."""
        identity = self._selected_identity()
        if identity is not None:
            self.app.post_message(OpenIdentity(identity))

    def action_details(self) -> None:
        """All fields, properties, and the linked agents and blocks."""
        identity = self._selected_identity()
        if identity is not None:
            self.app.post_message(ShowDetails(identity))

    def action_raw_json(self) -> None:
        """The selected identity as the server sent it."""
        identity = self._selected_identity()
        if identity is not None:
            self.app.post_message(ShowRawJson(identity))

    def action_copy_id(self) -> None:
        """Copy the selected id through the terminal (OSC 52)."""
        identity = self.table.selected
        if identity is None:
            return
        self.app.copy_to_clipboard(identity.id)
        self.notify(f"Copied {one_line(identity.id, 60)}", timeout=3, markup=False)

    def action_new(self) -> None:
        """Create an identity."""
        if self.app.readonly:
            self.notify("Read-only: creating is turned off.", severity="warning")
            return
        self.app.post_message(NewIdentity())

    def action_delete(self) -> None:
        """Delete the selected identity, after typing its identifier key."""
        if self.app.readonly:
            self.notify("Read-only: deleting is turned off.", severity="warning")
            return
        identity = self.table.selected
        if identity is not None:
            self.app.post_message(DeleteIdentity(identity))

    def action_export(self) -> None:
        """Export the identities the filters select to a file."""
        filters = self.filters
        self.app.post_message(ExportIdentities(filters.query(), tuple(filters.where)))

    def action_history(self) -> None:
        """The write journal's records of the selected identity, with undo."""
        row = self.table.selected
        if row is None:
            self.app.post_message(ShowHistory())
            return
        self.app.post_message(ShowHistory(row.id, row.identifier_key))

    # -- palette --------------------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for this screen."""
        yield SystemCommand("Filter by name", "Focus the name filter", self.action_focus_filter)
        yield SystemCommand("Filters", "Filter by identifier key, type, project; order", self.action_filters)
        yield SystemCommand("Clear filters", "Show every identity again", self.action_clear_filters)
        yield SystemCommand("Toggle order", "Newest first / oldest first", self.action_toggle_order)
        for t in ("org", "user", "other"):
            yield SystemCommand(
                f"Show type: {t}",
                f"Only identities of type {t}",
                lambda t=t: self.set_filters(replace(self.filters, identity_type=t)),
            )
        yield SystemCommand("Next page", "Load the next page", self.action_next_page)
        yield SystemCommand("Previous page", "Back one page", self.action_previous_page)
        yield SystemCommand("Last page", "Jump to the end of the list", self.action_last_page)
        yield SystemCommand("First page", "Back to the top of the list", self.action_first_page)
        yield SystemCommand("Refresh", "Reload from the server", self.action_refresh)
        yield SystemCommand("Open", "Open the selected identity", self.action_open)
        yield SystemCommand("Details", "Fields, properties, linked agents and blocks", self.action_details)
        yield SystemCommand("Raw JSON", "The selected identity as JSON", self.action_raw_json)
        yield SystemCommand("Copy id", "Copy the selected identity's id", self.action_copy_id)
        yield SystemCommand("Export identities…", "The identities the filters select, to a file", self.action_export)
        yield SystemCommand("History of this identity", "The writes of the selected identity", self.action_history)
        if not self.app.readonly:
            yield SystemCommand("New identity", "Create an identity", self.action_new)
            yield SystemCommand("Delete identity", "Delete the selected identity", self.action_delete)
