"""The app's side of the token table: the cannot-connect screen never carries a profile's token to another server,
a URL's user:password@ never shows, a token no header can carry is refused in one sentence, and a token over plain
http:// to another machine is said once. Pilot tests drive the real app on a recording transport."""

from __future__ import annotations

import html

import httpx
import pytest

from identity_tui import cli
from identity_tui.core.config import Config, Connection, server_key
from identity_tui.core.secret import Secret
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.connect import ConnectScreen
from identity_tui.tui.screens.list import ListScreen
from tests.support.pilot import settle

PROD_TOKEN = "prod-token-5e1f0c"


class Recorder:
    """A server that refuses everything with 401 and records which host got which Authorization header."""

    def __init__(self, accept: dict[str, str] | None = None) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.accept = accept or {}  # host -> the token it takes

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            auth = request.headers.get("authorization")
            self.seen.append((request.url.host, auth))
            if auth == f"Bearer {self.accept.get(request.url.host)}":
                if request.url.path.endswith("/count"):
                    return httpx.Response(200, json=0)
                if request.url.path.startswith("/v1/health"):
                    return httpx.Response(200, json={"version": "0.16.8", "status": "ok"})
                return httpx.Response(200, json=[])
            return httpx.Response(401, json={"detail": "Unauthorized"})

        return httpx.MockTransport(handler)

    def sent_to(self, host: str) -> set[str | None]:
        return {auth for h, auth in self.seen if h == host}


def screen_text(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def prod_app(recorder: Recorder, base_url: str = "http://prod.test:8283") -> IdentityApp:
    conn = Connection(base_url=base_url, token=Secret(PROD_TOKEN), profile="prod")
    return IdentityApp(conn, Config(), transport=recorder.transport(), cursor_blink=False)


async def retry(pilot, app, *, url: str | None = None, token: str | None = None) -> None:
    if url is not None:
        app.screen.query_one("#url").value = url
    if token is not None:
        field = app.screen.query_one("#token")
        field.focus()
        await pilot.press(*token)
    await pilot.press("ctrl+r")
    await settle(pilot, app)
    await settle(pilot, app)


async def test_changing_only_the_url_drops_the_profiles_token():
    recorder = Recorder()
    app = prod_app(recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        assert recorder.sent_to("prod.test") == {f"Bearer {PROD_TOKEN}"}
        token_field = app.screen.query_one("#token")
        assert token_field.placeholder == "unchanged"
        app.screen.query_one("#url").value = "http://other.test:8283"
        await settle(pilot, app)
        assert token_field.placeholder == "none for this URL unless typed"  # says so before the retry
        await retry(pilot, app, url="http://other.test:8283")
        assert recorder.sent_to("other.test") == {None}, recorder.seen  # health, list and count: no token
        assert app.conn.token is None and app.conn.profile is None
        assert isinstance(app.screen, ConnectScreen)
        assert PROD_TOKEN not in screen_text(app)


async def test_a_token_typed_with_the_new_url_goes_to_it():
    recorder = Recorder(accept={"other.test": "other-token-77"})
    app = prod_app(recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await retry(pilot, app, url="http://other.test:8283", token="other-token-77")
        assert recorder.sent_to("other.test") == {"Bearer other-token-77"}
        assert isinstance(app.screen, ListScreen)


async def test_the_same_url_retried_keeps_the_token():
    recorder = Recorder()
    app = prod_app(recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await retry(pilot, app)
        assert recorder.sent_to("prod.test") == {f"Bearer {PROD_TOKEN}"}
        assert app.conn.token == Secret(PROD_TOKEN) and app.conn.profile == "prod"


async def test_a_password_in_the_url_never_shows_and_a_retry_keeps_the_url():
    recorder = Recorder()
    url = "http://admin:pw-s3cret@prod.test:8283"
    conn = Connection(base_url=url, token=Secret(PROD_TOKEN))
    app = IdentityApp(conn, Config(), transport=recorder.transport(), cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ConnectScreen)
        shown = screen_text(app)
        assert "pw-s3cret" not in shown and "prod.test:8283" in shown
        assert "pw-s3cret" not in app.screen.query_one("#url").value
        await retry(pilot, app)  # the field as shown: the same server, with its credentials
        assert app.conn.base_url == url and app.conn.token == Secret(PROD_TOKEN)
        app.screen.dismiss(None)
        await settle(pilot, app)
        assert "pw-s3cret" not in screen_text(app)  # the header
        assert all("pw-s3cret" not in notice for notice in app.notices)
        assert "pw-s3cret" not in repr(app.client)


def test_drafts_and_the_journal_are_keyed_without_the_password():
    assert server_key(Connection(base_url="http://admin:pw-s3cret@prod.test:8283/")) == "http://prod.test:8283"


@pytest.mark.parametrize(("typed", "words"), [("tök-en-123", "not ASCII")])
async def test_a_typed_token_no_header_can_carry_is_refused_in_one_sentence(typed, words):
    recorder = Recorder()
    app = prod_app(recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await retry(pilot, app, token=typed)
        assert isinstance(app.screen, ConnectScreen)
        said = str(app.screen.query_one("#connect-message").render())
        assert words in said and "en-123" not in said, said
        assert typed not in screen_text(app)
        assert all(typed not in (auth or "") for _, auth in recorder.seen)


@pytest.mark.parametrize(("base_url", "warns"), [("http://prod.test:8283", True), ("https://prod.test", False),
                                                 ("http://127.0.0.1:8283", False)])
async def test_a_token_over_plain_http_to_another_machine_is_said_once(base_url, warns):
    recorder = Recorder(accept={"prod.test": PROD_TOKEN, "127.0.0.1": PROD_TOKEN})
    app = prod_app(recorder, base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        said = [n for n in app.notices if "unencrypted" in n]
        assert len(said) == (1 if warns else 0), app.notices
        assert all(PROD_TOKEN not in n for n in app.notices)


async def test_a_new_plain_http_url_typed_with_a_token_is_said_too():
    recorder = Recorder(accept={"other.test": "other-token-77"})
    app = prod_app(recorder, "https://prod.test")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert not [n for n in app.notices if "unencrypted" in n]
        await retry(pilot, app, url="http://other.test:8283", token="other-token-77")
        said = [n for n in app.notices if "unencrypted" in n]
        assert len(said) == 1 and "other.test" in said[0], app.notices


def test_the_app_and_the_commands_agree_on_an_unset_token_env(tmp_path, monkeypatch, capsys):
    import identity_tui.tui.app as app_module

    config = tmp_path / "home" / "config" / "identity-tui"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[profiles.real]\nbase_url = "https://real.test"\ntoken_env = "REAL_KEY"\n')
    monkeypatch.delenv("REAL_KEY", raising=False)
    monkeypatch.setenv("LETTA_API_KEY", "other-server-key")
    seen = {}
    monkeypatch.setattr(app_module, "run_app", lambda conn, cfg, flags=None: seen.setdefault("conn", conn) and 0)
    monkeypatch.setattr(cli, "has_terminal", lambda: True)  # without one the app is refused before it starts
    assert cli.main(["--profile", "real"]) == 0
    assert seen["conn"].token is None
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "REAL_KEY" in line]
    assert len(lines) == 1 and "LETTA_API_KEY" in lines[0] and "other-server-key" not in err
