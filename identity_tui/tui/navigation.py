"""Where the app's messages lead: which screen opens, which closes, which list reloads.

The app owns this module; screens never import it (they post ``tui.messages``), so the screens form no
circle. Each function takes the app and does one move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from identity_tui.core.display import one_line
from identity_tui.tui.screens.confirm import GONE, DeleteScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen

if TYPE_CHECKING:
    from identity_tui.core.draft_texts import SavedDraft
    from identity_tui.core.models import Identity
    from identity_tui.core.summary import IdentitySummary
    from identity_tui.tui.app_base import AppBase


def refresh_lists(app: AppBase, select_id: str | None) -> None:
    """Reload the list screens underneath, selecting ``select_id``."""
    for screen in app.screen_stack:
        if isinstance(screen, ListScreen):
            screen.refresh_after_write(select_id)


def _replace_form(app: AppBase, screen: EditScreen) -> None:
    """Push ``screen``; a form already on top is asked about its unsaved changes and closed first."""
    current = app.screen
    if isinstance(current, EditScreen):

        def swap() -> None:
            app.pop_screen()
            app.push_screen(screen)

        current.confirm_leave(swap)
        return
    app.push_screen(screen)


def open_edit(app: AppBase, identity: Identity) -> None:
    """Open the form for ``identity``; a modified form already open is asked about first."""
    current = app.screen
    if isinstance(current, EditScreen) and current.identity_id == identity.id:
        return
    _replace_form(app, EditScreen(identity))


def open_create(app: AppBase) -> None:
    """Open an empty form for a new identity (type user, project from the connection)."""
    if app.readonly:
        app.notify("Read-only: creating is turned off.", severity="warning")
        return
    app.push_screen(EditScreen(None, project_id=app.conn.project_id))


def ask_delete(app: AppBase, identity: Identity | IdentitySummary) -> None:
    """Open the delete dialog; when the identity is gone, close its form and reload the list."""
    if app.readonly:
        app.notify("Read-only: deleting is turned off.", severity="warning")
        return

    def done(outcome: str | None) -> None:
        if outcome:
            deleted(app, identity, already=outcome == GONE)

    app.push_screen(DeleteScreen(identity), done)


def deleted(app: AppBase, identity: Identity | IdentitySummary, *, already: bool) -> None:
    """``identity`` is gone from the server: its forms close, the lists reload, and a line says so."""
    while isinstance(app.screen, EditScreen) and app.screen.identity_id == identity.id:
        app.pop_screen()
    refresh_lists(app, None)
    name = one_line(identity.name, 40)
    if not identity.name.strip():  # never "Deleted ." for an identity without a name
        name = f"the identity with identifier_key '{one_line(identity.identifier_key, 40)}'"
    if already:
        app.notify(f"{name[0].upper() + name[1:] if not identity.name.strip() else name} is gone from the "
                   "server (404): an earlier try whose answer was lost, or someone else, deleted it.",
                   timeout=6, markup=False)
    else:
        app.notify(f"Deleted {name}.", timeout=4, markup=False)


def offer_drafts(app: AppBase, *, at_start: bool = False) -> None:
    """Offer this server's drafts; at start only over the list, and only when there are some."""
    from identity_tui.tui.screens.restore import RestoreScreen

    store = app.draft_store()
    if store is None:
        if not at_start:
            app.notify("Read-only: drafts are not kept or restored.", severity="warning")
        return
    if at_start:
        pruned = store.prune(app.config.draft_days)
        if pruned:
            app.notify(f"Removed {pruned} draft{'s' if pruned > 1 else ''} older than {app.config.draft_days} days "
                       "(draft_days in config.toml).", timeout=6)
    everything, problems = store.load()
    open_forms = {screen.draft_form_id for screen in app.screen_stack if isinstance(screen, EditScreen)}
    drafts = [d for d in everything if d.form_id not in open_forms]  # an open form's own draft is no news
    for problem in problems:
        app.notify(problem, severity="warning", timeout=8, markup=False)
    if not drafts:
        if not at_start and len(everything) > len(drafts):
            app.notify("The open form's unsaved changes are kept as a draft (it goes once they are saved or "
                       "discarded); no other drafts are kept for this server.", timeout=5)
        elif not at_start:
            app.notify("No unsaved drafts are kept for this server.", timeout=3)
        return
    if at_start and not isinstance(app.screen, ListScreen):
        n = len(drafts)
        app.notify(f"{n} unsaved draft{'s' if n > 1 else ''} from an earlier session: the Drafts command "
                   "(ctrl+p) restores them.", timeout=8)
        return

    def chosen(draft: SavedDraft | None) -> None:
        if draft is not None:
            restore_draft(app, draft)

    app.push_screen(RestoreScreen(drafts, store), chosen)


def restore_draft(app: AppBase, draft: SavedDraft) -> None:
    """Open the draft's form (an edit form reads the identity afresh first); an open modified form is asked about."""
    if draft.base is not None:
        screen = EditScreen(draft.base).restoring(draft)
    else:
        screen = EditScreen(None, project_id=app.conn.project_id).restoring(draft)
    _replace_form(app, screen)


def restore_as_new(app: AppBase, draft: SavedDraft) -> None:
    """The draft's identity was deleted on the server: open its texts as a new identity instead."""
    from identity_tui.core.draft_texts import as_new

    name = one_line(draft.texts.name, 40) or "The identity"
    app.notify(f"{name} was deleted on the server: the draft opens as a new identity.", severity="warning",
               timeout=8, markup=False)
    app.push_screen(EditScreen(None, project_id=draft.texts.project_id).restoring(as_new(draft)))


def open_export(app: AppBase, query: dict, where: tuple, key_match: tuple[str, str] | None = None,
                ids: tuple[str, ...] | None = None) -> None:
    """The export dialog for the list's filters; its result is also notified."""
    from identity_tui.tui.screens.export import ExportScreen

    def done(result: str | None) -> None:
        if result:
            app.notify(result, timeout=6, markup=False)

    app.push_screen(ExportScreen(query, where=where, key_match=key_match, ids=ids), done)
