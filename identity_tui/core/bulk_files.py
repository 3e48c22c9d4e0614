"""Identity files for export and import: JSON lines, a JSON array, or CSV, read row by row with line numbers.

A row is an identity as the server sends it (``identifier_key``, ``name``, ``identity_type``,
``project_id``, ``properties`` as ``{key, type, value}``; ``id`` is kept for ``--match id``; other fields
are ignored). In CSV the fields are columns and each property is a ``prop:KEY:TYPE`` column, so types
survive a round trip: an empty cell is no property; numbers, booleans and json values are JSON text; a
text (a field, a string value, a key in the header) is written as it is, unless a spreadsheet would
evaluate it, a terminal would act on it, or it could be misread (``text_cell`` says when): then it is
written as a JSON string, ``"=SUM(1)"`` with its quotes, and read back as the text it holds.

A number in a file that a float cannot hold exactly (``1.0000000000000001``, ``0.1e-400``, ``1e400``)
makes its row bad, named with the number: nothing is changed without a word.

Bad input never stops the reading: each bad row comes back as a ``BadRow`` with its line number, and
the good rows are still read.
"""

from __future__ import annotations

import codecs
import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from identity_tui.core.csvtext import text_cell, text_value
from identity_tui.core.display import UNSAFE
from identity_tui.core.fields import COLUMNS
from identity_tui.core.jsontext import loads, output_json
from identity_tui.core.kinds import PropertyType

FORMATS = ("jsonl", "json", "csv")
REQUIRED = ("identifier_key", "name", "identity_type")
# One identity on one line (JSON lines, CSV): a longer line is refused, not read into memory. As much as
# one answer from the server may hold by default (max_answer_mib), so what an export read comes back in.
LINE_LIMIT = 64 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Row:
    """One identity read from a file."""

    line: int
    data: dict[str, Any]


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read, and why (one sentence)."""

    line: int
    problem: str


def format_of(name: str, given: str | None = None) -> str:
    """The file's format: as given, else by its ending (``.csv``, ``.json``), else JSON lines."""
    if given:
        return given
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".json"):
        return "json"
    return "jsonl"


# -- reading -----------------------------------------------------------------------------------------


def read_rows(stream: IO[bytes], fmt: str) -> Iterator[Row | BadRow]:
    """Every row of ``stream`` in ``fmt``, good or bad, in file order."""
    if fmt == "json":
        yield from _read_json(stream)
    elif fmt == "csv":
        yield from _read_csv(stream)
    else:
        yield from _read_jsonl(stream)


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str | None, str | None]]:
    """(number, text, problem) per line; a line over the limit is skipped without being held whole."""
    number = 0
    while True:
        raw = stream.readline(LINE_LIMIT + 1)
        if not raw:
            return
        number += 1
        if len(raw) > LINE_LIMIT and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(_CHUNK)
                size += len(raw)
            yield number, None, (f"is {size / 1024 / 1024:.1f} MB long; one identity may take at most "
                                 f"{LINE_LIMIT // 1024 // 1024} MB")
            continue
        if b"\x00" in raw:
            yield number, None, "holds a NUL byte (is this a binary file?)"
            continue
        try:
            yield number, raw.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            yield number, None, f"is not UTF-8 text (byte {exc.start + 1})"


def _read_jsonl(stream: IO[bytes]) -> Iterator[Row | BadRow]:
    for number, text, problem in _lines(stream):
        if problem is not None:
            yield BadRow(number, f"Line {number} {problem}.")
            continue
        assert text is not None
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        numbers = _Numbers()
        try:
            data = loads(text, parse_float=numbers)
        except ValueError as exc:
            yield BadRow(number, f"Line {number} is not JSON: {getattr(exc, 'msg', str(exc))} (column {getattr(exc, 'colno', '?')}).")
            continue
        except RecursionError:
            yield BadRow(number, f"Line {number} is nested too deeply to read.")
            continue
        if numbers.lossy:
            yield BadRow(number, f"Line {number}: {_lossy_words(numbers.lossy[0])}")
            continue
        yield _object_row(number, data)


def _read_json(stream: IO[bytes]) -> Iterator[Row | BadRow]:
    raw = stream.read()
    try:
        text = codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        yield BadRow(line, f"Line {line} is not UTF-8 text.")
        return
    numbers = _Numbers()
    try:
        data = loads(text, parse_float=numbers)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        yield BadRow(line, f"Line {line} is not JSON: {getattr(exc, 'msg', str(exc))}.")
        return
    except RecursionError:
        yield BadRow(1, "The file is nested too deeply to read.")
        return
    if not isinstance(data, list):
        yield BadRow(1, "A JSON file must hold an array of identities.")
        return
    # Line numbers from the text: where each element of the top-level array starts.
    starts = _element_lines(text, len(data))
    for index, item in enumerate(data):
        line = starts[index] if index < len(starts) else 1
        lossy = _lossy_in(item) if numbers.lossy else None
        yield BadRow(line, f"Line {line}: {_lossy_words(lossy)}") if lossy is not None else _object_row(line, item)


class _Lossy(float):
    """A number read from a file that a float does not hold exactly; ``text`` is how the file wrote it."""

    text: str


class _Numbers:
    """``parse_float`` for ``json.loads``: a float, or a ``_Lossy`` one (kept in ``lossy``) when the text
    means a number the float is not: more digits than a float holds, too small or too large for one."""

    def __init__(self) -> None:
        self.lossy: list[_Lossy] = []

    def __call__(self, text: str) -> float:
        value = float(text)
        if repr(value) == text or _exact(text, value):
            return value
        lossy = _Lossy(value)
        lossy.text = text
        self.lossy.append(lossy)
        return lossy


def _exact(text: str, value: float) -> bool:
    from decimal import Decimal, InvalidOperation  # only for a number whose text is not the float's own

    if not math.isfinite(value):
        return False
    try:
        return Decimal(text) == Decimal(repr(value))
    except InvalidOperation:
        return False


def _lossy_in(value: Any) -> _Lossy | None:
    """The first lossy number in ``value``, at any depth."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Lossy):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _lossy_words(number: _Lossy) -> str:
    text = number.text if len(number.text) <= 40 else number.text[:39] + "…"
    if not math.isfinite(number):
        return f"the number {text} is too large to be stored (a number holds up to about 1.8e308)."
    return (f"the number {text} has more precision than a number holds: it would be stored as "
            f"{float(number)!r}. Write {float(number)!r} to store that.")


def _element_lines(text: str, count: int) -> list[int]:
    """The line on which each top-level array element starts (a scan that skips strings)."""
    out: list[int] = []
    depth, line, in_string, escape, expecting = 0, 1, False, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if depth == 1 and expecting and not ch.isspace():
            out.append(line)
            expecting = False
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth == 1:
                expecting = True
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 1:
            expecting = True
        if len(out) >= count:
            break
    return out


def _object_row(line: int, data: Any) -> Row | BadRow:
    if not isinstance(data, dict):
        return BadRow(line, f"Line {line}: an identity must be a JSON object.")
    missing = [f for f in REQUIRED if f not in data]
    if missing:
        return BadRow(line, f"Line {line}: {', '.join(missing)} missing.")
    return Row(line, data)


def _read_csv(stream: IO[bytes]) -> Iterator[Row | BadRow]:
    bad: list[BadRow] = []

    def text_lines() -> Iterator[str]:
        for number, text, problem in _lines(stream):
            if problem is not None:
                bad.append(BadRow(number, f"Line {number} {problem}."))
                yield "\n"  # keeps the reader's line count; the row is reported bad below
                continue
            assert text is not None  # _lines gives a line's text whenever it gives no problem
            yield text.removeprefix("\ufeff") if number == 1 else text

    if csv.field_size_limit() < LINE_LIMIT:  # a cell may be as long as an identity (the default is 128 KiB)
        csv.field_size_limit(LINE_LIMIT)
    reader = csv.reader(text_lines())
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield BadRow(1, f"Line 1 is not CSV: {exc}.")
        return
    columns, problem = _columns(header)
    if problem:
        yield BadRow(1, f"Line 1 (the header): {problem}")
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield BadRow(reader.line_num, f"Line {reader.line_num} is not CSV: {exc}.")
            continue
        number = reader.line_num
        if bad and bad[0].line <= number:
            while bad and bad[0].line <= number:
                yield bad.pop(0)
            continue
        if not any(c.strip() for c in cells):
            continue
        yield _csv_row(number, columns, cells)
    yield from bad


def _columns(header: list[str]) -> tuple[list[tuple[str, str | None, PropertyType | None]], str | None]:
    """Each column as (field, key, type): a field of ``COLUMNS``, or ``prop`` with its key and type."""
    out: list[tuple[str, str | None, PropertyType | None]] = []
    for name in header:
        if name in COLUMNS:
            out.append((name, None, None))
        elif name.startswith("prop:"):
            key, sep, type_name = name[5:].rpartition(":")
            shown = output_json(name, indent=None)
            try:
                ptype = PropertyType(type_name)
            except ValueError:
                return out, f"column {shown} must be prop:KEY:TYPE with TYPE one of string, number, boolean, json."
            if not sep or not key:
                return out, f"column {shown} must be prop:KEY:TYPE."
            try:
                key = text_value(key)
            except ValueError:
                return out, f"column {shown}: a KEY that starts with a quote must be a JSON string."
            out.append(("prop", key, ptype))
        else:
            return out, (f"unknown column {output_json(name, indent=None)} (fields: {', '.join(COLUMNS)}; "
                         "properties: prop:KEY:TYPE).")
    missing = [f for f in REQUIRED if f not in {c[0] for c in out}]
    if missing:
        return out, f"column {', '.join(missing)} missing."
    return out, None


def _csv_row(line: int, columns: list[tuple[str, str | None, PropertyType | None]], cells: list[str]) -> Row | BadRow:
    if len(cells) != len(columns):
        return BadRow(line, f"Line {line} has {len(cells)} cells; the header has {len(columns)}.")
    data: dict[str, Any] = {}
    props: list[dict[str, Any]] = []
    for (field, key, ptype), cell in zip(columns, cells):
        if field != "prop":
            if cell == "" and field not in REQUIRED:
                data[field] = None
                continue
            try:
                data[field] = text_value(cell)
            except ValueError:
                return BadRow(line, f"Line {line}, column {field}: {output_json(cell[:40], indent=None)} starts with "
                                    "a quote but is not a JSON string.")
            continue
        if cell == "":
            continue
        assert ptype is not None and key is not None
        column = output_json(column_name(key, ptype.value), indent=None)
        try:
            value = cell_value(ptype, cell)
        except _LossyCell as exc:
            return BadRow(line, f"Line {line}, column {column}: {_lossy_words(exc.number)}")
        except RecursionError:
            return BadRow(line, f"Line {line}, column {column} is nested too deeply to read.")
        except ValueError:
            return BadRow(line, f"Line {line}, column {column}: {output_json(cell[:40], indent=None)} is not a "
                                f"{ptype.value} (write it as JSON).")
        props.append({"key": key, "type": ptype.value, "value": value})
    data["properties"] = props
    return Row(line, data)


# -- writing -------------------------------------------------------------------------------------------


def cell_text(ptype: PropertyType | str, value: Any) -> str:
    """A property value as a CSV cell (see the module's note)."""
    if PropertyType(ptype) is PropertyType.STRING and isinstance(value, str):
        return text_cell(value)
    return output_json(value, indent=None)


class _LossyCell(ValueError):
    def __init__(self, number: _Lossy) -> None:
        super().__init__(number.text)
        self.number = number


def cell_value(ptype: PropertyType, cell: str) -> Any:
    """The value of a non-empty CSV cell; ValueError when it is not JSON where JSON is needed, or holds a
    number a float cannot hold exactly."""
    if ptype is PropertyType.STRING:
        return text_value(cell)
    numbers = _Numbers()
    value = loads(cell, parse_float=numbers)
    if numbers.lossy:
        raise _LossyCell(numbers.lossy[0])
    return value


def column_name(key: str, ptype: str) -> str:
    """``prop:KEY:TYPE``, the key as ``text_cell`` writes it (so an empty key, or one holding NUL, is
    ``prop:"":string``)."""
    plain = key and not key.startswith('"') and not UNSAFE.search(key)
    return f"prop:{key if plain else output_json(key, indent=None)}:{ptype}"


def csv_header(columns: Iterable[tuple[str, str]]) -> list[str]:
    """The header for these (key, type) property columns, sorted so that two exports compare equal."""
    return [*COLUMNS, *(column_name(k, t) for k, t in sorted(columns))]


def csv_cells(item: dict[str, Any], header: list[str]) -> list[str]:
    """One identity as the cells of ``header``."""
    props = {column_name(p["key"], p["type"]): p for p in item.get("properties") or []}
    cells = []
    for name in header:
        if name in COLUMNS:
            value = item.get(name)
            cells.append("" if value is None else text_cell(value if isinstance(value, str) else str(value)))
        else:
            prop = props.get(name)
            cells.append("" if prop is None else cell_text(prop["type"], prop.get("value")))
    return cells


def csv_problem(item: dict[str, Any]) -> str | None:
    """Why CSV cannot hold this identity as the server sent it (one sentence), or None."""
    props = item.get("properties") or []
    seen: set[tuple[str, str]] = set()
    for p in props if isinstance(props, list) else [props]:
        if not (isinstance(p, dict) and isinstance(p.get("key"), str) and p.get("type") in _TYPES):
            return "its properties are not all {key, type, value} with a known type"
        if (p["key"], p["type"]) in seen:
            return f"it has the property {output_json(p['key'], indent=None)} of type {p['type']} twice"
        seen.add((p["key"], p["type"]))
    return None


_TYPES = {t.value for t in PropertyType}
