"""Hostile input for every field and every property type, and what each must give: an error naming the field,
or (anything not listed) a value sent and read back exactly. Shared by the core and the interface tests."""

from __future__ import annotations

import json

from identity_tui.core.planner import WIRE_DEPTH_MAX


def nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def nested_text(levels: int) -> str:
    return '{"a": ' * (levels - 1) + "{}" + "}" * (levels - 1)


TEXTS = {
    "empty": "",
    "whitespace": " \t  ",
    "10000-chars": "x" * 10_000,
    "nul": "a\x00b",
    "controls": "a\x01\x07\x08\t\x1b\x7f\x9bb",
    "ansi": "\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07 \x1b[2J",
    "rich-markup": "[bold red]x[/] [link=https://e.vil]y[/link] [@click=app.quit]z[/]",
    "wide-combining": "日本語 👩\u200d👩\u200d👧 e\u0301 a\u0308\u0308 \u200b",
    "right-to-left": "\u202eabc\u202c שלום مرحبا \u2067x\u2069",
    "nan": "nan",
    "inf": "inf",
    "1e309": "1e309",
    "-0": "-0",
    "-0.0": "-0.0",
    "0x10": "0x10",
    "1_000": "1_000",
    "2**53+1": str(2**53 + 1),
    "2**64-1": str(2**64 - 1),
    "2**64": str(2**64),
    "10000-digits": "9" * 10_000,
    "json-array": "[1, 2]",
    "json-null": "null",
    "json-empty-object": "{}",
    f"json-{WIRE_DEPTH_MAX}-deep": nested_text(WIRE_DEPTH_MAX),
    f"json-{WIRE_DEPTH_MAX + 1}-deep": nested_text(WIRE_DEPTH_MAX + 1),
    "json-1000-deep": nested_text(1000),
    "json-1MB-object": json.dumps({"blob": "x" * 1_000_000, "n": [1, 2.5, None, True]}),
    "json-duplicate-key": '{"a": 1, "b": 2, "a": 3}',
    "json-nested-duplicate-key": '{"outer": {"k": 1, "k": 1}}',
}

FIELDS = ("name", "identifier_key", "property-key", "string", "number", "boolean", "json")

# Every outcome that is an error, as (field, input) -> words the message must hold; everything else is sent.
TEXT_REQUIRED = {"name": "Name is required", "identifier_key": "Identifier key is required",
                 "property-key": "Key is required"}
ERRORS: dict[tuple[str, str], str] = {}
for _field, _words in TEXT_REQUIRED.items():
    ERRORS[(_field, "empty")] = _words
    ERRORS[(_field, "whitespace")] = _words
ERRORS[("name", "nul")] = "Name cannot hold the NUL character"
ERRORS[("identifier_key", "nul")] = "Identifier key cannot hold the NUL character"
for _input in TEXTS:
    ERRORS[("boolean", _input)] = "Enter a value"  # only true/false convert to a boolean
    ERRORS[("number", _input)] = "number"
    if not _input.startswith("json-") or _input in ("json-array", "json-null"):
        ERRORS[("json", _input)] = "Line 1, column"  # a syntax error says where
ERRORS[("number", "empty")] = ERRORS[("number", "whitespace")] = "Enter a number"
ERRORS[("number", "1e309")] = "Too large"
ERRORS[("number", "10000-digits")] = "Too many digits"
ERRORS[("number", "2**64")] = "whole number from"
for _ok in ("-0", "-0.0", "2**53+1", "2**64-1"):
    del ERRORS[("number", _ok)]
ERRORS[("json", "empty")] = ERRORS[("json", "whitespace")] = "Enter a JSON object"
ERRORS[("json", "json-array")] = "not an array"
ERRORS[("json", "json-null")] = "not null"
ERRORS[("json", f"json-{WIRE_DEPTH_MAX + 1}-deep")] = f"nested more than {WIRE_DEPTH_MAX} levels deep"
ERRORS[("json", "json-1000-deep")] = f"nested more than {WIRE_DEPTH_MAX} levels deep"
ERRORS[("json", "json-duplicate-key")] = "key 'a' appears twice"
ERRORS[("json", "json-nested-duplicate-key")] = "key 'k' appears twice"
for _number in ("nan", "inf", "1e309", "-0", "-0.0", "2**53+1", "2**64-1", "2**64", "10000-digits"):
    ERRORS[("json", _number)] = "Must be a JSON object"
ERRORS[("json", "10000-digits")] = "too many digits"
ERRORS[("json", "nan")] = "Line 1, column 1"
ERRORS[("json", "inf")] = "Line 1, column 1"
ERRORS[("json", "rich-markup")] = "Line 1, column 2"

ERROR_FIELD = {"name": "name", "identifier_key": "identifier_key", "property-key": "properties.1.key"}
