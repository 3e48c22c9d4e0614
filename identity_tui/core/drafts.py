"""Drafts: a modified form's raw texts kept on disk, so a dropped SSH session or a kill loses no edit.

Each open form has one JSON file under ``state_dir()/drafts/<server hash>/``, written atomically with
mode 0600 a moment after the typing stops; it holds the identity as loaded (the base) and every field's
text, never a token. Textual-free: the edit screen hands in texts and the clock is injectable.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from identity_tui import __version__
# drafts_dir and server_key live in config (the list needs them before any draft is read); re-exported here.
from identity_tui.core.config import drafts_dir, server_key, write_private  # noqa: F401
from identity_tui.core.display import one_line, one_line_pair
from identity_tui.core.jsontext import dumps
from identity_tui.core.form import ENTER_A_VALUE, Unparsed, value_text
from identity_tui.core.models import Identity, IdentityType, PropertyType, same_property
from identity_tui.core.planner import Draft, DraftProperty

FORMAT = 1
# Written this long after the last change, and at least this often while changes keep coming.
DELAY = 0.7
MAX_WAIT = 5.0

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_FORM_ID = re.compile(r"[0-9a-f]{12}")


def new_form_id() -> str:
    """A local id for one form's life: it names the draft file, for a new identity too."""
    return uuid.uuid4().hex[:12]


# -- what a draft holds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowText:
    """One property row as typed: key, type and the value's text (``""`` for a boolean not yet set)."""

    key: str
    type: str
    text: str


@dataclass(frozen=True)
class FormTexts:
    """Every field of the form as raw text, so a half-typed invalid value survives too."""

    name: str
    identifier_key: str
    identity_type: str
    project_id: str | None = None
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
        return {
            "name": self.name,
            "identifier_key": self.identifier_key,
            "identity_type": self.identity_type,
            "project_id": self.project_id,
            "properties": [{"key": r.key, "type": r.type, "text": r.text} for r in self.rows],
        }

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


# -- the files --------------------------------------------------------------------------------------


class DraftStore:
    """The drafts of one server: a private directory named by a hash of the server key."""

    def __init__(self, root: Path, server: str) -> None:
        self.root = root
        self.server = server
        self.dir = root / hashlib.sha256(server.encode("utf-8")).hexdigest()[:24]

    def path(self, form_id: str, identity_id: str | None) -> Path:
        """``<identity id>--<form id>.json`` (``new--…`` while creating); an odd id is hashed."""
        return self.dir / f"{_file_stem(identity_id)}--{form_id}.json"

    def write(self, draft: SavedDraft) -> Path:
        """Replace the draft's file atomically (0600, in a 0700 directory) and return its path."""
        for folder in (self.root, self.dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
        path = self.path(draft.form_id, draft.identity_id)
        # The recursion-free writer: a value the server holds may be nested far deeper than json.dumps
        # with an indent (pure Python, a few frames a level) can follow from inside the app.
        write_private(path, dumps(draft.to_json(), indent=1) + "\n")
        return path

    def prune(self, max_age_days: int, now: datetime | None = None) -> int:
        """Remove this server's drafts saved more than ``max_age_days`` ago; how many went."""
        if max_age_days <= 0 or not self.dir.is_dir():
            return 0
        limit = (now or datetime.now(timezone.utc)) - timedelta(days=max_age_days)
        gone = 0
        for path in self.dir.glob("*.json"):
            try:
                saved = SavedDraft.from_json(json.loads(path.read_text(encoding="utf-8")), path).saved_at
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
                saved = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
            if saved < limit:
                self.remove(path)
                gone += 1
        return gone

    def remove(self, path: Path) -> None:
        """Delete one draft file; one already gone is fine."""
        try:
            path.unlink()
        except FileNotFoundError:
            pass

    def paths_for(self, identity_id: str) -> list[Path]:
        """The draft files of one identity, without reading them."""
        if not self.dir.is_dir():
            return []
        return sorted(self.dir.glob(f"{_file_stem(identity_id)}--*.json"))

    def load(self) -> tuple[list[SavedDraft], list[str]]:
        """Every readable draft of this server, newest first, and a warning for each file that is not."""
        drafts: list[SavedDraft] = []
        problems: list[str] = []
        if not self.dir.is_dir():
            return drafts, problems
        for path in sorted(self.dir.glob("*.json")):
            if path.name.startswith("."):
                continue  # a write that never finished
            try:
                draft = SavedDraft.from_json(json.loads(path.read_text(encoding="utf-8")), path)
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
                problems.append(f"Skipped the unreadable draft {path} ({_reason(exc)}).")
                continue
            if draft.server != self.server:
                problems.append(f"Skipped the draft {path}: it belongs to {draft.server}.")
                continue
            drafts.append(draft)
        drafts.sort(key=lambda d: d.saved_at, reverse=True)
        return drafts, problems


def _file_stem(identity_id: str | None) -> str:
    if identity_id is None:
        return "new"
    if _SAFE_NAME.fullmatch(identity_id) and "--" not in identity_id:
        return identity_id
    return "id-" + hashlib.sha256(identity_id.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return one_line(text, 120)


# -- keeping one form's draft ------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    identity_id: str | None
    base: Identity | None
    texts: FormTexts


class DraftKeeper:
    """One form's draft: debounced writes while it is modified, removal when it is not, a flush on demand.

    It only ever removes the file it wrote (or adopted on restore), so opening an identity that has an
    older draft on disk never deletes that draft.
    """

    def __init__(
        self,
        store: DraftStore,
        form_id: str,
        *,
        delay: float = DELAY,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.store = store
        self.form_id = form_id
        self.delay = delay
        self.max_wait = max_wait
        self.clock = clock
        self.now = now
        self.written: Path | None = None
        self.closed = False
        self._on_disk: _State | None = None
        self._pending: _State | None = None
        self._first_change: float | None = None
        self._due: float | None = None

    def adopt(self, draft: SavedDraft) -> None:
        """Take over a restored draft's file: it is this form's from now on (rewritten if it moves)."""
        self.written = draft.path
        if draft.path == self.store.path(self.form_id, draft.identity_id):
            self._on_disk = _State(draft.identity_id, draft.base, draft.texts)

    def update(self, identity_id: str | None, base: Identity | None, texts: FormTexts | None) -> None:
        """The form changed: ``texts`` when it is modified, None when it equals what was loaded."""
        if self.closed:
            return
        if texts is None:
            self._cancel()
            self._remove()
            return
        state = _State(identity_id, base, texts)
        if state == self._on_disk:
            self._cancel()
            return
        now = self.clock()
        if self._pending is None:
            self._first_change = now
        self._pending = state
        assert self._first_change is not None
        self._due = min(now + self.delay, self._first_change + self.max_wait)

    def wait(self) -> float | None:
        """Seconds until the pending write is due (0 when overdue), or None when nothing is pending."""
        if self._due is None:
            return None
        return max(0.0, self._due - self.clock())

    def tick(self) -> bool:
        """Write the pending draft if it is due; True when a file was written."""
        if self._due is None or self.clock() < self._due:
            return False
        return self.flush()

    def flush(self) -> bool:
        """Write the pending draft now (a signal, the app stopping); True when a file was written."""
        state = self._pending
        if state is None or self.closed:
            return False
        draft = SavedDraft(
            server=self.store.server,
            form_id=self.form_id,
            identity_id=state.identity_id,
            base=state.base,
            texts=state.texts,
            saved_at=self.now(),
        )
        path = self.store.write(draft)
        self._cancel()
        self._on_disk = state
        if self.written is not None and self.written != path:
            self.store.remove(self.written)  # a created identity's draft moves from new--… to its id
        self.written = path
        return True

    def discard(self) -> None:
        """The form was saved, discarded or deleted: remove its draft and keep no more."""
        self._cancel()
        self._remove()
        self.closed = True

    def _cancel(self) -> None:
        self._pending = None
        self._first_change = None
        self._due = None

    def _remove(self) -> None:
        if self.written is not None:
            self.store.remove(self.written)
        self.written = None
        self._on_disk = None


# -- words for the restore offer ------------------------------------------------------------------


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


def describe_changes(draft: SavedDraft) -> list[str]:
    """What restoring ``draft`` changes compared with its base, a short line each (for the restore offer)."""
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
    loaded: dict[str, Any] = {}
    for prop in base.properties:
        loaded.setdefault(prop.key, prop)
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
    """The form's fields that differ between the base a draft began from and the server's copy now."""
    out = [
        name
        for name in ("name", "identifier_key", "identity_type", "project_id")
        if _wire(getattr(base, name)) != _wire(getattr(fresh, name))
    ]
    before = {p.key: p for p in base.properties}
    after = {p.key: p for p in fresh.properties}
    changed = [k for k in after if k not in before or not same_property(before[k], after[k])]
    changed += [k for k in before if k not in after]
    out += [f"property {one_line(k, 24)}" for k in changed]
    if not changed and [p.key for p in base.properties] != [p.key for p in fresh.properties]:
        out.append("property order")
    return out


def _wire(value: Any) -> str:
    """JSON text that tells ``true`` from ``1`` and ``1`` from ``1.0``, unlike ``==``."""
    if isinstance(value, IdentityType):
        value = value.value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def as_new(draft: SavedDraft) -> SavedDraft:
    """The same texts as a new identity's draft (its identity was deleted on the server)."""
    return replace(draft, identity_id=None, base=None)
