"""The detail view: every field, the typed properties, and the agents and blocks linked to an identity.

``a`` links an agent or block found with the picker, ``x`` unlinks the one selected: one request each,
shown first when previews are on, then the links are read back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from identity_tui.core import links
from identity_tui.core.display import one_line, printable
from identity_tui.core.errors import LettaError
from identity_tui.core.jsontext import dumps
from identity_tui.core.models import Identity
from identity_tui.tui.screens.base import AppScreen, ReportsWorkerErrors
from identity_tui.tui.widgets.key_bar import KeyBar
from identity_tui.tui.widgets.links import NOUNS, LinkTable, request_line, target_label
from identity_tui.tui.widgets.status_bar import StatusBar


def value_text(value: Any, width: int = 60) -> str:
    """A property value on one line: JSON for objects and booleans, as-is for text."""
    if isinstance(value, str):
        return one_line(value, width)
    return one_line(dumps(value), width)  # no recursion: a value may be nested any depth


class DetailScreen(ReportsWorkerErrors, AppScreen[None]):
    """One identity; the links come from /agents and /blocks (not agent_ids) and can be changed here."""

    DEFAULT_CSS = """
    DetailScreen #detail-message { height: auto; padding: 0 1; }
    DetailScreen #detail-message.error { color: $error; }
    DetailScreen .link-note { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="detail.back"),
        Binding("a", "attach", "Link", id="detail.attach"),
        Binding("x,delete", "detach", "Unlink", id="detail.detach"),
        Binding("y", "raw_json", "JSON", id="detail.json"),
        Binding("c", "copy_id", "Copy id", id="detail.copy_id"),
        Binding("C", "copy_json", "Copy JSON", show=False, id="detail.copy_json"),
    ]

    def __init__(self, identity: Identity) -> None:
        super().__init__()
        self.identity = identity
        self._select: tuple[str, str] | None = None  # (kind, id) of a link just made, to select once read

    def compose(self) -> ComposeResult:
        i = self.identity
        yield StatusBar(id="status")
        with VerticalScroll(id="detail"):
            fields = Text()
            for label, value in (
                ("Name", i.name),
                ("Identifier key", i.identifier_key),
                ("Type", i.identity_type.value),
                ("Project", i.project_id or "—"),
                ("Id", i.id),
            ):
                fields.append(f"{label:>15}  ", style="bold")
                fields.append(printable(value))
                fields.append("\n")
            yield Static(fields, id="detail-fields")
            yield Static(Text(f"Properties ({len(i.properties)})", style="bold"), classes="section")
            props: DataTable = DataTable(cursor_type="row", id="detail-props")
            props.add_columns("Key", "Type", "Value")
            for p in i.properties:
                props.add_row(Text(one_line(p.key, 30)), Text(p.type.value), Text(value_text(p.value)))
            yield props
            for kind in links.KINDS:
                yield Static(Text(f"Linked {NOUNS[kind][1]}", style="bold"), id=f"detail-{kind}s-title",
                             classes="section")
                table = LinkTable(kind, id=f"detail-{kind}s")
                table.display = False  # until the links are here
                yield table
                yield Static(Text("Loading…"), id=f"detail-{kind}s-note", classes="link-note")
        yield Static("", id="detail-message")
        yield KeyBar()

    def on_mount(self) -> None:
        bar = self.query_one(StatusBar)
        bar.set_connection(self.app.conn)
        bar.set_total(self.app.total)
        self.load_links()

    def link_table(self, kind: str) -> LinkTable:
        return self.query_one(f"#detail-{kind}s", LinkTable)

    # -- reading the links ----------------------------------------------------------------------

    @work(exclusive=True, group="links", exit_on_error=False)
    async def load_links(self) -> None:
        """Every linked agent and block, read from the server (page after page)."""
        client = self.app.client
        try:
            found = {kind: await links.linked(client, self.identity.id, kind) for kind in links.KINDS}
        except LettaError as exc:
            for kind in links.KINDS:
                note = f"Could not load {NOUNS[kind][1]}: {printable(exc.message)}"
                self.query_one(f"#detail-{kind}s-note", Static).update(Text(note))
            return
        for kind, items in found.items():
            self._show_links(kind, items)

    def _show_links(self, kind: str, items: list[dict]) -> None:
        table = self.link_table(kind)
        row = table.cursor_row
        table.show(items)
        table.display = bool(items)  # an empty list shows its sentence, not an empty header
        if items:
            table.move_cursor(row=min(row, len(items) - 1), animate=False)
        if self._select is not None and self._select[0] == kind:
            at = next((i for i, item in enumerate(items) if item.get("id") == self._select[1]), None)
            self._select = None
            if at is not None:
                table.move_cursor(row=at, animate=False)
                table.focus()
        self.query_one(f"#detail-{kind}s-title", Static).update(
            Text(f"Linked {NOUNS[kind][1]} ({len(items)})", style="bold")
        )
        note = "" if items else f"No linked {NOUNS[kind][1]}."
        if not self.app.readonly:
            if not items:
                note = note[:-1] + (": a links one." if kind == "agent" else ": a, then ctrl+t, links one.")
            else:
                note = "a links another · x unlinks the selected"
        self.query_one(f"#detail-{kind}s-note", Static).update(Text(note))

    # -- changing them ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("attach", "detach") and self.app.readonly:
            return False
        return True

    def _focused_kind(self) -> str:
        focused = self.focused
        return focused.kind if isinstance(focused, LinkTable) else "agent"

    def action_attach(self, kind: str | None = None) -> None:
        """Find an agent (or, from the blocks, a memory block) and link it."""
        from identity_tui.tui.screens.link_picker import LinkPickerScreen

        if self._busy():
            return
        kind = kind or self._focused_kind()
        linked_ids = {k: {str(item.get("id")) for item in self.link_table(k).items} for k in links.KINDS}
        self.app.push_screen(LinkPickerScreen(kind, linked_ids), self._picked)

    def _picked(self, picked: tuple[str, dict] | None) -> None:
        if picked is None:
            return
        kind, item = picked
        if not self.app.config.preview_saves:
            self.change_link(kind, item, True)
            return
        self._confirm(kind, item, True, "Send this request?", "Send")

    def action_detach(self) -> None:
        """Unlink the selected agent or block, after a yes/no."""
        if self._busy():
            return
        focused = self.focused
        item = focused.selected if isinstance(focused, LinkTable) else None
        if not isinstance(focused, LinkTable) or item is None or not isinstance(item.get("id"), str):
            self._say("Select a linked agent or memory block first (tab moves to them).")
            return
        self._confirm(focused.kind, item, False, f"Unlink this {NOUNS[focused.kind][0]}?", "Unlink")

    def _confirm(self, kind: str, item: dict, attach: bool, title: str, yes: str) -> None:
        from identity_tui.tui.screens.confirm import ConfirmScreen

        verb = "Links" if attach else "Unlinks"
        text = (f"{request_line(kind, item['id'], self.identity.id, attach)}\n\n{verb} the {NOUNS[kind][0]} "
                f"'{target_label(kind, item)}' {'to' if attach else 'from'} "
                f"'{one_line(self.identity.name, 40)}'; the links are read back after.")

        def answered(ok: bool | None) -> None:
            if ok:
                self.change_link(kind, item, attach)

        self.app.push_screen(ConfirmScreen(title, text, yes=yes, no="Cancel"), answered)

    @work(exclusive=True, group="change", exit_on_error=False)
    async def change_link(self, kind: str, item: dict, attach: bool) -> None:
        """One attach or detach request, the links read before and after; the sections then refresh."""
        noun, label = NOUNS[kind][0], target_label(kind, item)
        self._say(f"{'Linking' if attach else 'Unlinking'} {noun} '{label}'… (esc stops waiting)")
        try:
            change = await links.change(self.app.client, self.identity.id, kind, item["id"], attach=attach)
        except LettaError as exc:
            self._say(f"Could not {'link' if attach else 'unlink'} {noun} '{label}': {exc.message}", error=True)
            return
        self._say({
            "linked": f"Linked {noun} '{label}'.",
            "unlinked": f"Unlinked {noun} '{label}'.",
            "already_linked": f"{noun.capitalize()} '{label}' was already linked.",
            "already_unlinked": f"{noun.capitalize()} '{label}' was already unlinked.",
        }[change.status])
        if attach:
            self._select = (kind, item["id"])
        self.load_links()

    def _busy(self) -> bool:
        """True (and it says so) while a link change waits on the server: one change at a time."""
        if self._changing():
            self._say("Wait for the link change under way to finish (esc stops waiting).")
            return True
        return False

    def _changing(self) -> bool:
        return any(w.node is self and w.group == "change" and w.is_running for w in self.workers)

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#detail-message", Static)
        message.set_class(error, "error")
        message.update(Text(printable(text)))

    @property
    def message(self) -> str:
        """The line under the links: what the last change did, or why it failed."""
        return str(self.query_one("#detail-message", Static).render())

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for this screen."""
        if not self.app.readonly:
            for kind in links.KINDS:
                noun = NOUNS[kind][0]
                article = "an" if noun[0] in "aeiou" else "a"
                yield SystemCommand(f"Link {noun}", f"Find {article} {noun} on the server and link it to this identity",
                                    lambda kind=kind: self.action_attach(kind))
            yield SystemCommand("Unlink", "Unlink the selected agent or memory block", self.action_detach)
        yield SystemCommand("Raw JSON", "This identity as JSON", self.action_raw_json)
        yield SystemCommand("Copy id", "Copy this identity's id", self.action_copy_id)
        yield SystemCommand("Copy as JSON", "Copy this identity as JSON", self.action_copy_json)

    # -- other keys -----------------------------------------------------------------------------

    def action_back(self) -> None:
        if self._changing():
            # Give up waiting; the server may still act, so the links are read again.
            self.workers.cancel_group(self, "change")
            self._say("Stopped waiting: the link may or may not have changed; the links are read again.",
                      error=True)
            self.load_links()
            return
        self.dismiss()

    def action_raw_json(self) -> None:
        from identity_tui.tui.screens.raw_json import RawJsonScreen

        self.app.push_screen(RawJsonScreen(self.identity))

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.identity.id)
        self.notify(f"Copied {one_line(self.identity.id, 60)}", timeout=3, markup=False)

    def action_copy_json(self) -> None:
        from identity_tui.tui.screens.raw_json import identity_json

        self.app.copy_to_clipboard(identity_json(self.identity))
        self.notify(f"Copied the JSON of {one_line(self.identity.name, 50) or '(no name)'}", timeout=3,
                    markup=False)
