"""The profiles screen (S on the list): the servers of config.toml and the sandbox; enter connects, a adds, e edits,
t tests. A token is never shown: only where it comes from."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from identity_tui.core.config import (
    ConfigError,
    Connection,
    Profile,
    config_path,
    env_name_problem,
    name_problem,
    save_profile,
    token_description,
    url_problem,
    url_unusable,
)
from identity_tui.core.display import one_line, printable
from identity_tui.core.errors import LettaError
from identity_tui.core.secret import shown_url, url_host
from identity_tui.core.words import plural
from identity_tui.tui.screens.base import ReportsWorkerErrors
from identity_tui.tui.screens.dialog import Dialog

SANDBOX = "sandbox"
IN_USE = "●"


@dataclass(frozen=True)
class Entry:
    """One row: a profile of config.toml, or the sandbox (``profile`` None)."""

    profile: Profile | None

    @property
    def label(self) -> str:
        return self.profile.name if self.profile else SANDBOX


class ProfilesScreen(ReportsWorkerErrors, Dialog[Connection | None]):
    """Dismisses with the connection to switch to; esc closes with None (or first stops a test's wait)."""

    BOX_ID = "profiles-box"

    BINDINGS = [
        Binding("enter", "connect", "Connect", id="profiles.connect"),
        Binding("a", "add", "Add", id="profiles.add"),
        Binding("e", "edit", "Edit", id="profiles.edit"),
        Binding("t", "test", "Test", id="profiles.test"),
        Binding("j", "down", "Down", show=False, id="profiles.down"),
        Binding("k", "up", "Up", show=False, id="profiles.up"),
        Binding("escape", "close", "Close", id="profiles.close"),
    ]

    def __init__(self) -> None:
        super().__init__("Switch server", hint="j/k move · enter connect · a add · e edit · t test · esc close")
        self.entries: list[Entry] = []
        self.testing: str | None = None  # the row whose test is waiting for its server

    def compose_body(self) -> ComposeResult:
        yield Static("", id="profiles-note")
        yield OptionList(id="profiles-list")
        yield Static("", id="profiles-said")  # shown once it has something to say

    def on_mount(self) -> None:
        self.show_entries()
        self.query_one(OptionList).focus()

    # -- the rows -------------------------------------------------------------------------------

    def _in_use(self, entry: Entry) -> bool:
        conn = self.app.conn
        if entry.profile is None:
            return conn.sandbox is not None
        return conn.sandbox is None and conn.profile == entry.profile.name

    def _row(self, entry: Entry) -> Text:
        """Two lines: marker, name and badges; then the URL (without user:password@) and where the token comes from."""
        in_use = self._in_use(entry)
        text = Text()
        text.append(f"{IN_USE if in_use else ' '} ", style="bold" if in_use else "")
        text.append(one_line(entry.label, 30), style="bold")
        badges = []
        if in_use:
            badges.append("in use")
        prof = entry.profile
        if prof is not None and prof.name == self.app.config.default_profile:
            badges.append("default")
        if prof is not None and prof.readonly:
            badges.append("read-only")
        if badges:
            text.append(f"  ({', '.join(badges)})")
        if prof is None:
            where = self.app.sandbox_entry().sandbox
            name = where.name if where is not None else "?"
            text.append(f"\n    local database {one_line(printable(name), 40)} · no token")
        else:
            text.append(f"\n    {one_line(printable(shown_url(prof.base_url)), 44)} · {token_description(prof)}")
        return text

    def show_entries(self, select: str | None = None) -> None:
        """List the config's profiles and the sandbox, the cursor on ``select`` or on the one in use."""
        profiles = self.app.config.profiles
        self.entries = [Entry(p) for p in profiles.values()] + [Entry(None)]
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options([Option(self._row(e), id=f"entry-{i}") for i, e in enumerate(self.entries)])
        wanted = next((i for i, e in enumerate(self.entries) if e.label == select), None) if select else None
        if wanted is None:
            wanted = next((i for i, e in enumerate(self.entries) if self._in_use(e)), 0)
        option_list.highlighted = wanted
        self._show_note()

    def _show_note(self) -> None:
        """What is in use when it is no profile; a warning for every token stored in the file."""
        lines: list[str] = []
        conn = self.app.conn
        if conn.sandbox is None and conn.profile is None:
            lines.append(f"In use: {url_host(conn.base_url)} (from flags or the environment, not a profile).")
        if not self.app.config.profiles:
            lines.append("No profiles in config.toml yet: a adds one.")
        stored = [p.name for p in self.app.config.profiles.values() if p.token]
        if stored:
            names = ", ".join(one_line(n, 20) for n in stored)
            keeps = "keeps its token" if len(stored) == 1 else "keep their tokens"
            lines.append(f"Warning: {names} {keeps} in config.toml (token_env is safer).")
        self.query_one("#profiles-note", Static).update(Text("\n".join(lines)))
        self.query_one("#profiles-note", Static).display = bool(lines)

    def say(self, text: str, *, error: bool = False) -> None:
        """The line under the list: a test's answer, why a connect was refused, what was saved."""
        said = self.query_one("#profiles-said", Static)
        said.update(Text(text, style="bold" if error else ""))
        said.set_class(error, "-error")
        said.display = bool(text)

    @property
    def current(self) -> Entry | None:
        """The row under the cursor."""
        index = self.query_one(OptionList).highlighted
        return self.entries[index] if index is not None and 0 <= index < len(self.entries) else None

    # -- keys ---------------------------------------------------------------------------------

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_connect()

    def connection_for(self, entry: Entry) -> Connection | None:
        """The connection ``entry`` stands for, weighed as at start-up; None (and a sentence) when refused."""
        if entry.profile is None:
            return self.app.sandbox_entry()
        unusable = url_unusable(entry.profile.base_url)
        if unusable:
            self.say(f"{entry.label}: {unusable}", error=True)
            return None
        try:
            conn, warnings = self.app.profile_connection(entry.profile.name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return None
        for warning in warnings:
            self.app.notify(warning, severity="warning", timeout=20, markup=False)
        return conn

    def action_connect(self) -> None:
        """Connect to the row under the cursor: the list reloads from its first page, filters cleared."""
        entry = self.current
        if entry is None:
            return
        conn = self.connection_for(entry)
        if conn is not None:
            self.workers.cancel_group(self, "profile-test")
            self.dismiss(conn)

    def action_add(self) -> None:
        """A new profile, written to config.toml."""
        self.app.push_screen(ProfileForm(None, taken=set(self.app.config.profiles)), self._saved)

    def action_edit(self) -> None:
        """Edit the profile under the cursor (its stored token, if any, stays as it is)."""
        entry = self.current
        if entry is None or entry.profile is None:
            self.say("The sandbox is not a profile: there is nothing to edit.")
            return
        taken = set(self.app.config.profiles) - {entry.profile.name}
        self.app.push_screen(ProfileForm(entry.profile, taken=taken), self._saved)

    def _saved(self, result: tuple[Profile, str | None] | None) -> None:
        if result is None:
            return
        prof, old_name = result
        cfg = self.app.config
        cfg.profiles = {(prof.name if name == old_name else name): (prof if name == old_name else p)
                        for name, p in cfg.profiles.items()}
        cfg.profiles.setdefault(prof.name, prof)
        if old_name and old_name != prof.name and cfg.default_profile == old_name:
            cfg.default_profile = prof.name
        self.show_entries(select=prof.name)
        in_use = self.app.conn.profile in (old_name, prof.name) and self.app.conn.sandbox is None
        self.say(f"Saved profile {prof.name!r} to config.toml" +
                 (" (in use: enter connects with its new settings)." if in_use else "."))

    def action_test(self) -> None:
        """Ask the server under the cursor for its count, once; esc stops the wait."""
        entry = self.current
        if entry is None:
            return
        if entry.profile is None:
            self.say("sandbox: a local database, nothing to reach over the network.")
            return
        conn = self.connection_for(entry)
        if conn is None:
            return
        self.testing = entry.label
        self.say(f"{entry.label}: asking {url_host(conn.base_url)}… (esc stops waiting)")
        self.ask_server(entry.label, conn)

    @work(exclusive=True, group="profile-test", exit_on_error=False)
    async def ask_server(self, label: str, conn: Connection) -> None:
        """One count request to ``conn``'s server with its own credentials; the answer goes to the line."""
        from identity_tui.core.connect import open_backend

        backend = open_backend(conn, transport=self.app.transport, retries=0)  # one request, no retries
        try:
            total = await backend.client.count()
        except LettaError as exc:
            said, error = f"{label}: {printable(exc.message)}", True
        else:
            said, error = f"{label}: answers, {plural(total, 'identity', 'identities')}.", False
        finally:
            await backend.client.aclose()
        if not get_current_worker().is_cancelled:
            self.testing = None
            self.say(said, error=error)

    def action_close(self) -> None:
        """esc: stop a test's wait if one runs, else close."""
        if self.testing is not None:
            self.workers.cancel_group(self, "profile-test")
            self.say(f"{self.testing}: test stopped, no answer waited for.")
            self.testing = None
            return
        self.dismiss(None)


def readonly_words(on: bool) -> str:
    """The read-only box's state in words: its mark alone does not show it without colour (NO_COLOR)."""
    return "yes: writes turned off (space toggles)" if on else "no: writes allowed (space toggles)"


def form_row(label: str, *widgets: Input | Checkbox) -> Horizontal:
    """One line of the form: the field's name, then the field."""
    return Horizontal(Label(label), *widgets, classes="form-row")


class ProfileForm(Dialog[tuple[Profile, str | None] | None]):
    """Add or edit one profile; ctrl+s (or enter in a field) checks and writes config.toml, esc cancels.

    Answers (the profile written, its old name) once the file is written; nothing is written while a field is
    wrong, and each wrong field says why in one sentence beside it."""

    BOX_ID = "profile-form-box"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="profile_form.save"),
        Binding("escape", "close", "Cancel", id="profile_form.cancel"),
    ]

    FIELDS = ("name", "url", "token-env", "user", "project")

    def __init__(self, profile: Profile | None, *, taken: set[str]) -> None:
        heading = "New profile" if profile is None else f"Edit profile {one_line(profile.name, 30)}"
        super().__init__(heading, hint="ctrl+s or enter save · esc cancel")
        self.profile = profile
        self.taken = taken

    def compose_body(self) -> ComposeResult:
        p = self.profile
        if p is not None and p.token:
            yield Static(Text("This profile's token is stored in config.toml (it stays there, not shown). "
                              "token_env is safer: name a variable and remove the token from the file."),
                         id="pf-stored-token")
        yield form_row("Name", Input(p.name if p else "", id="pf-name", compact=True))
        yield Static("", id="pf-name-error", classes="pf-error")
        yield form_row("Base URL", Input(shown_url(p.base_url) if p else "", placeholder="https://letta.example.com",
                                         id="pf-url", compact=True))
        yield Static("", id="pf-url-error", classes="pf-error")
        yield form_row("Token from variable", Input(p.token_env or "" if p else "", placeholder="e.g. LETTA_PROD_KEY",
                                                    id="pf-token-env", compact=True))
        yield Static("", id="pf-token-env-error", classes="pf-error")
        yield form_row("User id", Input(p.user_id or "" if p else "", id="pf-user", compact=True))
        yield form_row("Project id", Input(p.project_id or "" if p else "", id="pf-project", compact=True))
        readonly = p.readonly if p else False
        yield form_row("Read-only", Checkbox(readonly_words(readonly), readonly, id="pf-readonly", compact=True))
        yield Static("", id="pf-said", classes="pf-error")

    def _field_text(self, field: str) -> str:
        return self.query_one(f"#pf-{field}", Input).value.strip()

    def _show_error(self, field: str, sentence: str | None) -> None:
        line = self.query_one(f"#pf-{field}-error", Static)
        line.update(Text(sentence or ""))
        line.set_class(bool(sentence), "shown")

    def _url(self) -> tuple[str, str | None]:
        """The base URL the field says and why it cannot be one (None when it can); the field left as shown
        keeps the profile's URL, user:password@ and all."""
        typed = self._field_text("url").rstrip("/")
        if self.profile is not None and typed == shown_url(self.profile.base_url).rstrip("/"):
            return self.profile.base_url, None
        return typed, url_problem(typed)


    @on(Checkbox.Changed, "#pf-readonly")
    def _readonly_toggled(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = readonly_words(event.value)

    def built(self) -> Profile | None:
        """The profile the fields describe, or None after saying beside each wrong field why."""
        name = self._field_text("name")
        url, url_says = self._url()
        token_env = self._field_text("token-env")
        problems = {"name": name_problem(name, self.taken), "url": url_says, "token-env": env_name_problem(token_env)}
        for field, sentence in problems.items():
            self._show_error(field, sentence)
        if any(problems.values()):
            wrong = next(f for f, s in problems.items() if s)
            self.query_one(f"#pf-{wrong}", Input).focus()
            return None
        base = self.profile or Profile(name=name)
        return replace(base, name=name, base_url=url, token_env=token_env or None,
                       user_id=self._field_text("user") or None, project_id=self._field_text("project") or None,
                       readonly=self.query_one("#pf-readonly", Checkbox).value)

    @on(Input.Submitted)
    def action_save(self) -> None:
        """Check the fields, then write config.toml (atomically, mode 0600); nothing is written while one is wrong."""
        prof = self.built()
        if prof is None:
            return
        path = self.app.config.path or config_path()
        try:
            save_profile(path, prof, self.profile.name if self.profile else None)
        except (OSError, ConfigError) as exc:
            said = self.query_one("#pf-said", Static)
            said.update(Text(f"Nothing was written: {printable(str(exc))}"))
            said.set_class(True, "shown")
            return
        self.dismiss((prof, self.profile.name if self.profile else None))
