"""GET /v1/identities/: filters, limit, order and the cursor quirks."""

from __future__ import annotations

import pytest

from .helpers import UNKNOWN_ID, Api, errors_of, unique


@pytest.fixture
def five(api: Api) -> tuple[str, list[dict]]:
    """Five identities in a project of their own, in creation order."""
    project = unique("proj")
    return project, [api.create(project_id=project, name=f"Member {i}") for i in range(5)]


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def test_default_order_is_newest_first(api: Api, five) -> None:
    project, made = five
    assert ids(api.listing(project_id=project)) == ids(made[::-1])
    assert ids(api.listing(project_id=project, order="desc")) == ids(made[::-1])
    assert ids(api.listing(project_id=project, order="asc")) == ids(made)
    assert ids(api.listing(project_id=project, order_by="created_at", order="asc")) == ids(made)


def test_after_pages_forward_in_either_order(api: Api, five) -> None:
    project, made = five
    for order, expected in (("desc", made[::-1]), ("asc", made)):
        seen, after = [], None
        while True:
            page = api.listing(project_id=project, order=order, limit=2, **({"after": after} if after else {}))
            seen += page
            if len(page) < 2:  # no has_more: a short page is the end
                break
            after = page[-1]["id"]
        assert ids(seen) == ids(expected)


def test_before_returns_the_top_of_the_list_not_the_adjacent_page(api: Api, five) -> None:
    project, made = five
    # desc order is m4 m3 m2 m1 m0; the two rows just before m1 would be m3 m2, but the server gives the top.
    assert ids(api.listing(project_id=project, before=made[1]["id"], limit=2)) == ids([made[4], made[3]])
    assert ids(api.listing(project_id=project, before=made[1]["id"])) == ids([made[4], made[3], made[2]])
    assert ids(api.listing(project_id=project, before=made[3]["id"], order="asc", limit=2)) == ids(made[:2])


def test_before_and_after_together_give_a_middle_window(api: Api, five) -> None:
    project, made = five
    # Rows strictly between the two, at most limit of them, taken from the top.
    window = api.listing(project_id=project, after=made[0]["id"], before=made[4]["id"], limit=2)
    assert ids(window) == ids([made[3], made[2]])
    window = api.listing(project_id=project, after=made[0]["id"], before=made[4]["id"], limit=2, order="asc")
    assert ids(window) == ids([made[1], made[2]])
    assert api.listing(project_id=project, after=made[2]["id"], before=made[2]["id"], limit=2) == []
    wrong = api.get("/v1/identities/", params={"after": made[4]["id"], "before": made[0]["id"]})
    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "'before' reference must be later than 'after' reference"}


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_unknown_or_deleted_cursor_is_404(api: Api, cursor: str) -> None:
    response = api.get("/v1/identities/", params={cursor: UNKNOWN_ID})
    assert response.status_code == 404
    assert response.json() == {"detail": f"No Identity found with id {UNKNOWN_ID}"}
    gone = api.create()
    api.delete(f"/v1/identities/{gone['id']}")
    response = api.get("/v1/identities/", params={cursor: gone["id"]})
    assert response.json() == {"detail": f"No Identity found with id {gone['id']}"}
    response = api.get("/v1/identities/", params={cursor: "not-even-an-id"})
    assert response.json() == {"detail": "No Identity found with id not-even-an-id"}


def test_a_cursor_need_not_match_the_filters(api: Api, five) -> None:
    project, made = five
    outsider = api.create()  # newer than all five, and in no project
    assert ids(api.listing(project_id=project, after=outsider["id"])) == ids(made[::-1])
    assert ids(api.listing(project_id=project, before=outsider["id"])) == []
    assert ids(api.listing(project_id=project, before=outsider["id"], order="asc")) == ids(made)


def test_limit_defaults_to_50_and_0_means_everything(api: Api, five) -> None:
    project, made = five
    for _ in range(20):  # others may write to a shared server between the calls; look for a quiet moment
        total = api.count()
        everything = api.listing(limit=0)
        default = api.listing()
        if len(everything) == total == api.count():
            break
    assert set(ids(made)) <= set(ids(everything))
    assert len(everything) == total
    assert len(default) == min(50, total)
    assert ids(api.listing(project_id=project, limit=0)) == ids(made[::-1])
    assert len(api.listing(project_id=project, limit=3)) == 3


def test_limit_minus_one_is_empty_and_lower_is_a_database_error(api: Api, five) -> None:
    project, _ = five
    assert api.listing(project_id=project, limit=-1) == []
    response = api.get("/v1/identities/", params={"project_id": project, "limit": -2})
    assert response.status_code == 500
    assert response.json() == {"detail": "A database error occurred."}


def test_name_is_a_case_insensitive_substring(api: Api) -> None:
    token = unique("zq").replace("-", "")
    made = api.create(name=f"Alice {token.upper()} Smith")
    api.create(name="Somebody Else")
    for needle in (token, token.upper(), token[2:8], f"alice {token}"):
        assert ids(api.listing(name=needle)) == [made["id"]]


def test_name_substring_with_unicode(api: Api) -> None:
    # Only ASCII letters are folded for sure: Postgres folds the rest only outside the C locale.
    token = unique("zq").replace("-", "")
    made = api.create(name=f"Zoë {token} Ünïcode 🚀")
    assert ids(api.listing(name=f"ZOë {token.upper()} Ünïcode 🚀")) == [made["id"]]
    assert ids(api.listing(name="ë " + token)) == [made["id"]]


def test_identifier_key_is_exact(api: Api) -> None:
    made = api.create()
    assert ids(api.listing(identifier_key=made["identifier_key"])) == [made["id"]]
    assert api.listing(identifier_key=made["identifier_key"][:-1]) == []
    assert api.listing(identifier_key=made["identifier_key"].upper()) == []


def test_project_id_is_exact(api: Api, five) -> None:
    project, made = five
    assert api.listing(project_id=project[:-1]) == []
    assert len(api.listing(project_id=project)) == 5


def test_identity_type_filters_exactly(api: Api) -> None:
    project = unique("proj")
    org = api.create(project_id=project, identity_type="org")
    user = api.create(project_id=project, identity_type="user")
    other = api.create(project_id=project, identity_type="other")
    assert ids(api.listing(project_id=project, identity_type="org")) == [org["id"]]
    assert ids(api.listing(project_id=project, identity_type="user")) == [user["id"]]
    assert ids(api.listing(project_id=project, identity_type="other")) == [other["id"]]


def test_filters_combine(api: Api) -> None:
    project = unique("proj")
    token = unique("zq").replace("-", "")
    hit = api.create(project_id=project, identity_type="org", name=f"{token} Corp")
    api.create(project_id=project, identity_type="user", name=f"{token} Person")
    api.create(identity_type="org", name=f"{token} Elsewhere")
    assert ids(api.listing(project_id=project, identity_type="org", name=token)) == [hit["id"]]


def test_empty_filters_filter_nothing(api: Api, five) -> None:
    project, made = five
    rows = api.listing(project_id=project, name="", identifier_key="")
    assert ids(rows) == ids(made[::-1])


@pytest.mark.parametrize("params,error", [
    ({"identity_type": "bogus"}, {"type": "enum", "loc": ("query", "identity_type"),
                                  "msg": "Input should be 'org', 'user' or 'other'", "input": "bogus",
                                  "ctx": {"expected": "'org', 'user' or 'other'"}}),
    ({"limit": "abc"}, {"type": "int_parsing", "loc": ("query", "limit"),
                        "msg": "Input should be a valid integer, unable to parse string as an integer",
                        "input": "abc"}),
    ({"order": "sideways"}, {"type": "literal_error", "loc": ("query", "order"),
                             "msg": "Input should be 'asc' or 'desc'", "input": "sideways",
                             "ctx": {"expected": "'asc' or 'desc'"}}),
    ({"order_by": "name"}, {"type": "literal_error", "loc": ("query", "order_by"),
                            "msg": "Input should be 'created_at'", "input": "name",
                            "ctx": {"expected": "'created_at'"}}),
])
def test_bad_query_values_are_422(api: Api, params: dict, error: dict) -> None:
    response = api.get("/v1/identities/", params=params)
    assert response.status_code == 422
    assert response.json() == {"trace_id": "", "detail": repr([error])}


def test_all_bad_query_values_are_reported_together(api: Api) -> None:
    response = api.get("/v1/identities/", params={"order": "x", "limit": "y", "identity_type": "z"})
    assert [(e["type"], e["loc"]) for e in errors_of(response)] == [
        ("enum", ("query", "identity_type")),
        ("int_parsing", ("query", "limit")),
        ("literal_error", ("query", "order")),
    ]


@pytest.mark.parametrize("text,value", [("7", 7), (" 7 ", 7), ("7.0", 7), ("+7", 7), ("0_7", 7)])
def test_limit_is_parsed_like_pydantic(api: Api, five, text: str, value: int) -> None:
    project, _ = five
    assert len(api.listing(project_id=project, limit=text)) == min(value, 5)


def test_identities_in_lists_have_the_full_shape(api: Api, five) -> None:
    project, made = five
    assert api.listing(project_id=project, order="asc") == made
