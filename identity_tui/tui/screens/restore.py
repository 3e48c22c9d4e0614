"""The restore offer: forms a session left unsaved (SSH dropped, killed), each restored, discarded or kept for later."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from identity_tui.core.display import one_line
from identity_tui.core.draft_store import DraftStore
from identity_tui.core.draft_texts import SavedDraft
from identity_tui.core.draft_words import describe_age, restore_changes
from identity_tui.tui.screens.dialog import Dialog
from identity_tui.tui.widgets.buttons import KeyButton

SHOWN_CHANGES = 3


def draft_text(draft: SavedDraft, now: datetime | None = None) -> Text:
    """One draft for the list: who, when, and the first few things it changes (server text kept literal)."""
    texts = draft.texts
    out = Text()
    if draft.creating:
        out.append("New identity: ")
    out.append(one_line(texts.name, 30) or "(no name)", style="bold")
    out.append(f" · {one_line(texts.identifier_key, 28) or '(no key)'} · {describe_age(draft.saved_at, now)}")
    changes = restore_changes(draft)
    for line in changes[:SHOWN_CHANGES]:
        out.append(f"\n  {line}")
    if len(changes) > SHOWN_CHANGES:
        more = len(changes) - SHOWN_CHANGES
        out.append(f"\n  … and {more} more change{'s' if more > 1 else ''}")
    return out


class RestoreScreen(Dialog[SavedDraft | None]):
    """Drafts of this server: enter restores the highlighted one, d discards it, esc keeps them all for later."""

    BOX_ID = "restore-box"

    BINDINGS = [
        Binding("r", "restore", "Restore", id="restore.restore"),
        Binding("d,delete", "discard", "Discard", id="restore.discard"),
        Binding("escape,l", "close", "Later", id="restore.later"),
    ]

    def __init__(self, drafts: list[SavedDraft], store: DraftStore, *, now: datetime | None = None) -> None:
        by_form = {d.form_id: d for d in drafts}
        super().__init__(f"Unsaved draft{'s' if len(by_form) > 1 else ''} from an earlier session",
                         hint="enter restore · d discard · esc later (drafts are kept)")
        self.drafts = by_form
        self.store = store
        self.now = now or datetime.now(timezone.utc)

    def compose_body(self) -> ComposeResult:
        yield Static(Text("Restore opens the form with the draft applied; nothing is sent until you save."))
        yield OptionList(
            *(Option(draft_text(d, self.now), id=d.form_id) for d in self.drafts.values()),
            id="restore-list",
        )
        with Horizontal(classes="buttons"):
            yield KeyButton("Restore", id="restore", variant="primary", compact=True)
            yield KeyButton("Discard…", id="discard", variant="error", compact=True)
            yield KeyButton("Later", id="later", compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#restore-list", OptionList)
        options.highlighted = 0
        options.focus()

    @property
    def highlighted(self) -> SavedDraft | None:
        """The draft under the cursor."""
        options = self.query_one("#restore-list", OptionList)
        if options.highlighted is None:
            return None
        return self.drafts.get(options.get_option_at_index(options.highlighted).id or "")

    @on(OptionList.OptionSelected, "#restore-list")
    @on(Button.Pressed, "#restore")
    def action_restore(self) -> None:
        """Open the highlighted draft's form."""
        draft = self.highlighted
        if draft is not None:
            self.dismiss(draft)

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        """Delete the highlighted draft after a confirmation."""
        draft = self.highlighted
        if draft is None:
            return
        from identity_tui.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard(draft)

        name = one_line(draft.texts.name, 40) or "a new identity"
        self.app.push_screen(
            ConfirmScreen("Discard this draft?", f"The unsaved edits of {name} are lost.", yes="Discard"),
            answered,
        )

    def _discard(self, draft: SavedDraft) -> None:
        try:
            if draft.path is not None:
                self.store.remove(draft.path)
        except OSError as exc:
            self.notify(f"Could not remove {draft.path}: {exc.strerror or exc}", severity="error", markup=False)
            return
        del self.drafts[draft.form_id]
        if not self.drafts:
            self.dismiss(None)
            return
        options = self.query_one("#restore-list", OptionList)
        options.remove_option(draft.form_id)
        options.focus()

    @on(Button.Pressed, "#later")
    def _later(self) -> None:
        """Close, keeping every draft (the Drafts command brings them back)."""
        self.action_close()

