"""Search by property: the ``--where`` grammar, checked against identities as the server sends them.

The server cannot filter on properties, so a property filter runs over the pages as they come.

    PATH=VALUE     equal (a number compares as a number, true/false as a boolean, else as text)
    PATH!=VALUE    not equal (an identity without PATH matches)
    PATH>N  PATH>=N  PATH<N  PATH<=N    numbers only: a value that is not a number never matches
    PATH~TEXT      contains TEXT, ignoring case (text values only)
    PATH?          has PATH
    !PATH          lacks PATH

PATH is a property key, then ``.`` and a key for each step into a json value: ``plan.tier``. A key
that holds a dot, a space or one of ``=!<>~?"`` is written in double quotes: ``"a.b".c``, with ``\\"``
for a quote inside. Spaces around the operator and the value are ignored (``plan = pro``); a value in
double quotes is taken as written (``note=" padded "``, ``\\"`` for a quote). Several filters must all
hold: given one by one, or in one text separated by ``;`` (``plan=pro; seats>=10``), as the app's
filters dialog takes them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

OPERATORS = ("!=", ">=", "<=", "=", ">", "<", "~")
SEPARATOR = ";"  # between expressions given in one text
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MISSING = object()


class WhereError(ValueError):
    """An expression that does not parse: the message says where and why."""


@dataclass(frozen=True)
class Where:
    """One parsed filter: ``path``, and the operator (``has``, ``lacks`` or one of ``OPERATORS``) and operand."""

    text: str
    path: tuple[str, ...]
    op: str
    operand: str = ""

    def __call__(self, identity: dict[str, Any]) -> bool:
        value = lookup(identity, self.path)
        if self.op == "has":
            return value is not _MISSING
        if self.op == "lacks":
            return value is _MISSING
        if self.op == "!=":
            return value is _MISSING or not _equal(value, self.operand)
        if value is _MISSING:
            return False
        if self.op == "=":
            return _equal(value, self.operand)
        if self.op == "~":
            return isinstance(value, str) and self.operand.casefold() in value.casefold()
        if not _is_number(value):
            return False
        bound = float(self.operand)
        return {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound}[self.op]


def lookup(identity: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` (a property key, then keys into json), or ``_MISSING``."""
    props = identity.get("properties") or []
    value: Any = _MISSING
    for prop in props:  # a key listed twice: the server's PATCH keeps the first place and the last value
        if isinstance(prop, dict) and prop.get("key") == path[0]:
            value = prop.get("value")
    for step in path[1:]:
        if not isinstance(value, dict) or step not in value:
            return _MISSING
        value = value[step]
    return value


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _equal(value: Any, operand: str) -> bool:
    if isinstance(value, bool):
        return operand.lower() in ("true", "false") and value == (operand.lower() == "true")
    if _is_number(value):
        return bool(_NUMBER.fullmatch(operand)) and value == float(operand)
    if isinstance(value, str):
        return value == operand
    return False


def parse(text: str) -> Where:
    """One ``--where`` expression; ``WhereError`` names what is wrong."""
    source = text.strip()
    if not source:
        raise WhereError("An empty --where: write KEY=VALUE, KEY?, !KEY or KEY>=N.")
    if source.startswith("!") and not source.startswith("!="):
        path, rest = _path(source[1:], text)
        if rest.strip():
            raise WhereError(f"--where {text!r}: nothing may follow !KEY (found {rest.strip()!r}).")
        return Where(text, path, "lacks")
    path, rest = _path(source, text)
    if rest.strip() == "?":
        return Where(text, path, "has")
    for op in OPERATORS:
        if rest.startswith(op):
            operand = rest[len(op):]
            operand = _operand(operand)
            if op in (">", ">=", "<", "<=") and not _NUMBER.fullmatch(operand):
                raise WhereError(f"--where {text!r}: {op} compares numbers; {operand!r} is not one.")
            return Where(text, path, op, operand)
    raise WhereError(f"--where {text!r}: expected =, !=, >, >=, <, <=, ~ or ? after the key.")


def _operand(raw: str) -> str:
    """The value after the operator: spaces around it dropped; in double quotes, exactly what they hold."""
    value = raw.strip()
    quoted = _QUOTED.fullmatch(value)
    return re.sub(r"\\(.)", r"\1", quoted.group(1)) if quoted else value


def split(text: str) -> list[str]:
    """The expressions in one text, separated by ``;`` (blank parts dropped); a blank text is one blank
    expression, so that it is refused rather than matching everything."""
    parts = [part.strip() for part in text.split(SEPARATOR) if part.strip()]
    return parts or [""]


def _path(source: str, text: str) -> tuple[tuple[str, ...], str]:
    """The dotted path at the start of ``source``, and what follows it."""
    parts: list[str] = []
    i = 0
    while True:
        if i < len(source) and source[i] == '"':
            j, key = i + 1, []
            while j < len(source) and source[j] != '"':
                if source[j] == "\\" and j + 1 < len(source):
                    j += 1
                key.append(source[j])
                j += 1
            if j >= len(source):
                raise WhereError(f"--where {text!r}: a quoted key is not closed.")
            parts.append("".join(key))
            i = j + 1
        else:
            j = i
            while j < len(source) and source[j] not in '.=!<>~?"':
                j += 1
            bare = source[i:j].strip()
            if not bare:
                raise WhereError(f"--where {text!r}: a key is missing.")
            parts.append(bare)
            i = j
        if i < len(source) and source[i] == ".":
            i += 1
            continue
        return tuple(parts), source[i:]


def matcher(expressions: list[str]) -> Callable[[dict[str, Any]], bool]:
    """One test for all of ``expressions`` (each must hold; one may hold several separated by ``;``)."""
    wheres = [parse(part) for e in expressions for part in split(e)]
    return lambda identity: all(w(identity) for w in wheres)


# How an identifier key filter compares: the server filters only on an exact key; the others are
# scanned for, ignoring case (keys are often e-mail addresses, typed in any case).
KEY_MATCHES = {"exact": "is", "prefix": "starts with", "contains": "contains"}


def key_matcher(mode: str, text: str) -> Callable[[dict[str, Any]], bool]:
    """A test of an identity's identifier key: ``prefix`` or ``contains`` ``text``, ignoring case."""
    needle = text.casefold()
    if mode == "prefix":
        return lambda identity: str(identity.get("identifier_key") or "").casefold().startswith(needle)
    if mode == "contains":
        return lambda identity: needle in str(identity.get("identifier_key") or "").casefold()
    raise ValueError(f"unknown key match {mode!r}")
