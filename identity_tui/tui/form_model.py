"""What a failed save means for the form, in words: one sentence, and the fields the server complained about.

Textual-free, so the wording is tested without an app.
"""

from __future__ import annotations

from typing import Any

from identity_tui.core.display import one_line
from identity_tui.core.errors import (
    AlreadyExists,
    ConnectionFailed,
    LettaError,
    NotFound,
    PaymentRequired,
    TimedOut,
    Unauthorized,
    ValidationFailed,
    answer_may_be_lost,
)
from identity_tui.core.fields import FIELDS, LABELS, ORDER, PARTS, PROPERTIES, field_key, parse_row_field, row_field
from identity_tui.core.form import FormValues
from identity_tui.core.planner import PlannedRequest
from identity_tui.core.transaction import NOTHING_LANDED


def field_label(name: str) -> str:
    """``properties.2.value`` -> ``row 3 value``; ``identifier_key`` -> ``Identifier key``."""
    if name in LABELS:
        return LABELS[name]
    row = parse_row_field(name)
    if row is None:
        return name
    index, part = row
    return f"row {index + 1}" if part is None else f"row {index + 1} {part}"


def modified_labels(modified: set[str], keys: list[str] | None = None) -> list[str]:
    """The form's modified fields (``form.modified_fields``) as a person would list them: scalars, then rows
    (with their keys), then the list."""
    out = [LABELS[n] for n in FIELDS if n in modified]
    rows = sorted(row[0] for row in map(parse_row_field, modified) if row is not None and row[1] is None)
    for i in rows:
        key = keys[i] if keys is not None and i < len(keys) else ""
        out.append(f"row {i + 1} ({one_line(key, 24)})" if key else f"row {i + 1}")
    if PROPERTIES in modified and not rows:
        out.append("property list (rows removed or moved)")
    return out


def change_label(field: str) -> str:
    """A merge field as a person reads it: ``Name``, ``'age'`` (a property), ``property order``."""
    if field == ORDER:
        return "property order"
    key = field_key(field)
    if key is not None:
        return "'" + one_line(key, 30) + "'"
    return LABELS.get(field, field)


def change_list(fields: list[str] | tuple[str, ...], limit: int = 5) -> str:
    """``Name, 'age', 'plan'`` (and how many more)."""
    shown = [change_label(f) for f in fields[:limit]]
    more = len(fields) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def field_value(values: FormValues, name: str) -> Any:
    """The form's current value of a dotted field name, to notice when an error stops applying."""
    if name in FIELDS:
        return getattr(values, name)
    row = parse_row_field(name)
    if row is not None and row[1] in PARTS and row[0] < len(values.rows):
        return getattr(values.rows[row[0]], row[1])  # a row's parts are its fields of the same names
    return None


def server_field_errors(error: LettaError, failed: PlannedRequest, values: FormValues) -> dict[str, str]:
    """Form fields the server named in a 409 or 422, each with a short reason."""
    if isinstance(error, AlreadyExists):
        return {"identifier_key": "Already used in this project (409): choose another."}
    if not isinstance(error, ValidationFailed):
        return {}
    out: dict[str, str] = {}
    for problem in error.field_errors:
        name = _form_field(problem.field, failed, values)
        if name is not None:
            out.setdefault(name, f"The server says: {one_line(problem.msg, 120)} (422).")
    return out


def _form_field(server_field: str, failed: PlannedRequest, values: FormValues) -> str | None:
    """Map the server's ``properties.0.value`` (an index into the body sent) to the form's row."""
    head = server_field.split(".", 1)[0]
    if head in FIELDS:
        return head
    if failed.method == "PUT" and head.isdigit():
        server_field = f"{PROPERTIES}.{server_field}"  # the PUT body is the bare list, in form order
    where = parse_row_field(server_field)
    if where is None:
        return None
    index, part = where
    part = part if part in PARTS else "value"
    if failed.method == "PATCH":
        # A PATCH carries only the changed rows: find the sent key among the form's rows.
        sent = (failed.body.get(PROPERTIES) or []) if isinstance(failed.body, dict) else []
        if index >= len(sent):
            return None
        key = sent[index].get("key")
        matches = [i for i, row in enumerate(values.rows) if row.key == key]
        if not matches:
            return None
        index = matches[0]
    return row_field(index, part) if index < len(values.rows) else None


def failure_sentence(
    error: LettaError,
    failed: PlannedRequest,
    applied: list[PlannedRequest],
    values: FormValues,
    *,
    landed: str | None = None,
) -> str:
    """One sentence for a failed save; a partial save says what was applied and what was not.

    When the answer may have been lost, a create says that retrying looks its key up first, and an edit
    says what a fresh read found: ``landed`` is ``NOTHING_LANDED`` or ``UNKNOWN`` (the read failed too).
    """
    creating = failed.method == "POST"
    why = _why(error, failed, values, creating)
    if not why.endswith((".", "?", "!")):
        why += "."
    if not applied:
        head = ("Not created: " if creating else "Not saved: ") + why
        if not answer_may_be_lost(error):
            return head
        if creating:
            key = one_line(values.identifier_key, 40)
            return (f"{head} It may have been created all the same: ctrl+s first looks up identifier_key "
                    f"'{key}' and creates nothing twice.")
        if landed == NOTHING_LANDED:
            return f"{head} A fresh read shows nothing changed: ctrl+s sends it again."
        return f"{head} It may or may not have landed: ctrl+s re-reads first and sends only what is missing."
    done = "; ".join(f"{r.method} ({r.why})" for r in applied)
    return (
        f"Partly saved. Applied: {done}. Not applied: {failed.method} ({failed.why}), because {why} "
        "The fields still marked ● are not saved; ctrl+s sends them."
    )


def _why(error: LettaError, failed: PlannedRequest, values: FormValues, creating: bool) -> str:
    if isinstance(error, NotFound):
        return "this identity no longer exists on the server (404): someone deleted it."
    if isinstance(error, AlreadyExists):
        key = one_line(values.identifier_key, 40)
        return f"identifier_key '{key}' is already used by another identity in this project (409). Choose another."
    if isinstance(error, ValidationFailed):
        if error.field_errors:
            first = error.field_errors[0]
            name = _form_field(first.field, failed, values)
            where = field_label(name) if name else first.field
            return f"the server rejected {where}: {one_line(first.msg, 120)} (422)."
        return _lower_first(error.message)
    if isinstance(error, Unauthorized):
        return "the server rejected the token (401): check the API key or password."
    if isinstance(error, PaymentRequired):
        return "the plan's identity limit is reached (402): delete identities or upgrade the plan."
    if isinstance(error, TimedOut):
        return "the server did not answer in time."
    if isinstance(error, ConnectionFailed):
        return f"the connection failed ({error.message.rstrip('.')})."
    return _lower_first(error.message)


def _lower_first(text: str) -> str:
    """A sentence made to follow "Not saved: " (an acronym such as "HTTP" is left alone)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
