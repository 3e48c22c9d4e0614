"""Saves end to end: plan an edit, send the plan with the core client, read the identity back.

Each scenario runs on the sandbox and, with ``LETTA_CONTRACT_URL`` set, on a real Letta server. For
every one: the identity read back is the draft, exactly the planned requests were sent, and
``apply_to`` predicted every answer the server gave (so the planner's model of the server holds).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from identity_tui.core.errors import AlreadyExists, NotFound
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.diff import held_otherwise

from .helpers import Backend, assert_landed, dprop, prop, save, state

LONG = "0123456789" * 1000
UNICODE = "Zoë ✓ 日本語 𝄞 \"quoted\" back\\slash\ttab\nnewline"


@dataclass(frozen=True)
class Scenario:
    """An identity as created, the edit made to it, and the requests the plan must be."""

    id: str
    before: tuple[dict[str, Any], ...]
    after: tuple[DraftProperty, ...] | None  # None: the properties are left as they are
    plan: tuple[str, ...]
    scalars: dict[str, Any] = field(default_factory=dict)  # "identifier_key": None = a fresh key


S = Scenario
A = prop("a", "string", "alpha")
B = prop("b", "number", 2)
C = prop("c", "boolean", True)
DA, DB, DC = dprop("a", "string", "alpha"), dprop("b", "number", 2), dprop("c", "boolean", True)

SCENARIOS = [
    # one property type at a time
    S("string", (prop("email", "string", "a@x.org"), A), (dprop("email", "string", "b@x.org"), DA), ("PATCH",)),
    S("number-int", (prop("age", "number", 30),), (dprop("age", "number", 31),), ("PATCH",)),
    S("number-float", (prop("score", "number", 1.5),), (dprop("score", "number", 2.25),), ("PATCH",)),
    S("number-int-to-float", (prop("n", "number", 1), A), (dprop("n", "number", 1.5), DA), ("PATCH",)),
    S("boolean", (prop("active", "boolean", True),), (dprop("active", "boolean", False),), ("PATCH",)),
    S(
        "json",
        (prop("meta", "json", {"a": 1, "tags": ["x"]}),),
        (dprop("meta", "json", {"a": 2, "tags": ["x", "y"], "deep": {"k": None, "f": 0.5}}),),
        ("PATCH",),
    ),
    S("string-long-unicode", (A,), (dprop("a", "string", LONG + UNICODE),), ("PATCH",)),
    # adding
    S("add-to-empty", (), (dprop("x", "string", "new"),), ("PATCH",)),
    S("add-at-end", (A,), (DA, dprop("b", "number", 7)), ("PATCH",)),
    S("add-and-change", (A, B), (dprop("a", "string", "beta"), DB, DC), ("PATCH",)),
    # a Python-equal change rides along with a real one: the whole list differs, so it lands
    S("one-to-one-point-zero-with-other-change", (prop("n", "number", 1), A),
      (dprop("n", "number", 1.0), dprop("a", "string", "beta")), ("PATCH",)),
    # changing type
    S("type-string-to-number", (prop("n", "string", "1"),), (dprop("n", "number", 1),), ("PATCH",)),
    S("type-boolean-to-number", (prop("f", "boolean", True),), (dprop("f", "number", 1),), ("PATCH",)),
    S("type-number-to-json", (prop("v", "number", 3),), (dprop("v", "json", {"v": 3}),), ("PATCH",)),
    # what only a full replacement can do
    S("remove", (A, B, C), (DA, DC), ("PUT",)),
    S("remove-all", (A, B), (), ("PUT",)),
    S("rename", (A, B), (dprop("a2", "string", "alpha"), DB), ("PUT",)),
    S("reorder", (A, B, C), (DC, DA, DB), ("PUT",)),
    S("insert-in-the-middle", (A, C), (DA, DB, DC), ("PUT",)),
    S("remove-and-change", (A, B), (dprop("a", "string", "beta"),), ("PUT",)),
    S("stored-duplicates", (prop("d", "number", 1), A, prop("d", "number", 2)),
      (dprop("d", "number", 2), DA), ("PUT",)),
    # scalars only
    S("name", (A,), None, ("PATCH",), {"name": "Renamed ✓"}),
    S("identifier-key", (A,), None, ("PATCH",), {"identifier_key": None}),
    S("identity-type", (A,), None, ("PATCH",), {"identity_type": "org"}),
    S("all-scalars-and-a-value", (A, B), (DA, dprop("b", "number", -0.5)), ("PATCH",),
      {"name": "N", "identifier_key": None, "identity_type": "other"}),
    # mixed: scalars by PATCH, then the list by PUT
    S("mixed-name-and-remove", (A, B), (DB,), ("PATCH", "PUT"), {"name": "Renamed"}),
    S("mixed-key-reorder-change", (A, B, C), (DC, dprop("b", "number", 3.5), DA), ("PATCH", "PUT"),
      {"identifier_key": None, "identity_type": "org"}),
    # nothing
    S("no-op", (A, B, C), None, ()),
]


def draft_for(backend: Backend, original, scenario: Scenario) -> Draft:
    draft = Draft.of(original)
    if scenario.after is not None:
        draft = replace(draft, properties=scenario.after)
    scalars = dict(scenario.scalars)
    if "identifier_key" in scalars and scalars["identifier_key"] is None:
        scalars["identifier_key"] = backend.key("renamed")
    return replace(draft, **scalars)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_save_lands(backend: Backend, scenario: Scenario) -> None:
    original = await backend.create(scenario.before)
    draft = draft_for(backend, original, scenario)

    outcome = await save(backend, original, draft)

    assert tuple(r.method for r in outcome.plan.requests) == scenario.plan
    assert_landed(outcome, draft)
    assert outcome.readback.project_id == original.project_id
    if not scenario.plan:
        assert backend.writes() == []
        assert state(outcome.readback) == state(original)


async def test_clash_on_identifier_key_leaves_identity_unchanged(backend: Backend) -> None:
    project = backend.key("project")
    taken = await backend.create([A], identifier_key=backend.key("taken"), project_id=project)
    original = await backend.create([A, B], name="Bob", project_id=project)
    draft = replace(Draft.of(original), identifier_key=taken.identifier_key, name="Bobby")

    outcome = await save(backend, original, draft)

    assert [r.method for r in outcome.plan.requests] == ["PATCH"]
    assert isinstance(outcome.error, AlreadyExists) and outcome.error.status == 409
    assert state(outcome.readback) == state(original)
    assert held_otherwise(outcome.readback, draft) == ["name", "identifier_key"]


async def test_clash_stops_a_mixed_save_before_its_put(backend: Backend) -> None:
    project = backend.key("project")
    taken = await backend.create([], identifier_key=backend.key("taken"), project_id=project)
    original = await backend.create([A, B, C], project_id=project)
    draft = replace(Draft.of(original), identifier_key=taken.identifier_key, properties=(DC, DA))

    outcome = await save(backend, original, draft)

    assert [r.method for r in outcome.plan.requests] == ["PATCH", "PUT"]
    assert isinstance(outcome.error, AlreadyExists)
    assert [s.method for s in backend.writes()] == ["PATCH"]
    assert state(outcome.readback) == state(original)


async def test_same_key_in_another_project_is_no_clash(backend: Backend) -> None:
    taken = await backend.create([], identifier_key=backend.key("taken"), project_id=backend.key("p1"))
    original = await backend.create([A], project_id=backend.key("p2"))
    draft = replace(Draft.of(original), identifier_key=taken.identifier_key)

    assert_landed(await save(backend, original, draft), draft)


@pytest.mark.parametrize(
    "edit, methods",
    [
        (lambda d: replace(d, name="Gone"), ["PATCH"]),
        (lambda d: replace(d, properties=d.properties[1:]), ["PUT"]),
        (lambda d: replace(d, name="Gone", properties=d.properties[::-1]), ["PATCH", "PUT"]),
    ],
    ids=["patch", "put", "patch-then-put"],
)
async def test_save_to_a_deleted_identity_is_not_found(backend: Backend, edit, methods) -> None:
    original = await backend.create([A, B])
    await backend.client.delete(original.id)
    draft = edit(Draft.of(original))

    outcome = await save(backend, original, draft)

    assert [r.method for r in outcome.plan.requests] == methods
    assert isinstance(outcome.error, NotFound) and outcome.error.status == 404
    assert [s.method for s in backend.writes()] == methods[:1]
    assert outcome.responses == []
    assert outcome.readback is None


@pytest.mark.parametrize(
    "before, after",
    [
        (prop("n", "number", 1), dprop("n", "number", 1.0)),
        (prop("n", "number", 1.0), dprop("n", "number", 1)),
        (prop("f", "number", True), dprop("f", "number", 1)),
        (prop("j", "json", {"a": 1}), dprop("j", "json", {"a": 1.0})),
    ],
    ids=["1-to-1.0", "1.0-to-1", "true-to-1", "json-1-to-1.0"],
)
async def test_python_equal_change_alone_cannot_land(backend: Backend, before, after) -> None:
    """Neither PATCH nor PUT saves it (see test_server_quirks): the plan stays one PATCH, the
    prediction says nothing changes, and ``held_otherwise`` names the property after the save."""
    original = await backend.create([before])
    draft = replace(Draft.of(original), properties=(after,))

    outcome = await save(backend, original, draft)

    assert [r.method for r in outcome.plan.requests] == ["PATCH"]
    assert outcome.error is None
    assert state(outcome.predictions[0]) == state(original)
    assert state(outcome.readback) == state(original)
    assert held_otherwise(outcome.readback, draft) == [f"properties.{after.key}"]


async def test_negative_zero_counts_as_no_change(backend: Backend) -> None:
    """``0.0`` -> ``-0.0`` is equal for the planner too: nothing is sent and the draft matches."""
    original = await backend.create([prop("n", "number", 0.0)])
    draft = replace(Draft.of(original), properties=(dprop("n", "number", -0.0),))

    outcome = await save(backend, original, draft)

    assert outcome.plan.empty and backend.writes() == []
    assert_landed(outcome, draft)
