"""The Sandbox object itself: handle(), transports, the request log, persistence and thread safety."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from identity_tui.sandbox import LoggedRequest, Sandbox


def test_handle_returns_status_headers_and_bytes(sb: Sandbox) -> None:
    status, headers, body = sb.handle("GET", "/v1/health/", {}, b"")
    assert status == 200
    assert ("x-identity-tui-sandbox", "1") in headers
    assert ("content-type", "application/json") in headers
    assert ("content-length", str(len(body))) in headers
    assert json.loads(body) == {"version": "0.16.8", "status": "ok"}


def test_handle_accepts_a_query_in_the_target_and_any_header_case(sb: Sandbox) -> None:
    body = json.dumps({"identifier_key": "a", "name": "A", "identity_type": "org"}).encode()
    assert sb.handle("post", "/v1/identities/", {"Content-Type": "application/json"}, body)[0] == 200
    status, _, data = sb.handle("GET", "/v1/identities/?identity_type=org&limit=5", {"USER_ID": "bogus"}, b"")
    assert status == 400
    status, _, data = sb.handle("GET", "/v1/identities/?identity_type=org&limit=5", {}, b"")
    assert [i["identifier_key"] for i in json.loads(data)] == ["a"]


def test_redirect_location_uses_the_host_header(sb: Sandbox) -> None:
    status, headers, body = sb.handle("GET", "/v1/identities?limit=2", {"Host": "example.test:9"}, b"")
    assert status == 307 and body == b""
    assert ("location", "http://example.test:9/v1/identities/?limit=2") in headers


def test_percent_encoded_paths_are_decoded_before_matching(sb: Sandbox) -> None:
    status, _, data = sb.handle("GET", "/v1/identities/%63ount", {}, b"")
    assert (status, data) == (200, b"0")


async def test_transport_works_with_async_clients(sb: Sandbox) -> None:
    async with httpx.AsyncClient(transport=sb.transport(), base_url="http://sandbox.test") as client:
        made = await client.post("/v1/identities/", json={"identifier_key": "x", "name": "X", "identity_type": "user"})
        assert made.status_code == 200
        assert (await client.get(f"/v1/identities/{made.json()['id']}")).json() == made.json()


def test_request_log_records_what_was_sent(sb: Sandbox, http: httpx.Client) -> None:
    http.post("/v1/identities/", json={"identifier_key": "x", "name": "X", "identity_type": "user"})
    http.get("/v1/identities/", params={"name": "x", "limit": "2"})
    http.get("/v1/identities")
    http.post("/v1/identities/", content=b"{bad", headers={"content-type": "application/json"})
    assert sb.request_log == [
        LoggedRequest("POST", "/v1/identities/", {},
                      {"identifier_key": "x", "name": "X", "identity_type": "user"}, 200),
        LoggedRequest("GET", "/v1/identities/", {"name": "x", "limit": "2"}, None, 200),
        LoggedRequest("GET", "/v1/identities", {}, None, 307),
        LoggedRequest("POST", "/v1/identities/", {}, None, 422),
    ]
    sb.clear_log()
    assert sb.request_log == []


def test_repeated_query_parameters_keep_the_last_value(sb: Sandbox, http: httpx.Client, create) -> None:
    create(identity_type="org")
    assert http.get("/v1/identities/?identity_type=user&identity_type=org").json()[0]["identity_type"] == "org"
    assert sb.request_log[-1].query == {"identity_type": "org"}


def test_count_and_close(sb: Sandbox, create) -> None:
    assert sb.count() == 0
    create()
    create()
    assert sb.count() == 2


def test_a_file_database_survives_a_restart(tmp_path) -> None:
    path = str(tmp_path / "sandbox.db")
    first = Sandbox(path)
    body = json.dumps({"identifier_key": "kept", "name": "Kept", "identity_type": "user",
                       "properties": [{"key": "a", "value": 1, "type": "number"}]}).encode()
    made = json.loads(first.handle("POST", "/v1/identities/", {}, body)[2])
    first.close()
    second = Sandbox(path)
    status, _, data = second.handle("GET", f"/v1/identities/{made['id']}", {}, b"")
    assert (status, json.loads(data)) == (200, made)
    # The default user (quoted in 404 messages) keeps its creation time too.
    assert second.actor.created_at == Sandbox(path).actor.created_at
    second.close()


def test_an_internal_error_is_the_servers_generic_500(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sb.store, "count", broken)
    status, _, data = sb.handle("GET", "/v1/identities/count", {}, b"")
    assert (status, json.loads(data)) == (500, {"detail": "An unknown error occurred"})


def test_concurrent_writers_are_serialised(sb: Sandbox) -> None:
    errors: list[str] = []

    def writer(n: int) -> None:
        with httpx.Client(transport=sb.transport(), base_url="http://sandbox.test") as client:
            for i in range(40):
                response = client.post("/v1/identities/", json={"identifier_key": f"t{n}-{i}", "name": f"T{n}",
                                                                "identity_type": "user"})
                if response.status_code != 200:
                    errors.append(response.text)
                client.get("/v1/identities/", params={"name": f"t{n}"})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sb.count() == 240
    rows = httpx.Client(transport=sb.transport(), base_url="http://s").get("/v1/identities/?limit=0").json()
    assert len({r["id"] for r in rows}) == 240


def test_password_mode_guards_everything_but_health(http: httpx.Client) -> None:
    sandbox = Sandbox(password="s3cret")
    client = httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.test")
    assert client.get("/v1/health/").status_code == 200
    assert client.get("/v1/health").status_code == 307  # exempt, then redirected
    assert client.get("/latest/health/").status_code == 200
    assert client.get("/latest/health").status_code == 401  # the server's exempt list lacks this one
    assert client.get("/v1/identities/count").json() == {"detail": "Unauthorized"}
    assert client.get("/v1/identities/count", headers={"Authorization": "Bearer s3cret"}).json() == 0
    assert client.get("/v1/identities/count", headers={"X-BARE-PASSWORD": "password s3cret"}).json() == 0
    assert client.get("/v1/identities/count", headers={"Authorization": "Bearer s3cret "}).status_code == 401
    # Without a password any token is ignored.
    assert http.get("/v1/identities/count", headers={"Authorization": "Bearer whatever"}).status_code == 200


async def test_an_async_client_gives_the_loop_a_turn_at_each_request(sb: Sandbox) -> None:
    """The sandbox answers in-process, but a run of requests from an async client (an app's export of every
    identity) still lets other tasks run between two answers, as a socket would: keys, paints and a signal's
    exit are not held until the last one."""
    import asyncio

    turns: list[int] = []
    answered = 0

    async def other_task() -> None:
        while True:
            turns.append(answered)
            await asyncio.sleep(0)

    async with httpx.AsyncClient(transport=sb.transport(), base_url="http://sandbox.invalid") as client:
        watcher = asyncio.create_task(other_task())
        await asyncio.sleep(0)  # the watcher has started
        for _ in range(20):
            assert (await client.get("/v1/health/")).status_code == 200
            answered += 1
        watcher.cancel()
    assert set(range(1, 20)) <= set(turns)  # it ran between every two answers
