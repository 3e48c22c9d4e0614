"""Switching server without quitting: the profiles screen (S), connecting to another profile with its own token
only, adding a profile to config.toml, testing a server, and drafts that follow the server."""

from __future__ import annotations

import html
import os
import stat

import pytest
from textual.widgets import Input

from identity_tui.core.config import drafts_dir, load_config
from identity_tui.core.draft_store import DraftStore
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.list_model import Filters
from identity_tui.tui.screens.profiles import ProfileForm, ProfilesScreen
from identity_tui.tui.timing import Timing
from identity_tui.tui.widgets.status_bar import StatusBar
from tests.support.faults import FaultyTransport
from tests.support.pilot import settle
from tests.support.profiles import ALPHA_TOKEN, BETA_TOKEN, STORED_TOKEN, TOKENS, HostRecorder, alpha_app, write_config
from tests.support.screen_text import screen_lines


@pytest.fixture
def config_file(monkeypatch):
    return write_config(monkeypatch)


def screen_text(app) -> str:
    """What a person sees, line by line, and the screenshot's raw text too (for words that must never be there)."""
    return "\n".join(screen_lines(app)) + html.unescape(app.export_screenshot())


def status_text(app) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def open_profiles(pilot, app) -> ProfilesScreen:
    await settle(pilot, app)
    await pilot.press("S")
    await settle(pilot, app)
    assert isinstance(app.screen, ProfilesScreen)
    return app.screen


def said(app) -> str:
    return str(app.screen.query_one("#profiles-said").render())


# -- the screen ------------------------------------------------------------------------------------


async def test_the_screen_lists_the_profiles_marks_the_one_in_use_and_shows_no_token(config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(100, 32)) as pilot:
        await open_profiles(pilot, app)
        shown = screen_text(app)
        for words in ("● alpha  (in use)", "http://alpha.test:8283 · token: from $ALPHA_KEY",
                      "https://beta.test · token: from $BETA_KEY", "http://gamma.test · token: stored in config "
                      "(warning)", "sandbox", "Warning: gamma keeps its token in config.toml (token_env is safer)."):
            assert words in shown, words
        assert "● beta" not in shown and "● gamma" not in shown
        assert not any(token in shown for token in TOKENS)
        assert app.screen.current is not None and app.screen.current.label == "alpha"  # the cursor on it
        await pilot.press("j", "j")
        assert app.screen.current.label == "gamma"
        await pilot.press("k")
        assert app.screen.current.label == "beta"
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)


async def test_help_and_the_palette_name_the_switch(config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Switch server…" in titles
        await pilot.press("question_mark")
        await settle(pilot, app)
        rows = app.screen.rows
        assert ("S", "Switch server (profiles, sandbox)", "list.switch_server") in rows
        await pilot.press("escape")
        await settle(pilot, app)
        next(c for c in app.get_system_commands(app.screen) if c.title == "Switch server…").callback()
        await settle(pilot, app)
        assert isinstance(app.screen, ProfilesScreen)


# -- enter connects ----------------------------------------------------------------------------------


async def test_enter_switches_with_the_profiles_own_token_clears_the_filters_and_names_it(config_file, sandbox):
    recorder = HostRecorder(sandbox.transport())
    app = alpha_app(recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"a", "enter")  # a name filter
        await pilot.press("O")  # the order, from config.toml's [keymap]
        await settle(pilot, app)
        assert app.screen.filters.active
        await open_profiles(pilot, app)
        await pilot.press("j", "enter")  # beta
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ListScreen)
        assert app.conn.base_url == "https://beta.test" and app.conn.profile == "beta"
        assert recorder.sent_to("beta.test") == {f"Bearer {BETA_TOKEN}"}
        assert screen.filters == Filters() and screen.query_one("#name-filter", Input).value == ""
        assert screen.page_number == 1 and screen.table.selected is not None
        assert "beta" in status_text(app) and "alpha" not in status_text(app)
        assert app.client.journal.server == "https://beta.test"  # the history follows the server
        # Back to alpha, then gamma (its token stored in the file): each token only ever went to its own host.
        for moves in (("k", "enter"), ("j", "j", "enter")):
            await open_profiles(pilot, app)
            await pilot.press(*moves)
            await settle(pilot, app)
        assert app.conn.profile == "gamma" and app.readonly and "read-only" in status_text(app)  # gamma's setting
        assert recorder.sent_to("alpha.test") == {f"Bearer {ALPHA_TOKEN}"}
        assert recorder.sent_to("beta.test") == {f"Bearer {BETA_TOKEN}"}
        assert recorder.sent_to("gamma.test") == {f"Bearer {STORED_TOKEN}"}
        assert not any(token in screen_text(app) for token in TOKENS)
        assert not any(token in notice for notice in app.notices for token in TOKENS)


async def test_the_sandbox_entry_switches_to_the_sandbox_with_no_token(config_file, sandbox, tmp_path):
    recorder = HostRecorder(sandbox.transport())
    app = alpha_app(recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("j", "j", "j", "enter")
        await settle(pilot, app)
        assert app.conn.sandbox is not None and app.conn.token is None
        assert "sandbox" in status_text(app)
        assert {host for host, _ in recorder.seen} == {"alpha.test"}  # the sandbox is not reached over http


# -- the palette, while a form holds changes ------------------------------------------------------------


async def test_the_palette_refuses_while_a_form_has_changes(config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"xyz")
        await settle(pilot, app)
        app.action_switch_server()
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen) and app.conn.profile == "alpha"
        assert "unsaved changes" in app.notices[-1]


# -- add and edit ------------------------------------------------------------------------------------


async def fill(pilot, app, field: str, text: str) -> None:
    app.screen.query_one(f"#pf-{field}", Input).focus()
    await pilot.press("ctrl+u", *text) if text else await pilot.press("ctrl+u")


async def test_a_profile_added_is_written_0600_beside_the_other_settings(config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(100, 34)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        assert isinstance(app.screen, ProfileForm)
        await fill(pilot, app, "name", "delta")
        await fill(pilot, app, "url", "https://delta.test/")
        await fill(pilot, app, "token-env", "DELTA_KEY")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ProfilesScreen)
        assert stat.S_IMODE(os.stat(config_file).st_mode) == 0o600
        cfg = load_config()
        assert cfg.profiles["delta"].base_url == "https://delta.test"
        assert cfg.profiles["delta"].token_env == "DELTA_KEY" and cfg.profiles["delta"].token is None
        assert cfg.page_size == 25 and cfg.draft_days == 7 and cfg.preview_saves is False
        assert cfg.keymap == {"list.order": "O"}
        assert cfg.profiles["gamma"].token is not None and cfg.profiles["gamma"].connect_timeout == 3.0
        assert "delta" in screen_text(app) and "token: from $DELTA_KEY (not set)" in screen_text(app)
        assert not [p for p in config_file.parent.iterdir() if p.name != "config.toml"]  # no temp file left


@pytest.mark.parametrize(("field", "typed", "words"), [
    ("url", "ftp://delta.test", "must start with http:// or https://"),
    ("url", "https://", "needs a host"),
    ("name", "beta", "already a profile named 'beta'"),
    ("name", "", "needs a name"),
])
async def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(config_file, sandbox, field, typed, words):
    before = config_file.read_bytes()
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(100, 34)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        await fill(pilot, app, "name", "delta")
        await fill(pilot, app, "url", "https://delta.test")
        await fill(pilot, app, field, typed)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ProfileForm)
        error = str(app.screen.query_one(f"#pf-{field}-error").render())
        assert words in error and error.endswith(".") and ". " not in error, error  # one sentence
        assert config_file.read_bytes() == before


async def test_editing_a_profile_with_a_stored_token_warns_and_keeps_it_unseen(config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(100, 34)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("j", "j", "e")  # gamma
        await settle(pilot, app)
        assert isinstance(app.screen, ProfileForm)
        shown = screen_text(app)
        assert "token is stored in config.toml" in shown and STORED_TOKEN not in shown
        await fill(pilot, app, "user", "user-g")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        gamma = load_config().profiles["gamma"]
        assert gamma.user_id == "user-g" and gamma.token is not None and gamma.token.reveal() == STORED_TOKEN


# -- t tests a server ------------------------------------------------------------------------------


async def test_t_asks_a_server_that_answers_and_one_that_refuses(config_file, sandbox):
    faulty = FaultyTransport(HostRecorder(sandbox.transport()), "refused", match=lambda r: r.url.host == "beta.test")
    app = alpha_app(faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("t")
        await settle(pilot, app)
        assert said(app) == "alpha: answers, 120 identities."
        await pilot.press("j", "t")
        await settle(pilot, app)
        assert said(app).startswith("beta: ") and "refused" in said(app).lower(), said(app)
        assert app.conn.profile == "alpha" and isinstance(app.screen, ProfilesScreen)  # a test switches nothing
        beta_asked = [r for r in faulty.seen if r.url.host == "beta.test"]
        assert len(beta_asked) == 1 and beta_asked[0].headers["authorization"] == f"Bearer {BETA_TOKEN}"


async def test_esc_stops_a_tests_wait_then_closes(config_file, sandbox):
    faulty = FaultyTransport(sandbox.transport(), "hang", match=lambda r: r.url.host == "beta.test")
    app = alpha_app(faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("j", "t")
        await faulty.hanging.wait()
        assert "asking beta.test" in said(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ProfilesScreen) and "test stopped" in said(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen) and app.conn.profile == "alpha"


# -- drafts follow the server ------------------------------------------------------------------------


async def test_a_draft_saved_after_a_switch_is_kept_under_the_new_server(config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()), timing=Timing(draft_delay=0.05, draft_max_wait=0.5))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("j", "enter")  # beta
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*" Jr")
        for _ in range(300):
            beta, _ = DraftStore(drafts_dir(), "https://beta.test").load()
            if beta:
                break
            await pilot.pause(0.01)
        assert len(beta) == 1 and beta[0].texts.name.endswith(" Jr")
        alpha, _ = DraftStore(drafts_dir(), "http://alpha.test:8283").load()
        assert alpha == []


async def test_a_switch_to_a_server_that_refuses_says_so_under_the_list_and_shows_no_old_rows(config_file, sandbox):
    faulty = FaultyTransport(HostRecorder(sandbox.transport()), "refused", match=lambda r: r.url.host == "beta.test")
    app = alpha_app(faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("j", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)  # not the connect screen, whose esc quits
        assert app.screen.table.selected is None  # alpha's rows are gone
        line = str(app.screen.query_one("#page-info").render())
        assert "S picks another server" in line and "beta" in status_text(app)
        await open_profiles(pilot, app)
        await pilot.press("k", "enter")  # back to alpha
        await settle(pilot, app)
        assert app.conn.profile == "alpha" and app.screen.table.selected is not None


async def test_esc_leaves_the_form_and_writes_nothing(config_file, sandbox):
    before = config_file.read_bytes()
    app = alpha_app(HostRecorder(sandbox.transport()))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        await fill(pilot, app, "name", "delta")
        await fill(pilot, app, "url", "https://delta.test")
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ProfilesScreen) and "delta" not in app.config.profiles
        assert config_file.read_bytes() == before


async def test_a_profile_that_cannot_be_reached_as_written_is_refused_in_one_sentence(config_file, sandbox,
                                                                                      monkeypatch):
    config_file.write_text(config_file.read_text() + '\n[profiles.typo]\nbase_url = "letta.example.com"\n')
    monkeypatch.setenv("BETA_KEY", "beta-token\n")  # read from a file with its line break
    recorder = HostRecorder(sandbox.transport())
    app = alpha_app(recorder)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_profiles(pilot, app)
        await pilot.press("j", "enter")  # beta: its token cannot go in a header
        await settle(pilot, app)
        assert isinstance(app.screen, ProfilesScreen) and "BETA_KEY" in said(app) and "refused" in said(app)
        assert "beta-token" not in screen_text(app)
        await pilot.press("j", "j", "enter")  # typo
        await settle(pilot, app)
        assert said(app) == "typo: The URL must start with http:// or https://."
        assert isinstance(app.screen, ProfilesScreen) and app.conn.profile == "alpha"
        assert {host for host, _ in recorder.seen} == {"alpha.test"}


async def test_the_read_only_box_says_its_state_in_words(make_app, monkeypatch):
    # Its mark alone shows the state only in colour: with NO_COLOR the words are all there is.
    from textual.widgets import Checkbox

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("S")
        await settle(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        box = app.screen.query_one("#pf-readonly", Checkbox)
        assert str(box.label).startswith("no: writes allowed")
        box.focus()
        await pilot.press("space")
        await settle(pilot, app)
        assert box.value is True and str(box.label).startswith("yes: writes turned off")
