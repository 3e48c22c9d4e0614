"""The journal's files as a test reads them: every record, its intent folded with the outcome written under its id."""

from __future__ import annotations

import json
import os
from pathlib import Path


def journal_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "identity-tui" / "journal"


def folded(root: Path | None = None) -> list[dict]:
    """Every record on disk, oldest first, each intent updated by the outcome line written under its id."""
    files = sorted((root or journal_dir()).glob("*.jsonl"))
    out: dict[str, dict] = {}
    for line in (line for f in files for line in f.read_text().splitlines() if line.strip()):
        data = json.loads(line)
        if "outcome_of" in data:
            out[data["outcome_of"]].update({k: v for k, v in data.items() if k not in ("id", "outcome_of")})
        else:
            out[data["id"]] = data
    return list(out.values())


def lines(root: Path | None = None) -> list[dict]:
    """Every line on disk, as written (intents and outcomes apart)."""
    files = sorted((root or journal_dir()).glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]
