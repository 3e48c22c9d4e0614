"""The HTTP client against a mock transport: exact paths, params, headers, retries, errors, paging."""

from __future__ import annotations

import email.utils
import json
import time

import httpx
import pytest

from identity_tui import __version__
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions, parse_retry_after
from identity_tui.core.errors import (
    APIError,
    AlreadyExists,
    BadResponse,
    ConnectionFailed,
    CursorGone,
    NotFound,
    ReadOnlyError,
    ServerError,
    TimedOut,
    Unauthorized,
    ValidationFailed,
    answer_may_be_lost,
)
from identity_tui.core.kinds import IdentityType
from identity_tui.core.models import IdentityCreate, IdentityProperty, IdentityUpdate

from .samples import ALICE, BASE, CANARY, CAROL, Recorder, body, reply

ID = ALICE["id"]
AGENT = "agent-00000000-0000-4000-8000-000000000001"
BLOCK = "block-00000000-0000-4000-8000-000000000002"


def make_id(n: int) -> str:
    return f"identity-00000000-0000-4000-8000-{n:012d}"


def identity(n: int) -> dict:
    data = body(CAROL)
    data["id"] = make_id(n)
    data["identifier_key"] = f"key{n}"
    return data


# -- paths -----------------------------------------------------------------------------------


async def test_list_path_has_trailing_slash(make_client):
    client, rec = make_client(reply(200, [body(ALICE), body(CAROL)]))
    rows = await client.list_identities()
    assert [r.identifier_key for r in rows] == ["alice", "carol"]
    assert rec.last.method == "GET"
    assert rec.last.url.path == "/v1/identities/"
    assert rec.last.url.host == "letta.test" and rec.last.url.port == 8283


async def test_count_path(make_client):
    client, rec = make_client(reply(200, 7))
    assert await client.count() == 7
    assert (rec.last.method, rec.last.url.path) == ("GET", "/v1/identities/count")
    assert rec.last.url.query == b""


@pytest.mark.parametrize("data", ["7", 7.0, True, None, [7]])
async def test_count_that_is_not_an_integer_is_a_bad_response(make_client, data):
    client, _ = make_client(reply(200, data))
    with pytest.raises(BadResponse):
        await client.count()


async def test_get_path_has_no_trailing_slash(make_client):
    client, rec = make_client(reply(200, body(ALICE)))
    got = await client.get(ID)
    assert got.id == ID
    assert (rec.last.method, rec.last.url.path) == ("GET", f"/v1/identities/{ID}")


async def test_patch_path_and_body(make_client):
    client, rec = make_client(reply(200, body(ALICE)))
    await client.update(ID, IdentityUpdate(name="Alice A."))
    assert (rec.last.method, rec.last.url.path) == ("PATCH", f"/v1/identities/{ID}")
    assert rec.json() == {"name": "Alice A."}
    assert rec.last.headers["content-type"] == "application/json"


async def test_empty_patch_still_sends_an_object(make_client):
    client, rec = make_client(reply(200, body(ALICE)))
    await client.update(ID, IdentityUpdate())
    assert rec.last.content == b"{}"


async def test_delete_path(make_client):
    client, rec = make_client(reply(200, None))
    assert await client.delete(ID) is None
    assert (rec.last.method, rec.last.url.path) == ("DELETE", f"/v1/identities/{ID}")
    assert rec.last.content == b""


async def test_replace_properties_sends_a_bare_array(make_client):
    client, rec = make_client(reply(200, body(ALICE)))
    await client.replace_properties(
        ID,
        [IdentityProperty(key="tier", value="gold", type="string"), {"key": "n", "value": 1.0, "type": "number"}],
    )
    assert (rec.last.method, rec.last.url.path) == ("PUT", f"/v1/identities/{ID}/properties")
    sent = rec.json()
    assert sent == [
        {"key": "tier", "value": "gold", "type": "string"},
        {"key": "n", "value": 1.0, "type": "number"},
    ]
    assert b"1.0" in rec.last.content  # the float stays a float on the wire


async def test_replace_properties_with_nothing_sends_an_empty_array(make_client):
    client, rec = make_client(reply(200, body(CAROL)))
    await client.replace_properties(ID, [])
    assert rec.last.content == b"[]"


async def test_create_posts_to_the_slashed_path(make_client):
    client, rec = make_client(reply(200, body(CAROL)))
    created = await client.create(
        IdentityCreate(identifier_key="carol", name="Carol", identity_type="other", project_id="proj-1")
    )
    assert created.project_id == "proj-1"
    assert (rec.last.method, rec.last.url.path) == ("POST", "/v1/identities/")
    assert rec.json() == {
        "identifier_key": "carol",
        "name": "Carol",
        "identity_type": "other",
        "project_id": "proj-1",
        "properties": [],
    }


async def test_upsert_puts_to_the_slashed_path(make_client):
    client, rec = make_client(reply(200, body(ALICE)))
    await client.upsert({"identifier_key": "alice", "name": "Alice", "identity_type": "user"})
    assert (rec.last.method, rec.last.url.path) == ("PUT", "/v1/identities/")


async def test_linked_agents_and_blocks_paths(make_client):
    client, rec = make_client(reply(200, [{"id": AGENT, "name": "helper"}]))
    agents = await client.list_agents(ID)
    assert agents == [{"id": AGENT, "name": "helper"}]
    assert (rec.last.method, rec.last.url.path) == ("GET", f"/v1/identities/{ID}/agents")
    assert dict(rec.last.url.params) == {"limit": "50"}
    await client.list_blocks(ID, limit=10, after=BLOCK)
    assert (rec.last.method, rec.last.url.path) == ("GET", f"/v1/identities/{ID}/blocks")
    assert dict(rec.last.url.params) == {"limit": "10", "after": BLOCK}
    await client.list_agents(ID, after="")
    assert "after" not in rec.last.url.params


@pytest.mark.parametrize("data", [{"id": AGENT}, [AGENT], None])
async def test_linked_list_that_is_not_a_list_of_objects_is_a_bad_response(make_client, data):
    client, _ = make_client(reply(200, data))
    with pytest.raises(BadResponse):
        await client.list_agents(ID)


@pytest.mark.parametrize(
    ("method_name", "path"),
    [
        ("attach_agent", f"/v1/agents/{AGENT}/identities/attach/{ID}"),
        ("detach_agent", f"/v1/agents/{AGENT}/identities/detach/{ID}"),
        ("attach_block", f"/v1/blocks/{BLOCK}/identities/attach/{ID}"),
        ("detach_block", f"/v1/blocks/{BLOCK}/identities/detach/{ID}"),
    ],
)
async def test_attach_and_detach_paths(make_client, method_name, path):
    client, rec = make_client(reply(200, {"id": "x"}))
    other = AGENT if "agent" in method_name else BLOCK
    await getattr(client, method_name)(other, ID)
    assert (rec.last.method, rec.last.url.path) == ("PATCH", path)


async def test_health_path(make_client):
    client, rec = make_client(reply(200, {"version": "0.16.8", "status": "ok"}))
    assert (await client.health())["version"] == "0.16.8"
    assert (rec.last.method, rec.last.url.path) == ("GET", "/v1/health/")


@pytest.mark.parametrize("data", [{"version": "1"}, [], "ok"])
async def test_health_that_is_not_letta_is_a_bad_response(make_client, data):
    client, _ = make_client(reply(200, data))
    with pytest.raises(BadResponse):
        await client.health()


async def test_base_url_with_a_path_prefix_and_trailing_slash(make_client):
    client, rec = make_client(reply(200, []), base_url="https://proxy.test/letta/")
    await client.list_identities()
    assert str(rec.last.url).startswith("https://proxy.test/letta/v1/identities/?")


# -- query parameters --------------------------------------------------------------------------


async def test_list_defaults(make_client):
    client, rec = make_client(reply(200, []))
    await client.list_identities()
    assert dict(rec.last.url.params) == {"limit": "50", "order": "desc"}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"name": "ali"}, {"name": "ali"}),
        ({"identifier_key": "alice"}, {"identifier_key": "alice"}),
        ({"identity_type": IdentityType.ORG}, {"identity_type": "org"}),
        ({"identity_type": "user"}, {"identity_type": "user"}),
        ({"project_id": "proj-1"}, {"project_id": "proj-1"}),
        ({"limit": 2}, {"limit": "2"}),
        ({"limit": 0}, {"limit": "0"}),
        ({"after": make_id(1)}, {"after": make_id(1)}),
        ({"before": make_id(2)}, {"before": make_id(2)}),
        ({"order": "asc"}, {"order": "asc"}),
    ],
)
async def test_each_filter_becomes_its_query_parameter(make_client, kwargs, expected):
    client, rec = make_client(reply(200, []))
    await client.list_identities(**kwargs)
    params = dict(rec.last.url.params)
    for key, value in expected.items():
        assert params.pop(key) == value
    # nothing else but the defaults
    params.pop("limit", None)
    params.pop("order", None)
    assert params == {}


async def test_empty_and_none_filters_are_omitted(make_client):
    client, rec = make_client(reply(200, []))
    await client.list_identities(
        name="", identifier_key=None, identity_type="", project_id="", after="", before=None
    )
    assert dict(rec.last.url.params) == {"limit": "50", "order": "desc"}
    assert b"=&" not in rec.last.url.query and not rec.last.url.query.endswith(b"=")


async def test_name_filter_is_url_encoded(make_client):
    client, rec = make_client(reply(200, []))
    await client.list_identities(name="Zoë & co")
    assert rec.last.url.params["name"] == "Zoë & co"


# -- headers -----------------------------------------------------------------------------------


async def test_headers_with_token_user_and_project(make_client):
    client, rec = make_client(
        reply(200, []), token=CANARY, user_id="user-00000000-0000-4000-8000-000000000000", project_id="proj-1"
    )
    await client.list_identities()
    h = rec.last.headers
    assert h["authorization"] == f"Bearer {CANARY}"
    assert h["user_id"] == "user-00000000-0000-4000-8000-000000000000"
    assert h["x-project-id"] == "proj-1"
    assert h["user-agent"] == f"identity-tui/{__version__}"
    assert h["accept"] == "application/json"
    assert client.has_token


@pytest.mark.parametrize("token", [None, ""])
async def test_no_authorization_without_a_token(make_client, token):
    client, rec = make_client(reply(200, []), token=token)
    await client.list_identities()
    assert "authorization" not in rec.last.headers
    assert "user_id" not in rec.last.headers
    assert "x-project-id" not in rec.last.headers
    assert "identity-tui" in rec.last.headers["user-agent"]
    assert not client.has_token


async def test_get_sends_no_body_or_content_type(make_client):
    client, rec = make_client(reply(200, []))
    await client.list_identities()
    assert rec.last.content == b""
    assert "content-type" not in rec.last.headers


# -- retries -----------------------------------------------------------------------------------


def flaky(failures: list, final: httpx.Response | None = None):
    """A handler that fails (status code or exception class) in order, then answers ``final``."""
    queue = list(failures)

    def handler(request: httpx.Request) -> httpx.Response:
        if queue:
            item = queue.pop(0)
            if isinstance(item, int):
                return httpx.Response(item, json={"detail": f"status {item}"})
            if isinstance(item, httpx.Response):
                return item
            raise item("boom", request=request)
        return final if final is not None else httpx.Response(200, json=body(ALICE))

    return handler


CALLS = {
    "GET": lambda c: c.get(ID),
    "PUT": lambda c: c.replace_properties(ID, []),
    "DELETE": lambda c: c.delete(ID),
    "PATCH": lambda c: c.update(ID, IdentityUpdate(name="A")),
    "POST": lambda c: c.create({"identifier_key": "a", "name": "A", "identity_type": "user"}),
}
IDEMPOTENT = ["GET", "PUT", "DELETE", "PATCH"]


@pytest.mark.parametrize("method", IDEMPOTENT)
@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ReadError, 408, 429, 500, 502, 503, 504, 501])
async def test_idempotent_requests_are_retried(make_client, sleep, method, failure):
    final = httpx.Response(200, json=None if method == "DELETE" else body(ALICE))
    client, rec = make_client(flaky([failure, failure], final))
    await CALLS[method](client)
    assert rec.calls == 3
    assert {r.method for r in rec.requests} == {method}
    assert len(sleep.delays) == 2


@pytest.mark.parametrize("method", IDEMPOTENT)
async def test_at_most_two_retries_then_the_error(make_client, sleep, method):
    client, rec = make_client(flaky([503, 503, 503, 503]))
    with pytest.raises(ServerError) as info:
        await CALLS[method](client)
    assert rec.calls == 3
    assert info.value.status == 503
    assert len(sleep.delays) == 2


async def test_connect_errors_exhaust_into_connection_failed_naming_the_url(make_client):
    client, rec = make_client(flaky([httpx.ConnectError] * 5))
    with pytest.raises(ConnectionFailed) as info:
        await client.get(ID)
    assert rec.calls == 3
    assert type(info.value) is ConnectionFailed
    assert BASE in str(info.value)
    assert str(info.value).startswith("Cannot reach")


@pytest.mark.parametrize(("tries", "never_sent"), [
    ([httpx.ConnectError] * 3, True),  # refused every time: nothing reached the server
    ([httpx.ConnectTimeout, httpx.ConnectError, httpx.ConnectTimeout], True),
    ([503, httpx.ConnectError, httpx.ConnectError], False),  # the first try was answered: it got there
    ([httpx.ReadError, httpx.ConnectError, httpx.ConnectError], False),  # sent, then the connection broke
    ([httpx.ConnectError, httpx.ConnectError, httpx.ReadTimeout], False),
    ([httpx.WriteError] * 3, False),  # connected: part of it may have been read
])
async def test_a_failure_says_whether_anything_could_have_reached_the_server(make_client, sleep, tries, never_sent):
    client, rec = make_client(flaky(tries))
    with pytest.raises(ConnectionFailed) as info:
        await CALLS["PATCH"](client)
    assert rec.calls == 3
    assert info.value.never_sent is never_sent
    assert answer_may_be_lost(info.value) is not never_sent


async def test_post_refused_on_connect_was_never_sent(make_client):
    client, _ = make_client(flaky([httpx.ConnectError]))
    with pytest.raises(ConnectionFailed) as info:
        await CALLS["POST"](client)
    assert info.value.never_sent and not answer_may_be_lost(info.value)


@pytest.mark.parametrize("failure", [503, 500, 429, httpx.ConnectError, httpx.ReadTimeout])
async def test_post_is_never_retried(make_client, sleep, failure):
    client, rec = make_client(flaky([failure]))
    with pytest.raises((APIError, ConnectionFailed)):
        await CALLS["POST"](client)
    assert rec.calls == 1
    assert sleep.delays == []


@pytest.mark.parametrize("method", IDEMPOTENT + ["POST"])
@pytest.mark.parametrize(
    ("status", "cls"),
    [(409, AlreadyExists), (400, APIError), (401, Unauthorized), (404, NotFound), (422, ValidationFailed)],
)
async def test_4xx_is_never_retried(make_client, sleep, method, status, cls):
    client, rec = make_client(flaky([status, status, status]))
    with pytest.raises(cls):
        await CALLS[method](client)
    assert rec.calls == 1
    assert sleep.delays == []


async def test_backoff_grows(make_client, sleep):
    client, _ = make_client(flaky([503, 503, 503]))
    with pytest.raises(ServerError):
        await client.get(ID)
    first, second = sleep.delays
    assert 0.25 <= first <= 0.75
    assert second > first
    assert 0.5 <= second <= 1.5


async def test_backoff_is_capped(make_client, sleep):
    client, _ = make_client(
        flaky([503, 503, 503]), options=ClientOptions(backoff=5.0, backoff_cap=6.0)
    )
    with pytest.raises(ServerError):
        await client.get(ID)
    assert all(d <= 6.0 * 1.25 for d in sleep.delays)
    assert sleep.delays[1] >= 6.0 * 0.75


async def test_retries_option_zero_means_one_try(make_client, sleep):
    client, rec = make_client(flaky([503, 503]), options=ClientOptions(retries=0))
    with pytest.raises(ServerError):
        await client.get(ID)
    assert rec.calls == 1 and sleep.delays == []


async def test_retry_after_seconds_is_honoured(make_client, sleep):
    busy = httpx.Response(429, headers={"Retry-After": "3"}, json={"detail": "slow"})
    client, rec = make_client(flaky([busy]))
    await client.get(ID)
    assert rec.calls == 2
    assert sleep.delays == [3.0]


async def test_retry_after_http_date_is_honoured(make_client, sleep):
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    busy = httpx.Response(503, headers={"Retry-After": when}, json={"detail": "later"})
    client, _ = make_client(flaky([busy]))
    await client.get(ID)
    (delay,) = sleep.delays
    assert 7.5 <= delay <= 10.5


async def test_retry_after_is_capped(make_client, sleep):
    busy = httpx.Response(503, headers={"Retry-After": "3600"}, json={"detail": "later"})
    client, _ = make_client(flaky([busy]))
    await client.get(ID)
    assert sleep.delays == [30.0]


async def test_retry_after_is_kept_on_the_final_error(make_client):
    busy = httpx.Response(429, headers={"Retry-After": "4"}, json={"detail": "slow"})
    client, _ = make_client(flaky([busy, busy, busy]))
    with pytest.raises(APIError) as info:
        await client.get(ID)
    assert info.value.retry_after == 4.0
    assert info.value.status == 429


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), ("1.5", 1.5), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_past_date_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# -- timeouts and connection errors ----------------------------------------------------------------


@pytest.mark.parametrize("exc", [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout])
async def test_timeouts_become_timed_out(make_client, exc):
    client, rec = make_client(flaky([exc] * 3))
    with pytest.raises(TimedOut) as info:
        await client.get(ID)
    assert rec.calls == 3
    assert "letta.test:8283" in str(info.value)
    assert isinstance(info.value, ConnectionFailed)
    assert info.value.__cause__ is None and info.value.__suppress_context__


async def test_timeouts_are_configured_like_the_sdk():
    client = LettaClient(BASE)
    try:
        timeout = client.timeout
        assert timeout.connect == 5.0 and timeout.read == 60.0
    finally:
        await client.aclose()


async def test_connection_error_for_post_is_one_try_and_names_the_url(make_client):
    client, rec = make_client(flaky([httpx.ConnectError]))
    with pytest.raises(ConnectionFailed) as info:
        await CALLS["POST"](client)
    assert rec.calls == 1
    assert BASE in str(info.value)


# -- redirects and odd answers ------------------------------------------------------------------


async def test_redirect_is_not_followed_and_the_token_stays_home(make_client):
    evil = "https://elsewhere.example/v1/identities/"
    client, rec = make_client(reply(307, None, headers={"Location": evil}), token=CANARY)
    with pytest.raises(BadResponse) as info:
        await client.list_identities()
    assert rec.calls == 1
    assert all(r.url.host == "letta.test" for r in rec.requests)
    assert "base URL" in str(info.value)
    assert "307" in str(info.value)
    assert info.value.status == 307
    assert CANARY not in str(info.value)


@pytest.mark.parametrize("status", [301, 302, 308])
async def test_other_redirects_are_not_followed_either(make_client, status):
    client, rec = make_client(reply(status, None, headers={"Location": f"{BASE}/v1/identities/"}))
    with pytest.raises(BadResponse):
        await client.get(ID)
    assert rec.calls == 1


async def test_non_json_200_is_a_bad_response(make_client):
    client, _ = make_client(lambda r: httpx.Response(200, text="<html>Welcome to nginx</html>"))
    with pytest.raises(BadResponse) as info:
        await client.list_identities()
    assert "not JSON" in str(info.value)


async def test_non_utf8_200_is_a_bad_response(make_client):
    client, _ = make_client(
        lambda r: httpx.Response(200, content=b"\xff\xfe\x00garbage", headers={"content-type": "application/json"})
    )
    with pytest.raises(BadResponse):
        await client.get(ID)


async def test_non_json_error_keeps_the_text(make_client):
    client, _ = make_client(lambda r: httpx.Response(404, text="Not Found"))
    with pytest.raises(NotFound) as info:
        await client.get(ID)
    assert info.value.detail == "Not Found"


@pytest.mark.parametrize(
    "data",
    [
        {"status": "ok"},
        [body(ALICE)],
        None,
        {**body(ALICE), "identity_type": "robot"},
        {**body(ALICE), "properties": [{"key": "x", "value": None, "type": "string"}]},
    ],
)
async def test_200_that_is_not_an_identity_is_a_bad_response(make_client, data):
    client, _ = make_client(reply(200, data))
    with pytest.raises(BadResponse) as info:
        await client.get(ID)
    assert "not with an identity" in str(info.value)


@pytest.mark.parametrize("data", [{"items": []}, None, [{"id": "x"}]])
async def test_list_that_is_not_identities_is_a_bad_response(make_client, data):
    client, _ = make_client(reply(200, data))
    with pytest.raises(BadResponse):
        await client.list_identities()


async def test_422_from_the_server_becomes_validation_failed(make_client):
    detail = (
        "[{'type': 'enum', 'loc': ('query', 'identity_type'), 'msg': \"Input should be 'org', 'user' or "
        "'other'\", 'input': 'bogus'}]"
    )
    client, _ = make_client(reply(422, {"trace_id": "", "detail": detail}))
    with pytest.raises(ValidationFailed) as info:
        await client.list_identities(identity_type="bogus")
    assert [e.field for e in info.value.field_errors] == ["identity_type"]


# -- paging ------------------------------------------------------------------------------------


def paged_server(total: int):
    """Answers the list route like the server: ``limit`` rows after the ``after`` cursor."""
    rows = [identity(n) for n in range(total)]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/identities/"
        limit = int(request.url.params["limit"])
        after = request.url.params.get("after")
        start = 0
        if after is not None:
            ids = [r["id"] for r in rows]
            if after not in ids:
                return httpx.Response(404, json={"detail": f"No Identity found with id {after}"})
            start = ids.index(after) + 1
        return httpx.Response(200, json=rows[start : start + limit])

    return handler


@pytest.mark.parametrize(("total", "page", "requests"), [(7, 3, 3), (6, 3, 3), (2, 3, 1), (0, 3, 1), (3, 1, 4)])
async def test_iter_identities_walks_pages_with_after(make_client, total, page, requests):
    client, rec = make_client(paged_server(total))
    got = [i.id async for i in client.iter_identities(page_size=page)]
    assert got == [make_id(n) for n in range(total)]
    assert rec.calls == requests
    assert "after" not in rec.requests[0].url.params
    for prev, req in zip(range(rec.calls - 1), rec.requests[1:]):
        assert req.url.params["after"] == make_id((prev + 1) * page - 1)


async def test_iter_identities_stops_on_a_short_page(make_client):
    client, rec = make_client(paged_server(5))
    got = [i.id async for i in client.iter_identities(page_size=3)]
    assert len(got) == 5
    assert rec.calls == 2  # the second page (2 rows) is short: no third request


async def test_iter_identities_passes_filters_on_every_page(make_client):
    handler = paged_server(4)

    def check(request):
        assert request.url.params["identity_type"] == "user"
        return handler(request)

    client, rec = make_client(check)
    assert len([i async for i in client.iter_identities(page_size=2, identity_type="user")]) == 4
    assert rec.calls == 3


async def test_unknown_cursor_is_cursor_gone(make_client):
    client, _ = make_client(paged_server(3))
    with pytest.raises(CursorGone) as info:
        await client.list_identities(after=make_id(99))
    assert isinstance(info.value, NotFound)
    assert info.value.status == 404
    assert "No Identity found" in info.value.detail
    assert "start from the top" in str(info.value)


async def test_404_without_a_cursor_is_plain_not_found(make_client):
    client, _ = make_client(reply(404, {"detail": "Not Found"}))
    with pytest.raises(NotFound) as info:
        await client.list_identities()
    assert type(info.value) is NotFound


# -- read-only ---------------------------------------------------------------------------------

WRITES = {
    "create": lambda c: c.create({"identifier_key": "a", "name": "A", "identity_type": "user"}),
    "upsert": lambda c: c.upsert({"identifier_key": "a", "name": "A", "identity_type": "user"}),
    "update": lambda c: c.update(ID, IdentityUpdate(name="A")),
    "replace_properties": lambda c: c.replace_properties(ID, []),
    "delete": lambda c: c.delete(ID),
    "attach_agent": lambda c: c.attach_agent(AGENT, ID),
    "detach_agent": lambda c: c.detach_agent(AGENT, ID),
    "attach_block": lambda c: c.attach_block(BLOCK, ID),
    "detach_block": lambda c: c.detach_block(BLOCK, ID),
    "raw POST": lambda c: c.request("POST", "/v1/identities/", body={}),
    "raw lower-case put": lambda c: c.request("put", f"/v1/identities/{ID}/properties", body=[]),
}


@pytest.mark.parametrize("write", list(WRITES))
async def test_readonly_refuses_every_write_before_sending(make_client, write):
    client, rec = make_client(reply(200, body(ALICE)), readonly=True)
    with pytest.raises(ReadOnlyError) as info:
        await WRITES[write](client)
    assert rec.calls == 0
    assert len(client.sent) == 0
    assert "nothing was sent" in str(info.value)


async def test_readonly_still_reads(make_client):
    client, rec = make_client(reply(200, [body(ALICE)]), readonly=True)
    assert len(await client.list_identities()) == 1
    assert rec.calls == 1


# -- secrets -----------------------------------------------------------------------------------


async def test_token_never_shows_in_repr(make_client):
    client, _ = make_client(reply(200, []), token=CANARY)
    assert CANARY not in repr(client)
    assert CANARY not in str(client)
    assert "letta.test" in repr(client)


async def test_token_is_scrubbed_from_connection_errors(make_client):
    def handler(request):
        raise httpx.ConnectError(f"proxy said: bad credentials {CANARY}", request=request)

    client, _ = make_client(handler, token=CANARY)
    with pytest.raises(ConnectionFailed) as info:
        await client.get(ID)
    assert CANARY not in str(info.value)
    assert CANARY not in repr(info.value)
    assert "bad credentials" in str(info.value)


@pytest.mark.parametrize("status", [401, 403, 404, 409, 422, 500])
async def test_token_is_in_no_error_message(make_client, status):
    client, _ = make_client(reply(status, {"detail": "nope"}), token=CANARY)
    with pytest.raises(APIError) as info:
        await client.get(ID)
    assert CANARY not in str(info.value)
    assert CANARY not in repr(info.value)
    assert CANARY not in info.value.detail


async def test_sent_log_holds_no_token(make_client):
    client, _ = make_client(reply(200, body(ALICE)), token=CANARY)
    await client.update(ID, IdentityUpdate(name="A"))
    assert CANARY not in repr(list(client.sent))


# -- the sent log ------------------------------------------------------------------------------


async def test_sent_records_method_path_params_body_and_status(make_client):
    patch = flaky([503])

    def handler(request):
        return patch(request) if request.method == "PATCH" else httpx.Response(200, json=[])

    client, _ = make_client(handler)
    await client.update(ID, IdentityUpdate(name="Alice A."))
    await client.list_identities(name="ali")
    first, second, third = client.sent
    assert (first.method, first.path, first.body, first.status) == (
        "PATCH",
        f"/v1/identities/{ID}",
        {"name": "Alice A."},
        503,
    )
    assert second.status == 200 and second.body == {"name": "Alice A."}
    assert third.method == "GET" and third.path == "/v1/identities/"
    assert third.params == {"name": "ali", "limit": "50", "order": "desc"}
    assert third.body is None


async def test_sent_records_failed_connections_without_status(make_client):
    client, _ = make_client(flaky([httpx.ConnectError]))
    await client.replace_properties(ID, [{"key": "a", "value": "b", "type": "string"}])
    assert [s.status for s in client.sent] == [None, 200]
    assert client.sent[0].body == [{"key": "a", "value": "b", "type": "string"}]


async def test_unicode_body_is_sent_as_utf8_json(make_client):
    client, rec = make_client(reply(200, body(ALICE)))
    await client.update(ID, {"name": "Zoë 🚀"})
    assert json.loads(rec.last.content.decode("utf-8")) == {"name": "Zoë 🚀"}


async def test_host_property():
    client = LettaClient("https://api.letta.com/")
    try:
        assert client.host == "api.letta.com"
        assert client.base_url == "https://api.letta.com"
    finally:
        await client.aclose()


async def test_client_is_an_async_context_manager():
    rec = Recorder(reply(200, []))
    async with LettaClient(BASE, transport=httpx.MockTransport(rec)) as client:
        await client.list_identities()
    assert client.closed


async def test_a_body_json_cannot_carry_is_refused_before_sending():
    import httpx

    from identity_tui.core.client import LettaClient
    from identity_tui.core.http_client import BadRequestBody

    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json={})

    client = LettaClient("http://letta.test", transport=httpx.MockTransport(handler))
    for bad in ({"name": "a\ud800b"}, {"properties": [{"key": "n", "value": float("nan"), "type": "number"}]}):
        with pytest.raises(BadRequestBody):
            await client.update("identity-00000000-0000-4000-8000-000000000001", bad)
    assert calls == []
    await client.aclose()
