"""Snapshot tests at 80x24: the export dialog, an import plan, and the history screen (fixed journal times)."""

from __future__ import annotations

import json
import time

import pytest
from textual.widgets import Input

from identity_tui.core.journal import Record
from tests.support.pilot import settle


@pytest.fixture
def utc(monkeypatch):
    """Times on screen are local: make local UTC so that the snapshots do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_export_dialog_80x24(snap_compare, make_app, monkeypatch):
    monkeypatch.chdir("/")  # the dialog names the whole path: the same on every machine

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("x")
        await pilot.pause()
        pilot.app.screen.query_one("#export-path", Input).value = "identities-20261130-120000.jsonl"
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_import_plan_80x24(snap_compare, make_app, sandbox, tmp_path):
    rows = [
        {"identifier_key": "new-org", "name": "New Org [b]literal[/b]", "identity_type": "org",
         "properties": [{"key": "tier", "type": "string", "value": "gold"}]},
        {"identifier_key": "bad", "name": "Bad", "identity_type": "robot"},
        {"identifier_key": "other", "name": "Other", "identity_type": "user"},
    ]
    path = tmp_path / "plan.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        pilot.app.action_import()
        await pilot.pause()
        pilot.app.screen.query_one("#import-path", Input).value = "plan.jsonl"
        pilot.app.screen.start_plan(str(path))
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def _record(n: int, operation: str, key: str, before: dict | None, after: dict | None, outcome: str) -> dict:
    return Record(
        id=f"20261130120{n}00-0000000{n}", time=f"2026-11-30T12:0{n}:00.000+00:00", server="sandbox",
        operation=operation, identity_id=f"identity-{n}", identifier_key=key, requests=[],
        before=before, after=after, outcome=outcome,
    ).to_json()


def test_history_80x24(snap_compare, make_app, utc):
    acme = {"id": "identity-1", "identifier_key": "acme", "name": "Acme", "identity_type": "org", "project_id": None,
            "properties": [{"key": "tier", "type": "string", "value": "silver"}]}
    renamed = {**acme, "name": "Acme Inc", "properties": [{"key": "tier", "type": "string", "value": "gold"},
                                                            {"key": "seats", "type": "number", "value": 10}]}
    records = [
        _record(1, "create", "acme", None, acme, "created"),
        _record(2, "update", "acme", acme, renamed, "saved"),
    ]

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot, app)
        path = app.client.journal.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in records) + "damaged\n")
        app.action_history()
        await settle(pilot, app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_file_picker_80x24(snap_compare, make_app, monkeypatch):
    # The picker names its folder in full: a folder of the same name on every machine.
    import shutil
    from pathlib import Path

    folder = Path("/tmp/identity-tui-picker-snapshot")
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "exports").mkdir(parents=True)
    for name in ("people.jsonl", "orgs.csv", "notes.txt", "evil\x1b[2J[b]x.json"):
        (folder / name).write_text("")
    monkeypatch.chdir(folder)

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        pilot.app.action_import()
        await settle(pilot, pilot.app)
        await pilot.press("ctrl+o")
        for _ in range(2000):  # the tree reads the folder in a thread: a hang guard, not a timing
            await pilot.pause(0.01)
            tree = pilot.app.screen.query_one("#picker-tree")
            if len(tree.root.children) == 4:
                break
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
