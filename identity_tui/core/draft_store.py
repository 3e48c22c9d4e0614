"""The drafts on disk: one private directory per server, one JSON file per open form, written atomically.

Each file sits under ``state_dir()/drafts/<server hash>/``, mode 0600 in a 0700 directory, named by the
identity and the form it belongs to.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from identity_tui.core.config import write_private
from identity_tui.core.display import one_line
from identity_tui.core.draft_texts import SavedDraft
from identity_tui.core.jsontext import dumps, loads

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


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
        # One line, by the recursion-safe writer: a value the server holds may be nested far deeper than
        # the stack left inside the app can follow, and a draft of 10,000 rows is written in milliseconds.
        write_private(path, dumps(draft.to_json()) + "\n")
        return path

    def prune(self, max_age_days: int, now: datetime | None = None) -> int:
        """Remove this server's drafts saved more than ``max_age_days`` ago; how many went."""
        if max_age_days <= 0 or not self.dir.is_dir():
            return 0
        limit = (now or datetime.now(timezone.utc)) - timedelta(days=max_age_days)
        gone = 0
        for path in self.dir.glob("*.json"):
            try:
                saved = SavedDraft.from_json(loads(path.read_text(encoding="utf-8")), path).saved_at
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
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
                draft = SavedDraft.from_json(loads(path.read_text(encoding="utf-8")), path)
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError) as exc:
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
    if isinstance(exc, RecursionError):  # its own words name the decoder's internals
        return "nested too deeply to read"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return one_line(text, 120)
