"""The limits beside the timeouts: the most one answer may hold and a deadline on one request as a whole, from
config (top level, profile) and flags down to the client; and the helpers that keep a URL's credentials and a bad
token out of sight."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from identity_tui import cli
from identity_tui.core import config
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.config import ConfigError, load_config, resolve
from identity_tui.core.connect import open_backend
from identity_tui.core.errors import BadResponse, TimedOut
from identity_tui.core.secret import shown_url, token_problem, url_credentials, url_host
from tests.support.faults import FaultyTransport

LIMITS = """\
default_profile = "big"
max_answer_mib = 8
request_timeout = 40

[profiles.big]
base_url = "https://big.example"
max_answer_mib = 256

[profiles.plain]
base_url = "https://plain.example"
"""


def write(text: str) -> None:
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def test_profile_beats_top_level_and_flags_beat_both(xdg_dirs):
    write(LIMITS)
    cfg = load_config()
    big = resolve(cfg, env={})
    assert (big.max_answer_mib, big.request_timeout) == (256, 40)
    assert (resolve(cfg, profile="plain", env={}).max_answer_mib) == 8
    flagged = resolve(cfg, max_answer_mib=0.5, request_timeout=3, env={})
    assert (flagged.max_answer_mib, flagged.request_timeout) == (0.5, 3)


async def test_the_client_gets_the_limits_and_the_defaults(xdg_dirs):
    write(LIMITS)
    backend = open_backend(resolve(load_config(), env={}))
    try:
        assert (backend.client.options.max_answer_mib, backend.client.deadline) == (256, 40)
    finally:
        await backend.aclose()
    plain = LettaClient("https://x.example", options=ClientOptions(connect_timeout=2, read_timeout=10))
    assert plain.deadline == 22 and plain.options.max_answer_mib == 64
    await plain.aclose()


@pytest.mark.parametrize(("key", "unit"), [("max_answer_mib", "MiB"), ("request_timeout", "seconds")])
def test_a_bad_limit_in_the_config_is_one_sentence(xdg_dirs, key, unit):
    write(f"{key} = -1\n")
    with pytest.raises(ConfigError, match=f"{key} must be a positive number of {unit}"):
        load_config()


def test_the_app_takes_the_limit_flags(xdg_dirs, monkeypatch, capsys):
    import identity_tui.tui.app as app_module

    seen = {}
    monkeypatch.setattr(app_module, "run_app", lambda conn, cfg, flags=None: seen.setdefault("conn", conn) and 0)
    monkeypatch.setattr(cli, "has_terminal", lambda: True)  # without one the app is refused before it starts
    assert cli.main(["--max-answer-mib", "2", "--request-timeout", "9"]) == 0
    assert (seen["conn"].max_answer_mib, seen["conn"].request_timeout) == (2, 9)
    assert cli.main(["--max-answer-mib", "0"]) == 2
    assert "--max-answer-mib must be a positive number of MiB" in capsys.readouterr().err


async def test_an_endless_answer_is_not_read_past_the_cap():
    pulled = 0

    async def endless():
        nonlocal pulled
        while True:
            pulled += 1
            yield b" " * 65536

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    client = LettaClient("http://x.test", options=ClientOptions(max_answer_mib=1, retries=0),
                         transport=httpx.MockTransport(handler))
    with pytest.raises(BadResponse, match="more than 1 MiB"):
        await client.count()
    assert pulled <= 17  # 16 chunks of 64 KiB are 1 MiB: one more, and reading stopped
    await client.aclose()


async def test_a_request_that_never_ends_meets_its_deadline():
    inner = httpx.MockTransport(lambda r: httpx.Response(200, json=0))
    faulty = FaultyTransport(inner, "hang", match=lambda r: True)
    client = LettaClient("http://x.test", options=ClientOptions(request_timeout=0.2),
                         transport=faulty)
    with pytest.raises(TimedOut, match="within 0.2 s"):
        await asyncio.wait_for(client.count(), 30)  # a hang guard, far past the deadline
    assert len(faulty.seen) == 1  # a deadline is not tried again
    await client.aclose()


@pytest.mark.parametrize(("url", "warns"), [
    ("http://letta.example", True), ("http://10.0.0.5:8283", True), ("https://letta.example", False),
    ("http://localhost:8283", False), ("http://api.localhost", False), ("http://127.0.0.1", False),
    ("http://127.1.2.3:9", False), ("http://[::1]:8283", False), ("http://admin:pw@localhost:1", False),
])
async def test_the_plain_http_warning(url, warns):
    with_token = LettaClient(url, token="t0ken-value", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    without = LettaClient(url, transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert bool(with_token.plain_http_warning) is warns and without.plain_http_warning is None
    assert "t0ken-value" not in (with_token.plain_http_warning or "")
    await with_token.aclose()
    await without.aclose()


def test_url_helpers_never_give_the_credentials_back():
    url = "http://admin:pw@host:8283/base?x=1"
    assert shown_url(url) == "http://****@host:8283/base?x=1"
    assert url_host(url) == "host:8283" and url_credentials(url) == "admin:pw"
    assert shown_url("https://host/p@q") == "https://host/p@q" and url_credentials("https://host/p@q") is None
    assert shown_url("http://a:b@c@d") == "http://****@d"


@pytest.mark.parametrize(("token", "problem"), [("abc\n", "ends in a line break"), ("a\rbc", "holds a line break"),
                                                ("a\tb", "holds a control character"), ("a\x7fb", "control"),
                                                ("ключ", "not ASCII"), ("fine-token_1.2~", None)])
def test_token_problem(token, problem):
    said = token_problem(token)
    assert (said is None) if problem is None else problem in said


async def test_short_url_credentials_in_an_error_from_the_network_are_masked_too():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    client = LettaClient("http://a:b@host.test:1", options=ClientOptions(retries=0),
                         transport=httpx.MockTransport(refuse))
    with pytest.raises(Exception) as caught:
        await client.count()
    assert "a:b@" not in str(caught.value) and "host.test:1" in str(caught.value)
    await client.aclose()


def test_the_reprs_of_a_connection_and_a_profile_hide_url_credentials():
    from identity_tui.core.config import Connection, Profile

    for obj in (Connection(base_url="http://admin:pw-s3cret@h:1"), Profile("p", base_url="http://admin:pw-s3cret@h:1")):
        assert "pw-s3cret" not in repr(obj) and "h:1" in repr(obj) and repr(obj).startswith(type(obj).__name__)


async def test_a_token_and_url_credentials_together_are_refused_before_anything_is_sent():
    """One Authorization header carries a Bearer token or the URL's user:password, never both: httpx would
    quietly send the URL's Basic credentials in the token's place. Credentials alone go as Basic, to that host."""
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=[], request=request)

    both = LettaClient("http://admin:pw-s3cret@host.test:1", token="tok-123", options=ClientOptions(retries=0),
                       transport=httpx.MockTransport(answer))
    with pytest.raises(Exception) as caught:
        await both.list_identities()
    said = str(caught.value)
    assert "user and password" in said and "pw-s3cret" not in said and "tok-123" not in said
    assert seen == []
    await both.aclose()
    alone = LettaClient("http://admin:pw-s3cret@host.test:1", options=ClientOptions(retries=0),
                        transport=httpx.MockTransport(answer))
    await alone.list_identities()
    assert seen == ["Basic YWRtaW46cHctczNjcmV0"]
    await alone.aclose()
