"""Profiles for the switch-server tests: a config.toml with three servers and a transport that records which host
got which Authorization header."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from identity_tui.core.config import config_path, load_config, resolve
from identity_tui.tui.app import IdentityApp
from identity_tui.tui.timing import Timing

ALPHA_TOKEN = "alpha-token-1a2b"
BETA_TOKEN = "beta-token-3c4d"
STORED_TOKEN = "gamma-stored-5e6f"
TOKENS = (ALPHA_TOKEN, BETA_TOKEN, STORED_TOKEN)

CONFIG = f"""\
page_size = 25
draft_days = 7
preview_saves = false

[keymap]
"list.order" = "O"

[profiles.alpha]
base_url = "http://alpha.test:8283"
token_env = "ALPHA_KEY"

[profiles.beta]
base_url = "https://beta.test"
token_env = "BETA_KEY"
user_id = "user-00000000-0000-4000-8000-00000000b0b0"

[profiles.gamma]
base_url = "http://gamma.test"
token = "{STORED_TOKEN}"
connect_timeout = 3.0
readonly = true
"""


class HostRecorder(httpx.AsyncBaseTransport):
    """Forwards to the sandbox and records (host, Authorization) of every request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.host, request.headers.get("authorization")))
        return await self.inner.handle_async_request(request)

    def sent_to(self, host: str) -> set[str | None]:
        return {auth for h, auth in self.seen if h == host}


def write_config(monkeypatch: pytest.MonkeyPatch) -> Path:
    """config.toml with three profiles (two tokens in variables, one stored) and other settings beside them."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CONFIG)
    path.chmod(0o600)
    monkeypatch.setenv("ALPHA_KEY", ALPHA_TOKEN)
    monkeypatch.setenv("BETA_KEY", BETA_TOKEN)
    return path


def alpha_app(transport: httpx.AsyncBaseTransport, timing: Timing | None = None) -> IdentityApp:
    """The app as started with ``--profile alpha``."""
    cfg = load_config()
    conn = resolve(cfg, profile="alpha")
    return IdentityApp(conn, cfg, transport=transport, cursor_blink=False, timing=timing)
