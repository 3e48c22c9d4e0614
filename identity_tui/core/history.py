"""What a journal record changed, a line each: used by the ``history`` command and the history screen."""

from __future__ import annotations

from typing import Any

from identity_tui.core.display import one_line
from identity_tui.core.fields import FIELDS
from identity_tui.core.journal import LANDED, PARTLY, PENDING, Record
from identity_tui.core.jsontext import json_text


def record_key(record: Record) -> str:
    """The identity a record is about, as its key was when the write was sent (an update that tried to
    change the key is shown under the key it had)."""
    before = record.before or {}
    return str(before.get("identifier_key") or record.identifier_key or record.identity_id or "")


def outcome_words(record: Record) -> str:
    """What became of the write, truly: landed, partly, refused or failed, or unknown and how it was settled."""
    if record.status == PENDING:
        words = "unknown: sent, and the program ended before the answer came"
    else:
        words = record.outcome
    if record.checked and record.status not in (LANDED, PARTLY) or record.checked and "read" in words:
        words += f" ({record.checked})"
    return words


def tried(record: Record) -> list[str]:
    """What a write that did not land tried to change, a line each."""
    lines = []
    for request in record.requests:
        body = request.get("body")
        if request.get("method") == "PATCH" and isinstance(body, dict):
            for name in FIELDS:
                if name in body and name != "properties":
                    lines.append(f"tried {name}: {_short((record.before or {}).get(name))} -> {_short(body[name])}")
            for p in body.get("properties") or []:
                if isinstance(p, dict):
                    lines.append(f"tried {one_line(str(p.get('key')), 40)} = {_short(p.get('value'))}")
        elif request.get("method") == "PUT" and isinstance(body, list):
            lines.append(f"tried to replace the property list ({len(body)} propert{'y' if len(body) == 1 else 'ies'})")
        elif request.get("method") == "POST" and isinstance(body, dict):
            lines.append(f"tried to create: {_short(body.get('name'))}, {body.get('identity_type')}")
        elif request.get("method") == "DELETE":
            lines.append("tried to delete it")
    return lines


def diff(record: Record) -> list[str]:
    """What the record changed, a line each: fields, then properties (+ added, - removed, ~ changed); for a
    write that did not land (or is not known to have), what it tried."""
    if record.operation in ("link", "unlink") and record.target:
        return [f"{record.operation} {record.target.get('kind')} {record.target.get('id')}"]
    if not record.landed:
        return tried(record)
    before, after = record.before or {}, record.after or {}
    lines = []
    if before and after:
        for name in FIELDS:
            if before.get(name) != after.get(name):
                lines.append(f"{name}: {_short(before.get(name))} -> {_short(after.get(name))}")
    elif record.operation in ("create", "delete") and (before or after):
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
