"""Exact paths: trailing slashes, redirects, wrong methods, unknown routes, /latest, health and count."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from .helpers import UNKNOWN_AGENT, Api, Backend


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_collection_without_slash_redirects_307(api: Api, backend: Backend, method: str) -> None:
    response = api.request(method, "/v1/identities", params={"limit": "3"})
    assert response.status_code == 307
    assert response.headers["location"] == f"{backend.base_url}/v1/identities/?limit=3"
    assert response.content == b""


def test_item_with_extra_slash_redirects_to_the_bare_path(api: Api, backend: Backend) -> None:
    made = api.create()
    response = api.get(f"/v1/identities/{made['id']}/")
    assert response.status_code == 307
    assert response.headers["location"] == f"{backend.base_url}/v1/identities/{made['id']}"
    assert response.content == b""


def test_health_without_slash_redirects(api: Api, backend: Backend) -> None:
    response = api.get("/v1/health")
    assert response.status_code == 307
    assert response.headers["location"] == f"{backend.base_url}/v1/health/"


@pytest.mark.parametrize("method,path", [
    ("POST", "/v1/identities/count"),
    ("DELETE", "/v1/identities/"),
    ("POST", "/v1/identities/identity-00000000-0000-4000-8000-000000000000"),
    ("GET", "/v1/identities/identity-00000000-0000-4000-8000-000000000000/properties"),
])
def test_wrong_method_is_405(api: Api, method: str, path: str) -> None:
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert "allow" in {k.lower() for k in response.headers}


def test_delete_on_count_is_an_id_validation_error(api: Api) -> None:
    # /count only has GET, so DELETE falls through to /{identity_id} with identity_id="count".
    response = api.delete("/v1/identities/count")
    assert response.status_code == 422
    assert "'input': 'count'" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/nonexistent", "/v1/identities//", "/v2/identities/"])
def test_unknown_route_is_404(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_latest_prefix_is_an_alias(api: Api) -> None:
    made = api.create()
    assert api.get(f"/latest/identities/{made['id']}").json() == made
    assert isinstance(api.get("/latest/identities/count").json(), int)
    assert api.get("/latest/health/").json() == {"version": "0.16.8", "status": "ok"}


def _delta(api: Api, prepare, expected: int) -> int:
    """The count change around the action `prepare()` returns; retried because others may share the server."""
    for _ in range(20):
        action = prepare()
        before = api.count()
        action()
        delta = api.count() - before
        if delta == expected:
            break
    return delta


def test_count_is_a_bare_integer_for_the_whole_organization(api: Api) -> None:
    response = api.get("/v1/identities/count")
    assert response.status_code == 200
    assert type(response.json()) is int
    assert _delta(api, lambda: api.create, +1) == +1

    def a_delete():
        made = api.create()
        return lambda: api.delete(f"/v1/identities/{made['id']}")

    assert _delta(api, a_delete, -1) == -1


def test_count_ignores_filters(api: Api) -> None:
    api.create(identity_type="org", project_id="ct-count-project")
    for _ in range(20):
        total = api.count()
        filtered = api.get("/v1/identities/count", params={"identity_type": "org", "project_id": "nothing-here",
                                                           "name": "zzz", "limit": "1"}).json()
        if filtered == total == api.count():
            break
    assert filtered == total


def test_list_is_a_bare_array(api: Api) -> None:
    api.create()
    body = api.get("/v1/identities/").json()
    assert isinstance(body, list) and body


def test_unknown_error_drops_the_connection(backend: Backend) -> None:
    """After an unhandled exception the server still answers 500 but closes the keep-alive connection."""
    made_key = "ct-drop"
    target = urlsplit(backend.base_url)
    auth = f"Authorization: Bearer {backend.token}\r\n" if backend.token else ""
    body = ('{"identifier_key":"%s","name":"x","identity_type":"user","agent_ids":["%s"]}'
            % (made_key, UNKNOWN_AGENT)).encode()
    request = (f"POST /v1/identities/ HTTP/1.1\r\nHost: {target.netloc}\r\n{auth}"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection((target.hostname, target.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500")
    assert payload == b'{"detail":"An unknown error occurred"}'
