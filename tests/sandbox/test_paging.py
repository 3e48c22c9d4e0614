"""Cursors and limits, including the `before` quirk, checked against a model of the list in Python."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed


@pytest.fixture(scope="module")
def seeded():
    sandbox = Sandbox()
    seed(sandbox, 120, rng_seed=3)
    client = httpx.Client(transport=sandbox.transport(), base_url="http://s")
    newest_first = client.get("/v1/identities/?limit=0").json()
    yield client, newest_first
    sandbox.close()


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def test_limit_zero_is_everything_and_default_is_fifty(seeded) -> None:
    client, everything = seeded
    assert len(everything) == 120
    assert ids(client.get("/v1/identities/").json()) == ids(everything[:50])
    assert ids(client.get("/v1/identities/?order=asc&limit=0").json()) == ids(everything[::-1])
    assert client.get("/v1/identities/?limit=-1").json() == []
    assert client.get("/v1/identities/?limit=-2").json() == {"detail": "A database error occurred."}


filters = st.fixed_dictionaries({}, optional={
    "identity_type": st.sampled_from(["user", "org", "other"]),
    "project_id": st.sampled_from(["proj-support", "proj-sales", "proj-internal"]),
    "name": st.sampled_from(["a", "an", "ali", "corp", "bot", "o'b", "zzz"]),
})


def model(everything: list[dict], query: dict) -> list[dict]:
    rows = [r for r in everything
            if query.get("identity_type") in (None, r["identity_type"])
            and query.get("project_id") in (None, r["project_id"])
            and query.get("name", "").lower() in r["name"].lower()]
    return rows[::-1] if query.get("order") == "asc" else rows


@settings(max_examples=60, deadline=None)
@given(query=filters, order=st.sampled_from(["asc", "desc"]), limit=st.integers(1, 17))
def test_after_pages_through_exactly_the_filtered_list(seeded, query: dict, order: str, limit: int) -> None:
    client, everything = seeded
    expected = model(everything, {**query, "order": order})
    seen, after = [], None
    while True:
        params = {**query, "order": order, "limit": limit, **({"after": after} if after else {})}
        page = client.get("/v1/identities/", params=params).json()
        assert len(page) <= limit
        seen += page
        if len(page) < limit:
            break
        after = page[-1]["id"]
    assert ids(seen) == ids(expected)


@settings(max_examples=60, deadline=None)
@given(query=filters, order=st.sampled_from(["asc", "desc"]), limit=st.integers(1, 9), pick=st.integers(0, 119))
def test_before_gives_the_top_rows_ahead_of_the_cursor(seeded, query, order, limit, pick) -> None:
    client, everything = seeded
    full = everything[::-1] if order == "asc" else everything
    cursor = full[pick]  # any row, even one the filters exclude
    ahead = [r for r in model(everything, {**query, "order": order}) if full.index(r) < pick]
    page = client.get("/v1/identities/", params={**query, "order": order, "limit": limit,
                                                 "before": cursor["id"]}).json()
    assert ids(page) == ids(ahead[:limit])


@settings(max_examples=60, deadline=None)
@given(order=st.sampled_from(["asc", "desc"]), limit=st.integers(1, 9), a=st.integers(0, 119),
       b=st.integers(0, 119))
def test_both_cursors_take_a_window_from_the_middle(seeded, order, limit, a, b) -> None:
    client, everything = seeded
    oldest_first = everything[::-1]
    after, before = oldest_first[a], oldest_first[b]
    response = client.get("/v1/identities/", params={"order": order, "limit": limit, "after": after["id"],
                                                     "before": before["id"]})
    if b < a:
        assert response.status_code == 400
        return
    window = oldest_first[a + 1:b]
    if order == "desc":
        window = window[::-1]
    # The server fetches 2 * (limit + 1) rows, keeps limit + 1 around the middle, then trims to limit.
    fetched = window[:2 * (limit + 1)]
    if len(fetched) > limit + 1:
        start = max(0, len(fetched) // 2 - (limit + 1) // 2)
        fetched = fetched[start:start + limit + 1]
    assert ids(response.json()) == ids(fetched[:limit])


def test_unknown_cursor_is_404_and_a_bad_pair_is_400(seeded) -> None:
    client, everything = seeded
    assert client.get("/v1/identities/?after=nope").json() == {"detail": "No Identity found with id nope"}
    assert client.get("/v1/identities/?before=nope").status_code == 404
    response = client.get("/v1/identities/", params={"after": everything[0]["id"], "before": everything[-1]["id"]})
    assert response.status_code == 400
    response = client.get("/v1/identities/", params={"after": everything[-1]["id"], "before": everything[0]["id"],
                                                     "limit": 0})
    assert response.json() == {"detail": "An unknown error occurred"}  # the server multiplies None by 2
