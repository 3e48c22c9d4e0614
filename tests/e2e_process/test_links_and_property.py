"""The real program on a real pseudo-terminal: a link made through the picker, and a search by property."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed

from .terminal import Terminal


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sandbox.sqlite3"
    sb = Sandbox(path=str(path))
    seed(sb, 1200, rng_seed=7)
    sb.close()
    return path


def cursor_on(term: Terminal, label: str) -> bool:
    """The terminal cursor (Textual leaves it in the focused text box) stands on the line of ``label``."""
    lines = term.screen.text().splitlines()
    return any(label in line for line in lines) and label in lines[term.screen.row]


def server(db: Path) -> tuple[Sandbox, httpx.Client]:
    sb = Sandbox(path=str(db))
    return sb, httpx.Client(transport=sb.transport(), base_url="http://sandbox.invalid")


def test_a_link_made_in_the_picker_lands_on_the_server(term, db):
    term.wait_for("Page 1")
    term.send("i")
    term.wait_for("No linked agents")
    term.send("a")
    term.wait_for("5 agents")
    term.send("billing")
    term.wait_for(lambda text: "1 agent" in text and "ops-watcher" not in text)
    term.send("\r")  # the preview of the request (long: the dialog wraps it)
    term.wait_for(lambda text: "Send this request?" in text and "PATCH" in text and "/v1/agents/agent-" in text)
    term.send("\r")
    term.wait_for("Linked agent 'billing-helper'.")
    sb, http = server(db)
    try:
        first = http.get("/v1/identities/", params={"limit": 1}).json()[0]["id"]
        names = [a["name"] for a in http.get(f"/v1/identities/{first}/agents").json()]
    finally:
        http.close()
        sb.close()
    assert names == ["billing-helper"]


def test_a_search_by_property_scans_every_page(term):
    term.wait_for("Page 1")
    term.send("f")
    term.wait_for("Property")
    term.send("\t\t\t")  # from the key box past its match and the type to the project box
    term.wait_for(lambda text: cursor_on(term, "Project id (exact)"))
    term.send("\t\t")  # past the order to the property box
    term.wait_for(lambda text: cursor_on(term, "Property"))
    term.send("plan=free\r")
    screen = term.wait_for("scanned all 3 pages")
    assert "matches 1–50 of " in screen
    term.send("]")
    term.wait_for("matches 51–")


def test_enter_right_after_typing_in_the_picker_never_picks_a_result_of_older_text(term):
    term.wait_for("Page 1")
    term.send("i")
    term.wait_for("No linked agents")
    term.send("a")
    term.wait_for("5 agents")  # ops-watcher, the newest, is highlighted
    term.send("billing\r")  # one write: the enter comes before the box has taken the text
    term.wait_for("1 agent")  # the text is searched at once, not a stale row picked
    screen = term.screen.text()
    assert "Send this request?" not in screen, screen
    term.send("\r")
    screen = term.wait_for(lambda text: "Send this request?" in text and "Links the agent '" in text)
    assert "Links the agent 'billing-helper'" in screen, screen
