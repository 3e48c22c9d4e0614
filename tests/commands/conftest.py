"""Servers for the command tests: the sandbox over real HTTP always, a real Letta server when asked.

The commands run in-process through ``identity_tui.commands.main`` with the connection in the
environment (``LETTA_BASE_URL``, ``LETTA_API_KEY``), as a script would run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from identity_tui.commands import main
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.serve import ServerThread

LETTA_URL = os.environ.get("LETTA_CONTRACT_URL", "").strip()
LETTA_TOKEN = os.environ.get("LETTA_CONTRACT_TOKEN", "").strip()

BACKENDS = [pytest.param("sandbox", id="sandbox")]
if LETTA_URL:
    BACKENDS.append(pytest.param("letta", id="letta", marks=pytest.mark.letta))


@dataclass
class Server:
    """One server the commands talk to, and a plain HTTP client beside them to look and to meddle."""

    name: str
    url: str
    token: str
    http: httpx.Client
    sandbox: Sandbox | None = None
    keys: list[str] = field(default_factory=list)

    def key(self, label: str = "k") -> str:
        key = f"cmd-{label}-{uuid.uuid4().hex[:12]}"
        self.keys.append(key)
        return key

    def by_key(self, key: str) -> list[dict[str, Any]]:
        return [i for i in self.http.get("/v1/identities/", params={"identifier_key": key}).json()
                if i["identifier_key"] == key]

    def create(self, key: str, **props: tuple[str, Any]) -> dict[str, Any]:
        body = {"identifier_key": key, "name": "Cmd test", "identity_type": "org",
                "properties": [{"key": k, "type": t, "value": v} for k, (t, v) in props.items()]}
        response = self.http.post("/v1/identities/", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def writes(self) -> list[tuple[str, str, Any]]:
        """The writes the sandbox received since the last ``clear``, in order (sandbox only)."""
        assert self.sandbox is not None
        return [(r.method, r.path, r.body) for r in self.sandbox.request_log if r.method != "GET"]

    def methods(self) -> list[str]:
        assert self.sandbox is not None
        return [r.method for r in self.sandbox.request_log]

    def clear(self) -> None:
        if self.sandbox is not None:
            self.sandbox.clear_log()


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path):
    yield from _serve(request.param, monkeypatch, tmp_path)


@pytest.fixture
def sandbox_server(monkeypatch: pytest.MonkeyPatch, tmp_path):
    yield from _serve("sandbox", monkeypatch, tmp_path)


def _serve(backend: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Any:
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("IDENTITY_TUI_PROFILE", raising=False)
    if backend == "sandbox":
        sandbox = Sandbox(password="pw")
        thread = ServerThread(sandbox).start()
        url, token = thread.base_url, "pw"
    else:
        sandbox, thread, url, token = None, None, LETTA_URL, LETTA_TOKEN
    monkeypatch.setenv("LETTA_BASE_URL", url)
    monkeypatch.setenv("LETTA_API_KEY", token)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx.Client(base_url=url, headers=headers, timeout=30,
                        limits=httpx.Limits(max_keepalive_connections=0))
    made = Server(backend, url, token, http, sandbox)
    yield made
    for key in made.keys:
        for identity in made.by_key(key):
            http.delete(f"/v1/identities/{identity['id']}")
    http.close()
    if thread is not None:
        thread.stop()
        sandbox.close()


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``cli("set", "--key", k, ...)``: run one command in-process; its exit status and what it printed."""

    def run(*argv: str) -> Ran:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run
