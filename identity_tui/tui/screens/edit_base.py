"""What the edit screen's save flow sees of it: the identity edited, the form, and the line under it.

``EditScreen`` composes its helpers and is the one ``EditBase``; ``SaveFlow`` is typed against this class, so it
does not import the screen that imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from identity_tui.tui.screens.base import AppScreen
from identity_tui.tui.widgets.edit_form import EditForm

if TYPE_CHECKING:
    from identity_tui.core.draft import Draft
    from identity_tui.core.models import Identity
    from identity_tui.tui.screens.edit_drafts import FormDrafts


class EditBase(AppScreen[None]):
    """The form screen's state and the moves its save flow asks of it."""

    baseline: Identity | None  # the identity as loaded (what "modified" compares with); None while creating
    creating: bool
    drafts: FormDrafts  # the form's texts kept on disk while modified

    @property
    def identity_id(self) -> str | None:
        """The id being edited (None while creating)."""
        return None if self.creating or self.baseline is None else self.baseline.id

    @property
    def form(self) -> EditForm:
        return self.query_one(EditForm)

    def say(self, text: str, *, error: bool = False) -> None:
        """One line under the form: the outcome of the last thing done."""
        raise NotImplementedError

    def drop_draft(self) -> None:
        """The edits are given up (or saved): remove the draft and keep no more."""
        raise NotImplementedError

    async def become_editor(self, identity: Identity, typed: Draft | None = None) -> None:
        """From now on this is ``identity``'s edit form; ``typed`` values stay, compared with what it holds."""
        raise NotImplementedError
