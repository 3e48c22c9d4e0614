"""Keymap overrides, themes and start-up failures: the settings a person brings to the app."""

from __future__ import annotations

from identity_tui.cli import main
from identity_tui.core.config import Config
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle




async def test_keymap_rebinds_a_binding_by_its_id(make_app, sandbox):
    app = make_app(config=Config(keymap={"list.next_page": "ctrl+f"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        first = [i.id for i in app.screen.query_one(IdentityTable).identities]
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert [i.id for i in app.screen.query_one(IdentityTable).identities] == first, "] is no longer bound"
        await pilot.press("ctrl+f")
        await settle(pilot, app)
        assert app.screen.page_number == 2
        assert [i.id for i in app.screen.query_one(IdentityTable).identities] != first


async def test_theme_from_config_is_applied(make_app):
    app = make_app(config=Config(theme="ansi-dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.theme == "ansi-dark"


async def test_animations_are_off_by_default(make_app, monkeypatch):
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    app = make_app()
    assert app.animation_level == "none"


def test_unknown_theme_is_one_sentence_and_status_2(capsys, tmp_path, monkeypatch):
    from identity_tui import cli

    monkeypatch.setattr(cli, "has_terminal", lambda: True)  # the theme is weighed when the app starts
    status = main(["--sandbox", str(tmp_path / "s.sqlite3"), "--theme", "no-such-theme"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("identity-tui: unknown theme 'no-such-theme'")
    assert "Traceback" not in err


def test_unreadable_config_is_one_sentence_and_status_2(capsys, hermetic):
    from identity_tui.core.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this is = = not toml")
    status = main(["--sandbox"])
    err = capsys.readouterr().err
    assert status == 2 and "Cannot read" in err and "Traceback" not in err


def test_bad_page_size_is_refused(capsys):
    assert main(["--sandbox", "--page-size", "0"]) == 2
    assert "--page-size" in capsys.readouterr().err


async def test_header_names_the_server_and_flags_tls_off_and_read_only():
    import httpx

    from identity_tui.core.config import Connection
    from identity_tui.tui.app import IdentityApp
    from identity_tui.tui.widgets.status_bar import StatusBar

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/health/":
            return httpx.Response(200, json={"version": "0.16.8", "status": "ok"})
        if request.url.path == "/v1/identities/count":
            return httpx.Response(200, json=0)
        return httpx.Response(200, json=[])

    conn = Connection(base_url="https://letta.example.org", verify_tls=False, readonly=True, profile="prod")
    app = IdentityApp(conn, Config(), transport=httpx.MockTransport(handler), cursor_blink=False)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, app)
        where = str(app.screen.query_one(StatusBar).render())
        assert "prod" in where and "TLS unverified" in where and "read-only" in where
