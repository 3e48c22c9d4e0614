"""The direct way to the transport: the same request httpx's client would build, and the client's own way whenever
something asks for it (a proxy in the environment, credentials in the URL)."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import USER_AGENT

from .samples import ALICE, BASE, Recorder, body, reply

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
              "no_proxy")
TOKEN = "sk-direct-0123456789"


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


def what_httpx_builds(method: str, path: str, *, base_url: str = BASE, params=None, content=None,
                      headers=None) -> httpx.Request:
    """The request ``httpx.AsyncClient`` builds, set up as the client sets up its own."""
    client = httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Authorization": f"Bearer {TOKEN}"},
        timeout=httpx.Timeout(60.0, connect=5.0), follow_redirects=False)
    return client.build_request(method, path, params=params, content=content, headers=headers)


def same_request(sent: httpx.Request, built: httpx.Request) -> None:
    assert sent.method == built.method
    assert str(sent.url) == str(built.url)
    assert sent.headers.multi_items() == built.headers.multi_items()
    assert sent.content == built.content
    assert sent.extensions["timeout"] == built.extensions["timeout"]


async def test_a_get_is_the_request_httpx_would_build(sleep):
    rec = Recorder(reply(200, [body(ALICE)]))
    client = LettaClient(BASE, token=TOKEN, transport=httpx.MockTransport(rec), sleep=sleep)
    try:
        await client.list_identities(identifier_key="alice")
    finally:
        await client.aclose()
    built = what_httpx_builds("GET", "/v1/identities/", params=dict(rec.last.url.params))
    same_request(rec.last, built)
    assert rec.last.url.params["identifier_key"] == "alice"


async def test_a_patch_with_a_body_is_the_request_httpx_would_build(sleep):
    rec = Recorder(reply(200, body(ALICE)))
    client = LettaClient(BASE + "/prefix/", token=TOKEN, transport=httpx.MockTransport(rec), sleep=sleep)
    try:
        await client.request("PATCH", "/v1/identities/" + ALICE["id"], body={"name": "Ålice"})
    finally:
        await client.aclose()
    built = what_httpx_builds("PATCH", "/v1/identities/" + ALICE["id"], base_url=BASE + "/prefix/",
                              content=rec.last.content, headers={"Content-Type": "application/json"})
    same_request(rec.last, built)
    assert rec.last.url.path == "/prefix/v1/identities/" + ALICE["id"]
    assert rec.last.headers["content-length"] == str(len(rec.last.content))


async def test_no_cookie_a_server_sets_is_sent_back(sleep):
    def handler(request):
        return httpx.Response(200, json=[], headers={"Set-Cookie": "session=abc; Path=/"})

    rec = Recorder(handler)
    client = LettaClient(BASE, transport=httpx.MockTransport(rec), sleep=sleep)
    try:
        await client.list_identities()
        await client.list_identities()
    finally:
        await client.aclose()
    assert "cookie" not in rec.last.headers


async def test_a_closed_client_sends_nothing(sleep):
    rec = Recorder(reply(200, []))
    client = LettaClient(BASE, transport=httpx.MockTransport(rec), sleep=sleep)
    await client.aclose()
    with pytest.raises(RuntimeError):
        await client.list_identities()
    assert rec.calls == 0


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself, keeping the request line it was sent."""

    protocol_version = "HTTP/1.1"
    seen: list[str] = []
    cookies: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).seen.append(self.path)
        type(self).cookies.append(self.headers.get("Cookie"))
        data = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "session=abc; Path=/")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxy():
    _Proxy.seen = []
    _Proxy.cookies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Proxy.seen
    finally:
        server.shutdown()
        server.server_close()


async def test_a_proxy_in_the_environment_is_used(monkeypatch, proxy, sleep):
    """With HTTP_PROXY set, requests go to the proxy (asking for the server's URL), never straight to the server."""
    url, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", url)
    client = LettaClient("http://letta.invalid:8283", sleep=sleep)
    try:
        assert await client.list_identities() == []
    finally:
        await client.aclose()
    assert len(seen) == 1 and seen[0].startswith("http://letta.invalid:8283/v1/identities/?")


async def test_the_clients_own_way_sends_no_cookie_back_either(monkeypatch, proxy, sleep):
    url, _ = proxy
    monkeypatch.setenv("HTTP_PROXY", url)
    client = LettaClient("http://letta.invalid:8283", sleep=sleep)
    try:
        await client.list_identities()
        await client.list_identities()
    finally:
        await client.aclose()
    assert _Proxy.cookies == [None, None]


async def test_credentials_in_the_url_become_basic_auth(sleep):
    rec = Recorder(reply(200, []))
    client = LettaClient("http://admin:pw@letta.test:8283", transport=httpx.MockTransport(rec), sleep=sleep)
    try:
        await client.list_identities()
    finally:
        await client.aclose()
    assert rec.last.headers["authorization"] == "Basic " + base64.b64encode(b"admin:pw").decode()
