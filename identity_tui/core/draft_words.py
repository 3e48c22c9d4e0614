"""A draft in words, for the restore offer: how old it is, what restoring it changes, what changed on the server."""

from __future__ import annotations

from datetime import datetime, timezone

from identity_tui.core.display import one_line, one_line_pair
from identity_tui.core.diff import diff
from identity_tui.core.fields import ORDER, field_key
from identity_tui.core.draft_texts import SavedDraft
from identity_tui.core.form import value_text
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, IdentityProperty


def describe_age(saved_at: datetime, now: datetime | None = None) -> str:
    """``just now``, ``12 min ago``, ``3 h ago``, or the local date and time for anything older."""
    now = now or datetime.now(timezone.utc)
    seconds = (now - saved_at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return saved_at.astimezone().strftime("%Y-%m-%d %H:%M")


def _quote(text: str, width: int = 28) -> str:
    return '"' + one_line(text, width) + '"'


def _pair(before: str, after: str, width: int = 28) -> str:
    """``"before" -> "after"``, cut where they differ so that the change shows."""
    a, b = one_line_pair(before, after, width)
    return f'"{a}" -> "{b}"'


def _value(ptype: PropertyType | str, text: str) -> str:
    t = PropertyType(ptype)
    if t is PropertyType.STRING:
        return _quote(text)
    return one_line(" ".join(text.split()), 28) or "(empty)"


def restore_changes(draft: SavedDraft) -> list[str]:
    """What restoring ``draft`` changes compared with its base, a short line each (for the restore offer).

    It compares the texts the form held with the texts the base's values show as: a draft may hold a
    half-typed value, which has no value for ``core.diff`` to compare."""
    texts = draft.texts
    base = draft.base
    if base is None:
        out = [f"new {texts.identity_type} {_quote(texts.name)}, key {_quote(texts.identifier_key)}"]
        out += [f"+ property {one_line(r.key, 24) or '(no key)'} = {_value(r.type, r.text)}" for r in texts.rows]
        return out
    out = []
    for label, before, after in (
        ("name", base.name, texts.name),
        ("key", base.identifier_key, texts.identifier_key),
    ):
        if before != after:
            out.append(f"{label}: {_pair(before, after)}")
    if IdentityType(base.identity_type).value != texts.identity_type:
        out.append(f"type: {IdentityType(base.identity_type).value} -> {texts.identity_type}")
    loaded: dict[str, IdentityProperty] = {}
    for held in base.properties:
        loaded.setdefault(held.key, held)
    props: list[str] = []
    for row in texts.rows:
        key = one_line(row.key, 24) or "(no key)"
        prop = loaded.get(row.key)
        if prop is None:
            props.append(f"+ property {key} = {_value(row.type, row.text)}")
            continue
        old_text = value_text(prop.type, prop.value)
        if PropertyType(prop.type).value != row.type:
            props.append(f"property {key}: {prop.type.value} {_value(prop.type, old_text)} -> "
                         f"{row.type} {_value(row.type, row.text)}")
        elif old_text != row.text and PropertyType(prop.type) is PropertyType.STRING:
            props.append(f"property {key}: {_pair(old_text, row.text)}")
        elif old_text != row.text:
            old, new = one_line_pair(" ".join(old_text.split()), " ".join(row.text.split()), 28)
            props.append(f"property {key}: {old or '(empty)'} -> {new or '(empty)'}")
    kept = {r.key for r in texts.rows}
    props += [f"- property {one_line(k, 24)}" for k in loaded if k not in kept]
    if not props and [p.key for p in base.properties] != [r.key for r in texts.rows]:
        props.append("properties reordered")
    return out + props or ["no changes"]


def server_changes(base: Identity, fresh: Identity) -> list[str]:
    """The form's fields that differ between the base a draft began from and the server's copy now.

    ``core.diff`` says which; here they are named for the restore note."""
    return [_server_words(name) for name in diff(base, fresh).names()]


def _server_words(name: str) -> str:
    if name == ORDER:
        return "property order"
    key = field_key(name)
    return f"property {one_line(key, 24)}" if key is not None else name
