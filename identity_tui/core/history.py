"""What a journal record changed, a line each: used by the ``history`` command and the history screen."""

from __future__ import annotations

from typing import Any

from identity_tui.core.display import one_line
from identity_tui.core.fields import FIELDS
from identity_tui.core.journal import Record
from identity_tui.core.jsontext import json_text


def diff(record: Record) -> list[str]:
    """What the record changed, a line each: fields, then properties (+ added, - removed, ~ changed)."""
    if record.operation in ("link", "unlink") and record.target:
        return [f"{record.operation} {record.target.get('kind')} {record.target.get('id')}"]
    before, after = record.before or {}, record.after or {}
    lines = []
    if before and after:
        for name in FIELDS:
            if before.get(name) != after.get(name):
                lines.append(f"{name}: {_short(before.get(name))} -> {_short(after.get(name))}")
    elif before or after:
        whole = before or after
        lines.append(f"{'deleted' if before else 'created'}: {_short(whole.get('name'))}, "
                     f"{whole.get('identity_type')}, project {_short(whole.get('project_id'))}")
    old = {p.get("key"): p for p in before.get("properties") or []}
    new = {p.get("key"): p for p in after.get("properties") or []}
    for key in dict.fromkeys([*old, *new]):
        if key not in new:
            lines.append(f"- {one_line(str(key), 40)} ({_short(old[key].get('value'))})")
        elif key not in old:
            lines.append(f"+ {one_line(str(key), 40)} = {_short(new[key].get('value'))}")
        elif json_text(old[key], indent=None) != json_text(new[key], indent=None):
            lines.append(f"~ {one_line(str(key), 40)}: {_short(old[key].get('value'))} -> {_short(new[key].get('value'))}")
    if record.links and (record.links.get("agents") or record.links.get("blocks")):
        lines.append(f"links kept for an undo: {len(record.links.get('agents', []))} agents, "
                     f"{len(record.links.get('blocks', []))} blocks")
    return lines


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json_text(value, indent=None)
    return one_line(text if not isinstance(value, str) else repr(value), 50)


def undo_means(record: Record) -> str:
    """What undoing the record does, in a few words."""
    return {"create": "delete the identity it created", "delete": "create it again (a new id) with its links",
            "link": "unlink", "unlink": "link again", "update": "put back the values from before"}.get(
        record.operation, "put it back")
