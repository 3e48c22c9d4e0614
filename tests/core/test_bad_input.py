"""Hostile input in every field and every property type: a clear error and nothing sent, or sent and read back exactly.

Each text goes the way the form takes it (typed text -> ``read_text``/``convert`` -> ``FormValues``), then
either ``errors()`` names the field and nothing is planned, or the planned requests go through the core
client to the sandbox and the read-back equals what was typed, with its Python type. Below the table: no
nesting depth crashes anything (JSON parsing, validation, comparison, planning, display, the client), and
hypothesis round-trips every valid typed value through its text.
"""

from __future__ import annotations

import json
import math
import sys

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import BadRequestBody, ClientOptions
from identity_tui.core.errors import BadResponse, error_for_status
from identity_tui.core.form import FormValues, RowValues, Unparsed, convert, json_text, read_switch, read_text, value_text
from identity_tui.core.jsontext import depth, dumps
from identity_tui.core.kinds import PropertyType
from identity_tui.core.models import Identity, same_value, value_error
from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.diff import held_otherwise
from identity_tui.core.planner import WIRE_DEPTH_MAX, plan_save, validate_draft
from identity_tui.sandbox import Sandbox
from tests.support.hostile import ERROR_FIELD, ERRORS, FIELDS, TEXTS, nested, nested_text

S, N, B, J = PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON
ID = "identity-00000000-0000-4000-8000-0000000bad00"
ORIGINAL = {
    "id": ID,
    "identifier_key": "bad-input",
    "name": "Bad Input",
    "identity_type": "user",
    "project_id": None,
    "properties": [{"key": "keep", "value": "kept", "type": "string"}],
}


def form_with(field: str, text: str) -> tuple[FormValues, object]:
    """The form of ORIGINAL with ``text`` typed into ``field`` (a value goes into a second row, key ``v``);
    returns the form and the value the text should read back as."""
    keep = RowValues("keep", S, "kept", DraftProperty("keep", S, "kept"))
    name, key, rows = ORIGINAL["name"], ORIGINAL["identifier_key"], [keep]
    expected: object = text
    if field == "name":
        name = text
    elif field == "identifier_key":
        key = text
    elif field == "property-key":
        rows.append(RowValues(text, S, "value"))
    elif field == "boolean":
        # A switch takes no text: text reaches a boolean row only when a row's type is changed to boolean.
        rows.append(RowValues("v", B, convert(text, B)))
    else:
        ptype = {"string": S, "number": N, "json": J}[field]
        value = read_text(ptype, text)
        rows.append(RowValues("v", ptype, value))
        expected = value
    return FormValues(name, key, "user", None, tuple(rows)), expected


async def send_and_read(draft: Draft) -> tuple[Identity, list]:
    sandbox = Sandbox(path=":memory:")
    sandbox.store.insert(json.loads(json.dumps(ORIGINAL)))
    client = LettaClient("http://sandbox.invalid", transport=sandbox.transport(), options=ClientOptions(retries=0))
    try:
        original = await client.get(ID)
        plan = plan_save(original, draft)
        assert plan.ok and not plan.empty, plan.errors
        for request in plan.requests:
            if request.method == "PATCH":
                await client.update(ID, request.body)
            else:
                await client.replace_properties(ID, request.body)
        return await client.get(ID), [r for r in sandbox.request_log if r.method != "GET"]
    finally:
        await client.aclose()
        sandbox.close()


def strictly(value: object) -> object:
    """A value with its types spelt out: 0 and -0.0, 1 and 1.0, True and 1 never compare equal."""
    if isinstance(value, dict):
        return ("dict", [(k, strictly(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [strictly(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


CASES = [pytest.param(f, i, id=f"{f}-{i}") for f in FIELDS for i in TEXTS]


@pytest.mark.parametrize(("field", "name"), CASES)
async def test_each_input_in_each_field_is_refused_clearly_or_read_back_exactly(field, name):
    values, expected = form_with(field, TEXTS[name])
    errors = values.errors()
    words = ERRORS.get((field, name))
    if words is not None:
        assert errors, f"{field} accepted {name!r}"
        first = errors[0]
        assert words.lower() in first.message.lower(), first.message
        assert first.field == ERROR_FIELD.get(field, "properties.1.value")
        assert first.message.endswith(".")
        assert "\x00" not in first.message and "\x1b" not in first.message
        return
    assert errors == [], errors
    draft = values.draft()
    back, writes = await send_and_read(draft)
    assert writes, "nothing was sent"
    assert held_otherwise(back, draft) == []
    if field == "name":
        assert back.name == TEXTS[name]
    elif field == "identifier_key":
        assert back.identifier_key == TEXTS[name]
    elif field == "property-key":
        assert [p.key for p in back.properties] == ["keep", TEXTS[name]]
    else:
        prop = back.properties[1]
        assert strictly(prop.value) == strictly(expected)
        assert prop.type is {"string": S, "number": N, "json": J}[field]


def test_the_table_covers_every_field_and_input_and_names_no_unknown_case():
    assert {f for f, _ in ERRORS} <= set(FIELDS)
    assert {i for _, i in ERRORS} <= set(TEXTS)


@pytest.mark.parametrize(("text", "value"), [("-0", 0), ("-0.0", -0.0), (str(2**53 + 1), 2**53 + 1), ("1e308", 1e308)])
def test_numbers_keep_their_kind_and_sign(text, value):
    got = read_text(N, text)
    assert strictly(got) == strictly(value)


# -- depth: nothing recurses once per level -------------------------------------------------------


def under_a_deep_stack(frames: int, call):
    """Run ``call`` with ``frames`` frames already on the stack, as under a Textual handler or worker."""
    if frames <= 0:
        return call()
    return under_a_deep_stack(frames - 1, call)


DEEP = nested(1000)
STACK = sys.getrecursionlimit() - 300


def test_a_thousand_levels_crash_nothing_in_the_core():
    def everything():
        assert same_value(DEEP, nested(1000))
        assert not same_value(DEEP, nested(999))
        assert value_error(J, DEEP) is None
        assert depth(DEEP) == 1000
        text = json_text(DEEP)
        assert text.count("\n") == 2 * 999
        assert value_text(J, DEEP) == text
        assert dumps(DEEP).count("{") == 1000
        draft = Draft("n", "k", "user", (DraftProperty("v", J, DEEP),))
        errors = validate_draft(draft)
        assert [e.field for e in errors] == ["properties.0.value"]
        assert f"nested more than {WIRE_DEPTH_MAX} levels deep" in errors[0].message
        original = Identity(id=ID, identifier_key="k", name="n", identity_type="user")
        assert not plan_save(original, draft).ok
        error = error_for_status(400, {"detail": DEEP})
        assert error.message.startswith("The server refused the request")
        return True

    assert under_a_deep_stack(STACK, everything)


def test_typed_json_a_thousand_levels_deep_is_an_error_not_a_crash():
    def parse():
        return read_text(J, nested_text(1000))

    value = under_a_deep_stack(STACK, parse)
    assert isinstance(value, Unparsed) and "nested more than" in value.error


async def test_the_client_refuses_to_send_a_body_too_deep_to_encode():
    sent = []
    client = LettaClient("http://letta.test", transport=httpx.MockTransport(lambda r: sent.append(r)),
                         options=ClientOptions(retries=0))
    try:
        with pytest.raises(BadRequestBody, match="nothing was sent"):
            await client.update(ID, {"properties": [{"key": "v", "type": "json", "value": nested(5000)}]})
    finally:
        await client.aclose()
    assert sent == []


async def test_an_answer_too_deep_to_decode_is_a_bad_response():
    raw = ('{"id": "%s", "identifier_key": "k", "name": "n", "identity_type": "user", "properties": '
           '[{"key": "v", "type": "json", "value": %s}]}') % (ID, nested_text(5000))
    client = LettaClient("http://letta.test", transport=httpx.MockTransport(
        lambda r: httpx.Response(200, content=raw.encode(), headers={"content-type": "application/json"})),
        options=ClientOptions(retries=0))
    try:
        with pytest.raises(BadResponse, match="nested too deeply"):
            await client.get(ID)
    finally:
        await client.aclose()


def test_json_text_writes_exactly_what_json_dumps_writes():
    sample = {"b": [1, 2.5, {"z": None, "y": True}], "a": {}, "c": [], "s": "日本 \u00e9", "n": -0.0}
    for indent in (None, 2):
        assert dumps(sample, indent=indent) == json.dumps(sample, indent=indent, ensure_ascii=False)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 2]))
def test_dumps_equals_json_dumps_for_any_value(value, indent):
    assert dumps(value, indent=indent) == json.dumps(value, indent=indent, ensure_ascii=False)


# -- hypothesis: typed value -> text in the form -> parsed back, type kept ---------------------------

wire_ints = st.integers(-(2**63), 2**64 - 1)
finite = st.floats(allow_nan=False, allow_infinity=False)
objects = st.dictionaries(st.text(max_size=6), st.recursive(
    st.none() | st.booleans() | wire_ints | finite | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=15,
), max_size=5)


@settings(max_examples=500, deadline=None)
@given(st.one_of(
    st.tuples(st.just(S), st.text()),
    st.tuples(st.just(N), st.one_of(wire_ints, finite)),
    st.tuples(st.just(B), st.booleans()),
    st.tuples(st.just(J), objects),
))
def test_any_valid_typed_value_survives_its_text_in_the_form(typed):
    ptype, value = typed
    if ptype is B:
        back = read_switch(value)
    else:
        text = value_text(ptype, value)
        back = read_text(ptype, text)
        assert "\x1b" not in (text if ptype is J else "")  # the JSON editor never holds raw escapes
    assert not isinstance(back, Unparsed), back
    assert strictly(back) == strictly(value)
    assert value_error(ptype, back) is None


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(max_size=30), key=st.text(max_size=30),
    rows=st.lists(st.tuples(st.text(max_size=8), st.sampled_from([S, N, B, J]), st.text(max_size=20)), max_size=4),
)
def test_any_text_anywhere_gives_errors_or_a_plan_never_an_exception(name, key, rows):
    original = Identity.model_validate(ORIGINAL)
    row_values = tuple(
        RowValues(k, t, read_switch(text == "on") if t is B else read_text(t, text)) for k, t, text in rows
    )
    values = FormValues(name, key, "user", None, row_values)
    errors = values.errors()
    plan = plan_save(original, values.draft())
    if errors:
        # The form's own rules go further than the planner's: a value that does not parse, a key typed blank
        # (the server holds a blank key, so the planner lets one through).
        assert not plan.ok or any(isinstance(r.value, Unparsed) or not r.key.strip() for r in row_values)
        for error in errors:
            assert error.message.endswith(".") and "\n" not in error.message
    else:
        assert plan.ok
        for request in plan.requests:
            json.dumps(request.body, allow_nan=False)  # every planned body can go on the wire
            assert not any(isinstance(v, float) and not math.isfinite(v) for v in _leaves(request.body))


def _leaves(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item


def test_the_sandbox_answers_a_body_nested_past_the_parser_instead_of_crashing():
    sandbox = Sandbox(path=":memory:")
    raw = '{"identifier_key": "d", "name": "D", "identity_type": "user", "properties": [{"key": "k", "type": "json", ' \
          '"value": %s}]}' % nested_text(5000)
    try:
        with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.invalid") as client:
            response = client.post("/v1/identities/", content=raw.encode())
        assert response.status_code >= 400  # refused (the real server: 400), never an exception
        assert sandbox.count() == 0
    finally:
        sandbox.close()
