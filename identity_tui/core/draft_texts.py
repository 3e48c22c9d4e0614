"""What a draft holds: a modified form's raw texts, and the file record around them (server, identity, base).

The texts are every field as typed, so a half-typed invalid value survives a dropped session too; the
record adds which server and identity the form was for and the identity as loaded (the base), never a
token. ``core.draft_store`` writes and reads the records.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from identity_tui import __version__
from identity_tui.core.draft import Draft, DraftProperty, FormFields
from identity_tui.core.fields import FIELDS
from identity_tui.core.form import ENTER_A_VALUE, Unparsed
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity

FORMAT = 1

_FORM_ID = re.compile(r"[0-9a-f]{12}")


def new_form_id() -> str:
    """A local id for one form's life: it names the draft file, for a new identity too."""
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class RowText:
    """One property row as typed: key, type and the value's text (``""`` for a boolean not yet set)."""

    key: str
    type: str
    text: str


@dataclass(frozen=True)
class FormTexts(FormFields):
    """Every field of the form as raw text, so a half-typed invalid value survives too."""

    rows: tuple[RowText, ...] = ()

    def draft(self) -> Draft:
        """A planner draft whose values make the form's editors show these texts again."""
        return Draft(
            name=self.name,
            identifier_key=self.identifier_key,
            identity_type=IdentityType(self.identity_type),
            properties=tuple(DraftProperty(r.key, PropertyType(r.type), _shown(r)) for r in self.rows),
            project_id=self.project_id,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in FIELDS}
        out["properties"] = [{"key": r.key, "type": r.type, "text": r.text} for r in self.rows]
        return out

    @classmethod
    def from_json(cls, data: Any) -> FormTexts:
        """Parse the ``form`` object of a draft file; anything malformed raises ValueError."""
        if not isinstance(data, dict):
            raise ValueError("form is not an object")
        rows = data.get("properties")
        if not isinstance(rows, list):
            raise ValueError("form.properties is not a list")
        if not all(isinstance(r, dict) for r in rows):
            raise ValueError("a property is not an object")
        project = data.get("project_id")
        return cls(
            name=_text(data, "name"),
            identifier_key=_text(data, "identifier_key"),
            identity_type=IdentityType(_text(data, "identity_type")).value,
            project_id=project if isinstance(project, str) and project else None,
            rows=tuple(
                RowText(_text(r, "key"), PropertyType(_text(r, "type")).value, _text(r, "text")) for r in rows
            ),
        )


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


def _shown(row: RowText) -> Any:
    """The value to hand a property editor so it shows ``row.text``; it parses the text itself when read."""
    ptype = PropertyType(row.type)
    if ptype is PropertyType.STRING:
        return row.text
    if ptype is PropertyType.BOOLEAN:
        if row.text in ("true", "false"):
            return row.text == "true"
        return Unparsed("", ENTER_A_VALUE)
    return Unparsed(row.text, "")


@dataclass(frozen=True)
class SavedDraft:
    """One draft file: which server and identity (None while creating), the base as loaded, and the texts."""

    server: str
    form_id: str
    identity_id: str | None
    base: Identity | None
    texts: FormTexts
    saved_at: datetime
    app_version: str = __version__
    path: Path | None = field(default=None, compare=False)

    @property
    def creating(self) -> bool:
        return self.identity_id is None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "app_version": self.app_version,
            "server": self.server,
            "form_id": self.form_id,
            "identity_id": self.identity_id,
            "saved_at": self.saved_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "base": self.base.wire() if self.base is not None else None,
            "form": self.texts.to_json(),
        }

    @classmethod
    def from_json(cls, data: Any, path: Path | None = None) -> SavedDraft:
        """Parse a draft file's object; anything malformed raises ValueError."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        version = data.get("format")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("no format number")
        if version > FORMAT:
            raise ValueError(f"written by a newer identity-tui (format {version})")
        form_id = data.get("form_id")
        if not isinstance(form_id, str) or not _FORM_ID.fullmatch(form_id):
            raise ValueError("no form id")
        identity_id = data.get("identity_id")
        if identity_id is not None and not isinstance(identity_id, str):
            raise ValueError("identity_id is not text")
        base = Identity.model_validate(data["base"]) if data.get("base") is not None else None
        if (identity_id is None) != (base is None) or (base is not None and base.id != identity_id):
            raise ValueError("identity_id and base disagree")
        saved_at = datetime.fromisoformat(_text(data, "saved_at"))
        if saved_at.tzinfo is None:
            saved_at = saved_at.replace(tzinfo=timezone.utc)
        return cls(
            server=_text(data, "server"),
            form_id=form_id,
            identity_id=identity_id,
            base=base,
            texts=FormTexts.from_json(data.get("form")),
            saved_at=saved_at,
            app_version=str(data.get("app_version") or "?"),
            path=path,
        )


def as_new(draft: SavedDraft) -> SavedDraft:
    """The same texts as a new identity's draft (its identity was deleted on the server)."""
    return replace(draft, identity_id=None, base=None)
