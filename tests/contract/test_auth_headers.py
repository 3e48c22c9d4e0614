"""Secure mode, the user_id header, and headers the server ignores or never sends."""

from __future__ import annotations

import pytest

from .helpers import Api, Backend, client


def test_health_needs_no_token(backend: Backend) -> None:
    with client(backend) as anon:
        response = anon.get("/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"version": "0.16.8", "status": "ok"}

@pytest.mark.parametrize("headers", [
    pytest.param({}, id="none"),
    pytest.param({"Authorization": "Bearer wrong"}, id="wrong-token"),
    pytest.param({"X-API-Key": "{token}"}, id="x-api-key"),
    pytest.param({"Authorization": "bearer {token}"}, id="lowercase-bearer"),
    pytest.param({"Authorization": "{token}"}, id="no-scheme"),
    pytest.param({"X-BARE-PASSWORD": "{token}"}, id="bare-password-without-prefix"),
])
def test_requests_without_the_right_credentials_are_401(secure: Backend, headers: dict) -> None:
    headers = {k: v.format(token=secure.token) for k, v in headers.items()}
    with client(secure, **headers) as anon:
        response = anon.get("/v1/identities/count")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}

@pytest.mark.parametrize("header", ["Authorization", "X-BARE-PASSWORD"])
def test_bearer_and_bare_password_are_accepted(secure: Backend, header: str) -> None:
    value = f"Bearer {secure.token}" if header == "Authorization" else f"password {secure.token}"
    with client(secure, **{header: value}) as http:
        response = http.get("/v1/identities/count")
    assert response.status_code == 200
    assert isinstance(response.json(), int)

@pytest.mark.parametrize("method,path", [
    ("POST", "/v1/identities/"), ("GET", "/v1/nonexistent"), ("GET", "/v1/identities"),
    ("DELETE", "/v1/identities/not-an-id"), ("GET", "/latest/identities/count"),
])
def test_401_comes_before_routing_and_validation(secure: Backend, method: str, path: str) -> None:
    with client(secure) as anon:
        response = anon.request(method, path, json={"identifier_key": "z", "name": "Z", "identity_type": "user"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}

def test_malformed_user_id_header_is_400(api: Api) -> None:
    response = api.get("/v1/identities/", headers={"user_id": "bogus"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "INVALID_ARGUMENT: Invalid user ID format: bogus. Expected format: 'user-<uuid4>'"}

def test_user_id_check_comes_before_validation(api: Api) -> None:
    response = api.get("/v1/identities/not-an-id", headers={"user_id": "bogus"})
    assert response.status_code == 400

@pytest.mark.parametrize("user_id", ["user-00000000-0000-4000-8000-000000000000",
                                     "user-11111111-1111-4111-8111-111111111111"])
def test_well_formed_user_id_is_accepted_even_if_unknown(api: Api, user_id: str) -> None:
    made = api.create()
    response = api.get("/v1/identities/", params={"identifier_key": made["identifier_key"]},
                       headers={"user_id": user_id})
    assert response.status_code == 200
    assert [i["id"] for i in response.json()] == [made["id"]]

def test_x_project_id_header_is_ignored(api: Api) -> None:
    made = api.create()
    response = api.get("/v1/identities/", params={"identifier_key": made["identifier_key"]},
                       headers={"X-Project-Id": "proj-zzz"})
    assert [i["id"] for i in response.json()] == [made["id"]]

def test_no_etag_rate_limit_or_paging_headers(api: Api) -> None:
    made = api.create()
    for response in (api.get("/v1/identities/"), api.get(f"/v1/identities/{made['id']}")):
        names = {name.lower() for name in response.headers}
        assert "etag" not in names
        assert "link" not in names
        assert not [n for n in names if "ratelimit" in n or n.startswith("x-total") or "cursor" in n]
