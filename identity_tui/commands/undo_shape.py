"""``undo --format json``: one shape for one write undone, whether by ``undo`` or within an undo of a batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from identity_tui.core.history import record_key

if TYPE_CHECKING:
    from identity_tui.core.journal import Record


def undo_json(status: str, rec: Record, *, would: str | None = None, requests: list[dict[str, object]] | None = None,
              identity_id: str | None = None, note: str | None = None) -> dict[str, object]:
    """``undo --format json``, one shape whatever happened: ``status`` (``dry_run``, ``nothing_to_undo``,
    ``not_sent``, or what the undo did: ``saved``, ``deleted``, ``recreated``, ...), the ``record`` and its
    ``operation``, ``identifier_key`` and ``identity_id``, what it ``would`` do, the ``requests`` (sent, or
    that would be), and a ``note``."""
    return {"status": status, "record": rec.id, "operation": rec.operation, "identifier_key": record_key(rec),
            "identity_id": identity_id or rec.identity_id, "would": would, "requests": requests or [],
            "note": note}
