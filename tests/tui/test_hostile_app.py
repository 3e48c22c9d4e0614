"""The app against a hostile server over real HTTP: whatever the list, an identity or the count answers (the
wrong shape, escapes, HTML, a 1e400, a redirect to another host), the app shows a sentence and stays usable;
no unexpected-error dialog, nothing on screen that would drive a terminal, the token never sent elsewhere
(issue 24)."""

from __future__ import annotations

import json

import pytest

from identity_tui.core.config import Config, Connection
from identity_tui.core.display import UNSAFE
from identity_tui.core.secret import Secret
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.screens.connect import ConnectScreen
from identity_tui.tui.screens.error import ErrorScreen
from tests.support.hostile_server import ANSWERS, Answer, HostileServer, identity
from tests.support.pilot import settle
from tests.support.screen_text import screen_lines

ESCAPES = "\x1b]2;TITLE\x07\x1b[2J\u202e\u2028\x9b"


def _app(server: HostileServer) -> IdentityApp:
    conn = Connection(base_url=server.url, token=Secret(server.token))
    return IdentityApp(conn, Config(), cursor_blink=False)


def _unsafe(app) -> set[str]:
    return {m.group() for line in screen_lines(app) for m in UNSAFE.finditer(line)}


async def _walk(pilot, app) -> None:
    """What a person does first: open the row under the cursor, look, go back, open the filters, go back."""
    for key in ("enter", "escape", "f", "escape", "question_mark", "escape"):
        await pilot.press(key)
        await settle(pilot, app)
        assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack), key
        assert _unsafe(app) == set(), (key, _unsafe(app))


@pytest.mark.parametrize("name", list(ANSWERS))
@pytest.mark.parametrize("path", ["/v1/identities/", "/v1/identities/*", "/v1/identities/count"])
async def test_a_hostile_answer_is_a_sentence_and_the_app_goes_on(tmp_path, name, path):
    with HostileServer() as server:
        server.sandbox.store.insert(identity("Plain", key="plain"))
        server.answer("GET", path, ANSWERS[name])
        app = _app(server)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack)
            assert _unsafe(app) == set()
            if isinstance(app.screen, ConnectScreen):  # the list itself is unreadable: say so, offer retry and quit
                said = str(app.screen.query_one("#connect-message").render())
                assert said.endswith((".", "?")) and "Traceback" not in said, said
                await pilot.press("escape")
                await settle(pilot, app)
                assert app.return_code == 2
                return
            await _walk(pilot, app)
        assert app.return_code in (None, 0)


async def test_identities_full_of_escapes_are_shown_escaped_everywhere_a_person_looks():
    hostile = identity(ESCAPES, key=f"key{ESCAPES}", project_id=f"proj{ESCAPES}", properties=[
        {"key": f"k{ESCAPES}", "type": "string", "value": f"v{ESCAPES}"},
        {"key": "j", "type": "json", "value": {ESCAPES: [ESCAPES]}}])
    with HostileServer() as server:
        server.identities([hostile])
        app = _app(server)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            assert "\\x1b" in "\n".join(screen_lines(app))  # shown, escaped
            await _walk(pilot, app)
            for key in ("enter", "y"):  # the form, then its raw JSON
                await pilot.press(key)
                await settle(pilot, app)
                assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack), key
                assert _unsafe(app) == set(), (key, _unsafe(app))


async def test_a_redirect_to_another_host_is_not_followed_and_the_token_stays_home():
    with HostileServer() as elsewhere, HostileServer() as server:
        server.answer("GET", "/v1/identities/*", Answer(307, b"", {"location": f"{elsewhere.url}/v1/identities/"}))
        app = _app(server)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            assert not any(isinstance(s, ErrorScreen) for s in app.screen_stack)
            text = "\n".join(screen_lines(app))
            assert server.token not in text
        assert elsewhere.requests == []


def test_the_answers_cover_the_shapes_the_commands_meet():
    assert {"wrong-shape", "detail-with-escapes", "html", "infinity", "nested-100000-deep"} <= set(ANSWERS)
    assert json.loads(ANSWERS["detail-with-escapes"].body)["detail"].startswith("\x1b")
