"""What Letta 0.16.8 really does with values that are equal in Python but not on the wire, pinned.

Measured on a real Letta 0.16.8 server (PostgreSQL 15) and on the sandbox; each finding below has
tests here that run on both, with the same assertions (the sandbox behaves the same).

1. The "Python-equal change is dropped" rule is decided for the WHOLE property list, not per property.
   The server builds the new list (PATCH: ``{k: stored} | {k: sent}``; PUT: the sent list) and the ORM
   writes the column only when ``new_list != stored_list`` by Python's ``==``. So:
   - PATCH ``n: 1 -> 1.0`` (type number) alone: 200, response and read-back still ``1``.
     Same for ``1.0 -> 1``, ``True -> 1`` when the stored type is already ``number``, ``0.0 -> -0.0``,
     json ``{"a": 1} -> {"a": 1.0}`` and a json object whose keys are only reordered.
   - ``True -> 1`` with the type staying ``boolean``: dropped too (the client never sends that).
   - PATCH ``n: 1 -> 1.0`` together with a real change to another property in the same PATCH: BOTH
     land (read back ``1.0``). Same when the PATCH also appends a new key.
   - PATCH ``n: 1 -> 1.0`` together with only a scalar change (``name``): the name lands, ``n`` stays ``1``.
   - PUT ``/{id}/properties`` with the full list differing only by ``1 -> 1.0``: 200, NOT saved either.
     With a reorder or another real change in the same PUT it lands.
   - So a lone Python-equal change cannot be saved by any single request; the plan stays one PATCH,
     ``apply_to`` predicts "unchanged", and ``held_otherwise`` reports the property after the save.
2. A type change with a Python-equal value lands, since the property dicts differ in ``type``:
   ``"1"`` string -> ``1`` number, ``True`` boolean -> ``1`` number, ``1`` number -> ``1`` with type string.
3. Any PATCH carrying ``properties`` (even ``[]``) collapses stored duplicate keys (first place, last
   value), because the rebuilt list then differs; a PATCH without ``properties`` leaves them alone.
4. Round trip is exact (value and Python type; json key order kept) for ``1e20``, ``0.1``, ``-0.0``,
   ``1/3``, ``5e-324``, the largest float, ``2**53+1``, ``-2**63``, ``2**63-1``, ``2**64-1``, a
   10,000-character string, unicode (accents, CJK, astral plane, NUL, quotes, backslash, control
   characters), ``""``, ``{}`` and nested json with lists, null, booleans, floats and ``-0.0``.
   On the wire the server writes floats with orjson (``1e20``, ``1.7976931348623157e308``) where the
   sandbox writes Python's ``1e+20``; equal as JSON numbers, so only the raw text differs.
5. Integers outside ``-2**63 .. 2**64-1`` (orjson's range) are stored, but the answer fails:
   POST/PATCH/PUT answer 500 ``{"detail":"An unknown error occurred"}`` with the write committed,
   and from then on every GET of that identity and every list page holding it answers 500 (the
   server also drops the kept-alive connection after it), until the property is replaced or the
   identity deleted. The planner now refuses such drafts.
6. Lone surrogates (``"\\ud800"`` as a JSON escape): in a property value or key the server answers
   200 and they are gone on read-back (``"a\\ud800b"`` -> ``"ab"``); in ``name`` it answers 500
   ``{"detail":"A database error occurred."}`` and saves nothing. The core client cannot even encode
   them (``UnicodeEncodeError``), so the planner now refuses them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from identity_tui.core import transaction
from identity_tui.core.paths import identity_path
from identity_tui.core.models import Identity
from identity_tui.core.draft import Draft
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import (
    PlannedRequest,
    apply_to,
    plan_create,
    plan_save,
    validate_draft,
)

from .helpers import Backend, dprop, prop, state, strict


async def patch(backend: Backend, original: Identity, body: dict[str, Any]) -> Identity:
    """PATCH with the core client; check apply_to's prediction and that the read-back is the answer."""
    answer = await backend.client.update(original.id, body)
    predicted = apply_to(original, PlannedRequest("PATCH", identity_path(original.id), body))
    assert state(answer) == state(predicted)
    assert state(await backend.client.get(original.id)) == state(answer)
    return answer


async def put(backend: Backend, original: Identity, properties: list[dict[str, Any]]) -> Identity:
    """PUT the whole list with the core client, with the same checks."""
    answer = await backend.client.replace_properties(original.id, properties)
    predicted = apply_to(original, PlannedRequest("PUT", identity_path(original.id, "/properties"), properties))
    assert state(answer) == state(predicted)
    assert state(await backend.client.get(original.id)) == state(answer)
    return answer


def props_of(identity: Identity) -> str:
    return strict([p.wire() for p in identity.properties])


# -- 1. Python-equal changes are dropped, decided for the whole list ------------------------------

EQUAL_CHANGES = [
    pytest.param(prop("n", "number", 1), prop("n", "number", 1.0), id="1-to-1.0"),
    pytest.param(prop("n", "number", 1.0), prop("n", "number", 1), id="1.0-to-1"),
    pytest.param(prop("b", "boolean", True), prop("b", "boolean", 1), id="true-to-1-boolean"),
    pytest.param(prop("b", "number", True), prop("b", "number", 1), id="true-to-1-number"),
    pytest.param(prop("z", "number", 0.0), prop("z", "number", -0.0), id="0.0-to--0.0"),
    pytest.param(prop("j", "json", {"a": 1}), prop("j", "json", {"a": 1.0}), id="json-1-to-1.0"),
    pytest.param(prop("j", "json", {"a": 1, "b": 2}), prop("j", "json", {"b": 2, "a": 1}), id="json-key-order"),
]


@pytest.mark.parametrize("stored, sent", EQUAL_CHANGES)
async def test_patch_of_a_python_equal_value_alone_is_dropped(backend: Backend, stored, sent) -> None:
    original = await backend.create([stored])
    answer = await patch(backend, original, {"properties": [sent]})
    assert props_of(answer) == strict([stored])


@pytest.mark.parametrize("stored, sent", EQUAL_CHANGES)
async def test_put_of_a_list_differing_only_by_python_equal_values_is_dropped(backend: Backend, stored, sent) -> None:
    other = prop("s", "string", "a")
    original = await backend.create([stored, other])
    answer = await put(backend, original, [sent, other])
    assert props_of(answer) == strict([stored, other])


async def test_python_equal_value_lands_with_another_changed_property(backend: Backend) -> None:
    original = await backend.create([prop("n", "number", 1), prop("s", "string", "a")])
    answer = await patch(backend, original, {"properties": [prop("n", "number", 1.0), prop("s", "string", "b")]})
    assert props_of(answer) == strict([prop("n", "number", 1.0), prop("s", "string", "b")])


async def test_python_equal_value_lands_with_an_appended_property(backend: Backend) -> None:
    original = await backend.create([prop("n", "number", 1)])
    answer = await patch(backend, original, {"properties": [prop("n", "number", 1.0), prop("x", "string", "y")]})
    assert props_of(answer) == strict([prop("n", "number", 1.0), prop("x", "string", "y")])


async def test_python_equal_value_does_not_ride_on_a_scalar_change(backend: Backend) -> None:
    original = await backend.create([prop("n", "number", 1)], name="Before")
    answer = await patch(backend, original, {"name": "After", "properties": [prop("n", "number", 1.0)]})
    assert answer.name == "After"
    assert props_of(answer) == strict([prop("n", "number", 1)])


@pytest.mark.parametrize(
    "tail, expected",
    [
        pytest.param(
            [prop("s", "string", "b")], [prop("n", "number", 1.0), prop("s", "string", "b")], id="with-change"
        ),
        pytest.param(None, None, id="with-reorder"),
    ],
)
async def test_put_with_python_equal_value_lands_when_the_list_differs(backend: Backend, tail, expected) -> None:
    original = await backend.create([prop("n", "number", 1), prop("s", "string", "a")])
    if tail is None:  # reorder
        sent = [prop("s", "string", "a"), prop("n", "number", 1.0)]
    else:
        sent = [prop("n", "number", 1.0), *tail]
    answer = await put(backend, original, sent)
    assert props_of(answer) == strict(expected or sent)


async def test_planner_reaches_what_can_be_reached_and_reports_the_rest(backend: Backend) -> None:
    """With a real change alongside, the 1 -> 1.0 lands in one PATCH; alone, it is reported."""
    original = await backend.create([prop("n", "number", 1), prop("s", "string", "a")])
    both = replace(Draft.of(original), properties=(dprop("n", "number", 1.0), dprop("s", "string", "b")))
    plan = plan_save(original, both)
    assert [r.method for r in plan.requests] == ["PATCH"] and plan.put_reason is None
    outcome = await transaction.send(backend.client, transaction.SaveJob(plan, both, original))
    assert isinstance(outcome, transaction.Saved), outcome
    landed = await backend.client.get(original.id)
    assert held_otherwise(landed, both) == []

    alone = replace(Draft.of(landed), properties=(dprop("n", "number", 1), dprop("s", "string", "b")))
    plan = plan_save(landed, alone)
    assert [r.method for r in plan.requests] == ["PATCH"]
    assert state(apply_to(landed, plan.requests[0])) == state(landed)
    await backend.client.request(plan.requests[0].method, plan.requests[0].path, body=plan.requests[0].body)
    after = await backend.client.get(original.id)
    assert state(after) == state(landed)
    assert held_otherwise(after, alone) == ["properties.n"]


# -- 2. a type change with a Python-equal value lands ---------------------------------------------


@pytest.mark.parametrize(
    "stored, sent",
    [
        pytest.param(prop("n", "string", "1"), prop("n", "number", 1), id="string-1-to-number-1"),
        pytest.param(prop("n", "boolean", True), prop("n", "number", 1), id="boolean-true-to-number-1"),
        pytest.param(prop("n", "number", 1), prop("n", "string", 1), id="type-only-number-to-string"),
        pytest.param(prop("n", "number", 1.0), prop("n", "json", {"n": 1.0}), id="number-to-json"),
    ],
)
async def test_type_change_with_equal_value_lands(backend: Backend, stored, sent) -> None:
    original = await backend.create([stored])
    answer = await patch(backend, original, {"properties": [sent]})
    assert props_of(answer) == strict([sent])


# -- 3. stored duplicate keys ---------------------------------------------------------------------


async def test_any_patch_with_properties_collapses_stored_duplicates(backend: Backend) -> None:
    dupes = [prop("d", "number", 1), prop("e", "string", "x"), prop("d", "number", 2)]
    original = await backend.create(dupes)
    assert props_of(original) == strict(dupes)

    untouched = await patch(backend, original, {"name": "Renamed"})
    assert props_of(untouched) == strict(dupes)
    assert props_of(await patch(backend, untouched, {})) == strict(dupes)

    collapsed = await patch(backend, untouched, {"properties": []})
    assert props_of(collapsed) == strict([prop("d", "number", 2), prop("e", "string", "x")])


# -- 4. exact round trip --------------------------------------------------------------------------

NESTED = {
    "b": 1,
    "a": [1, 2.5, {"z": None, "y": True, "x": False}],
    "c": {"d": {"e": "f", "big": 1e20}},
    "f": 1.0,
    "nz": -0.0,
    "s": "日本 𝄞",
    "empty": {},
    "list": [],
}
ROUND_TRIP = [
    pytest.param(prop("v", "number", 1e20), id="1e20"),
    pytest.param(prop("v", "number", 0.1), id="0.1"),
    pytest.param(prop("v", "number", -0.0), id="-0.0"),
    pytest.param(prop("v", "number", 1 / 3), id="one-third"),
    pytest.param(prop("v", "number", 5e-324), id="smallest-float"),
    pytest.param(prop("v", "number", 1.7976931348623157e308), id="largest-float"),
    pytest.param(prop("v", "number", -1.5e-7), id="small-negative"),
    pytest.param(prop("v", "number", 2**53 + 1), id="2**53+1"),
    pytest.param(prop("v", "number", -(2**63)), id="-2**63"),
    pytest.param(prop("v", "number", 2**63 - 1), id="2**63-1"),
    pytest.param(prop("v", "number", 2**64 - 1), id="2**64-1"),
    pytest.param(prop("v", "string", "x" * 10_000), id="10000-chars"),
    pytest.param(prop("v", "string", "Zoë ✓ 日本語 𝄞 \u0000 \"q\" \\ \t\n\r\u2028 \u007f"), id="unicode"),
    pytest.param(prop("v", "string", ""), id="empty-string"),
    pytest.param(prop("v", "json", {}), id="empty-object"),
    pytest.param(prop("v", "json", NESTED), id="nested-json"),
    pytest.param(prop("v", "boolean", False), id="false"),
]


async def test_values_survive_create_and_read_exactly(backend: Backend) -> None:
    values = [dict(p.values[0], key=f"v{i}") for i, p in enumerate(ROUND_TRIP)]
    created = await backend.create(values)
    assert props_of(created) == strict(values)
    assert props_of(await backend.client.get(created.id)) == strict(values)


@pytest.mark.parametrize("value", ROUND_TRIP)
async def test_value_survives_a_planned_save_exactly(backend: Backend, value) -> None:
    original = await backend.create([prop("v", "string", "before"), prop("w", "number", 0)])
    row = dprop(value["key"], value["type"], value["value"])
    draft = replace(Draft.of(original), properties=(row, dprop("w", "number", 0)))
    plan = plan_save(original, draft)
    assert plan.ok and [r.method for r in plan.requests] == ["PATCH"]
    await backend.client.request("PATCH", plan.requests[0].path, body=plan.requests[0].body)
    readback = await backend.client.get(original.id)
    assert held_otherwise(readback, draft) == []
    assert props_of(readback) == strict([value, prop("w", "number", 0)])


async def test_raw_answer_parses_back_to_the_same_numbers(backend: Backend) -> None:
    """The raw text may spell floats differently (orjson ``1e20``, sandbox ``1e+20``), never the value."""
    created = await backend.create([prop("v", "json", NESTED)])
    async with backend.raw() as raw:
        text = (await raw.get(f"/v1/identities/{created.id}")).text
    assert strict(json.loads(text)["properties"][0]["value"]) == strict(NESTED)


# -- 5. integers beyond 64 bits break every later read --------------------------------------------


async def test_integer_beyond_64_bits_is_stored_and_breaks_reads(backend: Backend) -> None:
    original = await backend.create([prop("ok", "number", 1)])
    path = f"/v1/identities/{original.id}"
    async with backend.raw() as raw:
        try:
            written = await raw.patch(path, json={"properties": [prop("big", "number", 2**64)]})
            broken = await raw.get(path)
        finally:
            # Repair at once: on a shared server this identity breaks everyone's list.
            repaired = await raw.put(f"{path}/properties", json=[prop("ok", "number", 1)])
    assert (written.status_code, written.json()) == (500, {"detail": "An unknown error occurred"})
    assert broken.status_code == 500
    assert repaired.status_code == 200
    assert props_of(await backend.client.get(original.id)) == strict([prop("ok", "number", 1)])


@pytest.mark.parametrize(
    "value, ok",
    [
        (2**64 - 1, True),
        (-(2**63), True),
        (2**64, False),
        (-(2**63) - 1, False),
        ({"a": [1, {"b": 2**64}]}, False),
        ({"a": [1, {"b": 2**64 - 1}]}, True),
    ],
)
def test_planner_refuses_integers_the_server_cannot_answer(value, ok) -> None:
    type_ = "json" if isinstance(value, dict) else "number"
    draft = Draft("N", "key", "user", (dprop("v", type_, value),))
    errors = validate_draft(draft)
    assert (errors == []) is ok
    if not ok:
        assert [e.field for e in errors] == ["properties.0.value"]
        assert not plan_create(draft).ok


# -- 6. lone surrogates ---------------------------------------------------------------------------


async def test_lone_surrogates_vanish_from_properties_and_fail_in_name(backend: Backend) -> None:
    original = await backend.create([])
    path = f"/v1/identities/{original.id}"
    headers = {"Content-Type": "application/json"}
    async with backend.raw() as raw:
        try:
            body = b'{"properties":[{"key":"k\\ud800","value":"a\\udfffb","type":"string"}]}'
            value = await raw.patch(path, content=body, headers=headers)
            name = await raw.patch(path, content=b'{"name":"x\\ud800"}', headers=headers)
            readback = await raw.get(path)
        finally:
            await raw.put(f"{path}/properties", json=[])
    assert value.status_code == 200
    assert name.status_code == 500 and name.json() == {"detail": "A database error occurred."}
    assert readback.status_code == 200
    assert readback.json()["name"] == original.name
    assert readback.json()["properties"] == [prop("k", "string", "ab")]


@pytest.mark.parametrize(
    "draft, field",
    [
        (Draft("a\ud800", "key", "user"), "name"),
        (Draft("N", "k\udfff", "user"), "identifier_key"),
        (Draft("N", "key", "user", (dprop("k\ud800", "string", "v"),)), "properties.0.key"),
        (Draft("N", "key", "user", (dprop("k", "string", "a\ud800"),)), "properties.0.value"),
        (Draft("N", "key", "user", (dprop("k", "json", {"x\ud800": 1}),)), "properties.0.value"),
        (Draft("N", "key", "user", (dprop("k", "json", {"x": ["\udfff"]}),)), "properties.0.value"),
    ],
    ids=["name", "identifier_key", "key", "string-value", "json-key", "json-nested"],
)
def test_planner_refuses_lone_surrogates(draft: Draft, field: str) -> None:
    assert [e.field for e in validate_draft(draft)] == [field]
