"""What the first screen imports: no pydantic (it loads after the first paint) and no httpx command-line tool."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Everything the list needs before its first page is painted, on the sandbox and over HTTP.
START_PATH = """
import identity_tui.cli
import identity_tui.tui.app
import identity_tui.tui.screens.list
import identity_tui.tui.widgets.identity_table
import identity_tui.core.connect
import identity_tui.core.summary
import identity_tui.sandbox
"""


def loaded_after(code: str) -> dict:
    """Import ``code`` in a new interpreter; report which of the modules of interest it loaded."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps({
            "pydantic": "pydantic" in sys.modules,
            "models": "identity_tui.core.models" in sys.modules,
            "click": "click" in sys.modules,
            "pygments": "pygments" in sys.modules,
            "httpx_cli": "httpx._main" in sys.modules,
            "trio": "trio" in sys.modules,
        }))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_check_sees_pydantic_when_the_models_are_imported():
    got = loaded_after("import identity_tui.core.models")
    assert got["pydantic"] and got["models"]


def test_the_list_is_painted_without_pydantic():
    got = loaded_after(START_PATH)
    assert not got["pydantic"], "pydantic is imported on the way to the first page"
    assert not got["models"]


def test_httpx_is_imported_without_its_command_line_tool():
    got = loaded_after(START_PATH)
    assert not got["httpx_cli"]
    assert not got["click"] and not got["pygments"]


def test_httpx_is_imported_without_trio():
    """httpcore imports trio whenever it is installed; the app runs on asyncio and leaves it out."""
    code = "\nfrom identity_tui.core.client import LettaClient\nLettaClient('http://127.0.0.1:9')"
    got = loaded_after(START_PATH + code)
    assert not got["trio"]


def test_trio_can_still_be_imported_after_httpx():
    script = """
    from identity_tui.core.httpx_lean import httpx
    try:
        import trio
    except ImportError as exc:
        assert "trio" not in str(exc) or "No module named" in str(exc), exc
    print("ok")
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_httpx_main_is_still_there_for_anyone_who_calls_it():
    script = """
    import sys
    from identity_tui.core.httpx_lean import httpx
    assert callable(httpx.main)
    assert "httpx._main" not in sys.modules  # the stand-in is not left behind
    print("ok")
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_list_page_opens_as_a_full_identity_once_pydantic_loads():
    """The rows carry the server's JSON; opening one validates it with the models."""
    script = """
    import asyncio, sys
    from identity_tui.core.connect import open_backend, open_sandbox
    from identity_tui.core.config import Connection
    sb = open_sandbox(None)
    backend = open_backend(Connection(base_url="http://sandbox.invalid"), sandbox=sb)
    rows = asyncio.run(backend.client.list_page(limit=5))
    assert "pydantic" not in sys.modules
    full = rows[0].identity()
    assert "pydantic" in sys.modules
    assert full.id == rows[0].id and len(full.properties) == rows[0].property_count
    print(len(rows))
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5"
