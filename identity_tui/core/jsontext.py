"""JSON text written without recursion, so a value nested a thousand levels deep is shown, never a RecursionError.

``json.dumps`` recurses once per level (twice with ``indent``), and the stack left under a Textual handler
is far shorter than the interpreter's limit; a server may send any depth. The output is exactly what
``json.dumps(value, indent=indent, ensure_ascii=False)`` writes, for every depth it can write at all.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from identity_tui.core.display import UNSAFE_CHARS

_OPEN = {dict: "{", list: "["}
_CLOSE = {dict: "}", list: "]"}


def dumps(value: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as JSON text (``indent`` spaces a level, or one line); ``default`` converts unknown types."""
    if indent is None:
        # One line: the C encoder, many times quicker on a big value; it counts its levels against the
        # interpreter's limit and refuses a value nested too deep for the stack left, which is then written
        # here without recursion.
        try:
            return json.dumps(value, ensure_ascii=False, default=default)
        except RecursionError:
            pass
    item_sep = "," if indent is not None else ", "
    out: list[str] = []
    # Each entry: (iterator over (prefix, child) pairs, closing text, level); a child is written after its prefix.
    stack: list[tuple[Any, str, int]] = []

    def open_container(container: Any, level: int) -> None:
        kind = dict if isinstance(container, dict) else list
        if not container:
            out.append(_OPEN[kind] + _CLOSE[kind])
            return
        out.append(_OPEN[kind])
        if kind is dict:
            pairs = ((_key(k) + ": ", v) for k, v in container.items())
        else:
            pairs = (("", v) for v in container)
        stack.append((pairs, _CLOSE[kind], level + 1))

    def write(item: Any, level: int) -> None:
        if isinstance(item, (dict, list, tuple)):
            open_container(list(item) if isinstance(item, tuple) else item, level)
        elif item is None or isinstance(item, (str, int, float, bool)):
            out.append(json.dumps(item, ensure_ascii=False))
        elif default is not None:
            write(default(item), level)
        else:
            raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")

    write(value, 0)
    firsts: list[bool] = []  # per open container: no child written yet
    while stack:
        pairs, close, level = stack[-1]
        if len(firsts) < len(stack):
            firsts.append(True)
        step = next(pairs, None)
        if step is None:
            stack.pop()
            firsts.pop()
            if indent is not None:
                out.append("\n" + " " * (indent * (level - 1)))
            out.append(close)
            continue
        prefix, child = step
        if not firsts[-1]:
            out.append(item_sep)
        firsts[-1] = False
        if indent is not None:
            out.append("\n" + " " * (indent * level))
        out.append(prefix)
        write(child, level)
    return "".join(out)


def _key(key: Any) -> str:
    """An object key as ``json.dumps`` writes it: text quoted, and true, 1 or null turned into text first."""
    if isinstance(key, str):
        text = key
    elif key is True:
        text = "true"
    elif key is False:
        text = "false"
    elif key is None:
        text = "null"
    elif isinstance(key, (int, float)):
        text = json.dumps(key)
    else:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    return json.dumps(text, ensure_ascii=False)


def depth(value: Any) -> int:
    """How many objects and arrays deep ``value`` goes: 0 for a scalar, 1 for ``{}`` or ``{"a": 1}``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, (list, tuple)):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """JSON as the server would write it (any depth, non-ASCII kept): the C encoder, and for a value
    nested too deeply for it, the writer that needs no recursion (the same text)."""
    try:
        return json.dumps(value, indent=indent, ensure_ascii=False)
    except RecursionError:
        return dumps(value, indent=indent)


# Inside JSON text these can only stand in strings (json.dumps already escapes C0 controls; a newline
# outside a string is layout, so C0 is left out here): as \\uXXXX escapes the data is the same.
_UNSAFE_IN_JSON = re.compile(f"[{UNSAFE_CHARS.replace(chr(0) + '-' + chr(0x1f), '')}]")


def safe_escapes(text: str) -> str:
    """JSON ``text`` with DEL, C1 controls, bidi controls and line separators written as ``\\uXXXX``:
    the same JSON, but nothing in it can drive a terminal or reorder a line."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# A float JSON cannot write: infinity is written as a number too large for any double (every JSON
# reader gets infinity back, as it would from the server's own text), NaN as null.
INFINITY_TEXT = "1e999"


def output_json(value: Any, *, indent: int | None = 2) -> str:
    """JSON for the commands' output and exported files: valid JSON whatever the server sent (no
    ``Infinity`` or ``NaN``), the same data as ``json_text``, with ``safe_escapes`` applied."""
    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    except RecursionError:
        text = _finite_text(value, indent)
    except ValueError:  # an infinite or NaN float somewhere in it
        text = _finite_text(value, indent)
    return safe_escapes(text)


def _finite_text(value: Any, indent: int | None) -> str:
    """``json_text`` of ``value`` with each non-finite float replaced (see ``INFINITY_TEXT``)."""
    mark = "nf" + os.urandom(8).hex()

    def swap(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return f"{mark}{'nan' if item != item else '+' if item > 0 else '-'}"
        return item

    text = json_text(_mapped(value, swap), indent=indent)
    return (text.replace(f'"{mark}+"', INFINITY_TEXT).replace(f'"{mark}-"', "-" + INFINITY_TEXT)
            .replace(f'"{mark}nan"', "null"))


def _mapped(value: Any, fn: Callable[[Any], Any]) -> Any:
    """A copy of ``value`` with ``fn`` applied to every scalar, at any depth, without recursion."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, parent, slot = stack.pop()
        if isinstance(item, dict):
            copy: Any = dict.fromkeys(item)  # the keys in their order; the values are filled in below
            parent[slot] = copy
            stack.extend((v, copy, k) for k, v in item.items())
        elif isinstance(item, (list, tuple)):
            copy = [None] * len(item)
            parent[slot] = copy
            stack.extend((v, copy, i) for i, v in enumerate(item))
        else:
            parent[slot] = fn(item)
    return root[0]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection meanwhile: a parser (json, ``ast.literal_eval``) recurses to the interpreter's
    limit on deeply nested text before it gives up, and a collection down there would run finalizers with no
    stack left, whose errors reach stderr ahead of the one sentence."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def loads(text: str | bytes | bytearray, **options: Any) -> Any:
    """``json.loads`` (with its ``options``: ``parse_float`` and the like), with the collector paused (see
    ``collector_paused``)."""
    with collector_paused():
        return json.loads(text, **options)
