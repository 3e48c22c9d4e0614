"""List rows read without pydantic: the fields the table shows are checked; opening validates the rest."""

from __future__ import annotations

import pytest

from identity_tui.core.errors import BadResponse
from identity_tui.core.kinds import IdentityType
from identity_tui.core.models import Identity
from identity_tui.core.summary import IdentitySummary, parse_page, summarize

from .samples import ACME, ALICE, CAROL, body, reply


def test_a_page_reads_the_shown_fields_and_keeps_the_json():
    rows = parse_page([body(ALICE), body(ACME), body(CAROL)], "h")
    alice, acme, carol = rows
    assert [r.id for r in rows] == [ALICE["id"], ACME["id"], CAROL["id"]]
    assert alice.identity_type is IdentityType.USER and acme.identity_type is IdentityType.ORG
    assert carol.project_id == "proj-1" and alice.project_id is None
    assert [r.property_count for r in rows] == [len(ALICE["properties"]), len(ACME["properties"]),
                                                len(CAROL["properties"])]
    assert alice.wire == ALICE
    assert alice.short_id == ALICE["id"].removeprefix("identity-")[:8]


def test_the_row_opens_as_the_same_identity_the_models_read():
    row = summarize(body(ACME))
    assert row is not None
    assert row.identity() == Identity.model_validate(ACME)


@pytest.mark.parametrize(
    "change",
    [
        {"id": 7},
        {"name": None},
        {"identifier_key": ["k"]},
        {"identity_type": "robot"},
        {"identity_type": None},
        {"project_id": 3},
        {"properties": {"k": 1}},
    ],
    ids=lambda c: ",".join(f"{k}={v!r}" for k, v in c.items()),
)
def test_a_row_without_the_fields_the_list_shows_fails_the_page(change):
    bad = {**body(ALICE), **change}
    with pytest.raises(BadResponse, match="not with a list of identities"):
        parse_page([body(ACME), bad], "letta.example")


@pytest.mark.parametrize("data", [None, {"items": []}, "identities", [1, 2], [[]]])
def test_an_answer_that_is_not_a_list_of_objects_fails(data):
    with pytest.raises(BadResponse, match="letta.example answered"):
        parse_page(data, "letta.example")


def test_missing_fields_the_server_may_leave_out_read_as_empty():
    data = {k: v for k, v in body(ALICE).items() if k not in ("project_id", "properties")}
    row = summarize(data)
    assert row is not None and row.project_id is None and row.property_count == 0


def test_a_row_with_malformed_properties_lists_but_cannot_be_opened():
    data = body(ALICE)
    data["properties"] = [{"key": "k", "value": 1, "type": "colour"}]
    row = summarize(data)
    assert row is not None and row.property_count == 1
    with pytest.raises(BadResponse, match="letta.example answered, but not with an identity"):
        row.identity("letta.example")


def test_rows_are_small_and_fixed():
    row = summarize(body(ALICE))
    assert isinstance(row, IdentitySummary)
    assert not hasattr(row, "__dict__")  # slotted: 400 cached rows stay cheap
    with pytest.raises(AttributeError):
        row.name = "x"  # type: ignore[misc]


async def test_the_client_pages_as_rows_and_as_models_alike(make_client):
    client, rec = make_client(reply(200, [body(ALICE), body(CAROL)]))
    rows = await client.list_page(limit=2, name="a")
    models = await client.list_identities(limit=2, name="a")
    assert [r.id for r in rows] == [m.id for m in models]
    assert [r.identity() for r in rows] == models
    assert rec.requests[0].url.params == rec.requests[1].url.params
