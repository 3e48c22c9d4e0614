"""The detail view: every field, the typed properties, and the agents and blocks linked to an identity."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from identity_tui.core.display import one_line, printable
from identity_tui.core.errors import LettaError
from identity_tui.core.jsontext import dumps
from identity_tui.core.models import Identity
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.widgets.key_bar import KeyBar
from identity_tui.tui.widgets.status_bar import StatusBar


def value_text(value: Any, width: int = 60) -> str:
    """A property value on one line: JSON for objects and booleans, as-is for text."""
    if isinstance(value, str):
        return one_line(value, width)
    return one_line(dumps(value), width)  # no recursion: a value may be nested any depth


class DetailScreen(ReportsWorkerErrors, Screen):
    """Read-only view of one identity; the links come from /agents and /blocks, not agent_ids."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="detail.back"),
        Binding("y", "raw_json", "JSON", id="detail.json"),
        Binding("c", "copy_id", "Copy id", id="detail.copy_id"),
    ]

    class LinksLoaded(Message):
        """Agents and blocks came back (or an error sentence)."""

        def __init__(self, agents: list[dict] | None, blocks: list[dict] | None, error: str | None) -> None:
            super().__init__()
            self.agents = agents
            self.blocks = blocks
            self.error = error

    def __init__(self, identity: Identity) -> None:
        super().__init__()
        self.identity = identity

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
            yield Static(Text("Linked agents", style="bold"), classes="section")
            yield Static(Text("Loading…"), id="detail-agents")
            yield Static(Text("Linked memory blocks", style="bold"), classes="section")
            yield Static(Text("Loading…"), id="detail-blocks")
        yield KeyBar()

    def on_mount(self) -> None:
        bar = self.query_one(StatusBar)
        bar.set_connection(self.app.conn)
        bar.set_total(self.app.total)
        self.load_links()

    @work(exclusive=True, group="links", exit_on_error=False)
    async def load_links(self) -> None:
        client = self.app.client
        try:
            agents = await client.list_agents(self.identity.id)
            blocks = await client.list_blocks(self.identity.id)
        except LettaError as exc:
            self.post_message(self.LinksLoaded(None, None, exc.message))
            return
        self.post_message(self.LinksLoaded(agents, blocks, None))

    @on(LinksLoaded)
    def _links(self, message: LinksLoaded) -> None:
        self.query_one("#detail-agents", Static).update(
            _link_text(message.agents, message.error, "name", "agents")
        )
        self.query_one("#detail-blocks", Static).update(
            _link_text(message.blocks, message.error, "label", "blocks")
        )

    def action_back(self) -> None:
        self.dismiss()

    def action_raw_json(self) -> None:
        from identity_tui.tui.screens.raw_json import RawJsonScreen

        self.app.push_screen(RawJsonScreen(self.identity))

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.identity.id)
        self.notify(f"Copied {one_line(self.identity.id, 60)}", timeout=3, markup=False)


def _link_text(items: list[dict] | None, error: str | None, label_key: str, noun: str) -> Text:
    if error is not None:
        return Text(f"Could not load {noun}: {printable(error)}")
    if not items:
        return Text(f"No linked {noun}.", style="dim")
    text = Text()
    for item in items:
        label = str(item.get(label_key) or item.get("name") or "")
        text.append(f"  {one_line(label, 40)}  ")
        text.append(one_line(str(item.get("id", "")), 50), style="dim")
        text.append("\n")
    return text
