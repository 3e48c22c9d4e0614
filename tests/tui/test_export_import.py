"""Export (x on the list) and import (the palette's "Import identities…") driven through the real app."""

from __future__ import annotations

import copy
import json

import httpx
import pytest
from textual.widgets import DataTable, Input

from identity_tui.core.where import matcher
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.screens.confirm import ConfirmScreen
from identity_tui.tui.screens.export import ExportScreen
from identity_tui.tui.screens.import_screen import ImportScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.list_model import Filters
from tests.support.faults import FaultyTransport, method
from tests.support.screen_text import screen_lines
from tests.support.edit_helpers import ALICE, ALICE_ID, BOB, writes
from tests.support.pilot import settle


def server_rows(sandbox, **query) -> list[dict]:
    client = httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.invalid")
    try:
        rows, after = [], None
        while True:
            params = {k: v for k, v in {**query, "limit": 100, "after": after}.items() if v is not None}
            page = client.get("/v1/identities/", params=params).json()
            rows.extend(page)
            if len(page) < 100:
                return rows
            after = page[-1]["id"]
    finally:
        client.close()


@pytest.fixture
def out_dir(tmp_path):
    """A folder of its own (tmp_path also holds the hermetic home)."""
    out = tmp_path / "out"
    out.mkdir()
    return out


def text(app) -> str:
    return "\n".join(screen_lines(app))


async def export_to(pilot, app, path) -> ExportScreen:
    await pilot.press("x")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ExportScreen)
    dialog.query_one("#export-path", Input).value = str(path)
    await pilot.press("enter")
    return dialog


def second_page_hangs() -> tuple[Sandbox, FaultyTransport]:
    """600 identities; an export's first page (500) comes back, the second never does."""
    big = Sandbox(path=":memory:")
    seed(big, 600, rng_seed=7)
    faulty = FaultyTransport(big.transport(), fault="hang",
                             match=lambda r: r.method == "GET" and "after" in r.url.params
                             and r.url.path == "/v1/identities/" and r.url.params.get("limit") == "500")
    return big, faulty


# -- export ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["jsonl", "json", "csv"])
async def test_x_exports_the_filtered_selection_and_says_how_many(make_app, sandbox, out_dir, ending):
    expected = server_rows(sandbox, identity_type="org")
    assert 0 < len(expected) < 120
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.screen.set_filters(Filters(identity_type="org"))
        await settle(pilot, app)
        target = out_dir / f"orgs.{ending}"
        await export_to(pilot, app, target)
        await settle(pilot, app)
        shown = text(app)
        assert f"Exported {len(expected)} identities to" in shown
        assert target.exists()
        body = target.read_text(encoding="utf-8")
        if ending == "jsonl":
            got = [json.loads(line) for line in body.splitlines()]
        elif ending == "json":
            got = json.loads(body)
        else:
            got = [{"id": line.split(",")[0]} for line in body.splitlines()[1:]]
        assert sorted(r["id"] for r in got) == sorted(r["id"] for r in expected)
        if ending != "csv":
            assert all(r["identity_type"] == "org" for r in got)
        assert sorted(p.name for p in out_dir.iterdir()) == [target.name]  # no .part left
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)


async def test_a_property_filter_on_the_list_narrows_the_export_too(make_app, people, out_dir):
    expected = [r["id"] for r in server_rows(people) if matcher(["age>=40"])(r)]
    assert ALICE_ID in expected and 1 < len(expected) < 60
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.screen.set_filters(Filters(where=("age>=40",)))  # a property filter: the server cannot apply it
        await settle(pilot, app)
        target = out_dir / "aged.jsonl"
        await export_to(pilot, app, target)
        await settle(pilot, app)
        assert "properties age>=40" in text(app)
        assert f"Exported {len(expected)} identities to" in text(app)
        got = [json.loads(line)["id"] for line in target.read_text().splitlines()]
        assert sorted(got) == sorted(expected)


async def test_esc_stops_an_export_and_removes_the_partial_file(make_app, out_dir):
    big, faulty = second_page_hangs()
    app = make_app(transport=faulty)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            target = out_dir / "all.jsonl"
            await export_to(pilot, app, target)
            await faulty.hanging.wait()
            await pilot.pause()
            parts = list(out_dir.glob(".all.jsonl.*.part"))
            assert len(parts) == 1 and parts[0].stat().st_size > 0  # 500 rows written (some still buffered)
            assert "Exporting… 500 of 600" in text(app)
            await pilot.press("escape")
            await settle(pilot, app)
            assert isinstance(app.screen, ExportScreen)  # it stays to say what happened
            assert "the partial file was removed" in text(app)
            assert list(out_dir.iterdir()) == []
    finally:
        big.close()


async def test_an_existing_file_is_replaced_only_after_a_second_enter(make_app, out_dir):
    target = out_dir / "old.jsonl"
    target.write_text("keep me\n")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await export_to(pilot, app, target)
        await settle(pilot, app)
        assert "exists: enter again replaces it" in text(app)
        assert target.read_text() == "keep me\n"
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Exported 120 identities" in text(app)
        assert len(target.read_text().splitlines()) == 120


# -- import ---------------------------------------------------------------------------------------------


def import_file(tmp_path, name: str = "in.jsonl") -> str:
    """Alice renamed with a new property (update), Carol (create), a bad type (invalid), Bob as he is (unchanged)."""
    alice = copy.deepcopy(ALICE)
    alice["name"] = "Alice Renamed"
    alice["properties"].append({"key": "tier", "type": "string", "value": "gold"})
    carol = {"identifier_key": "carol@example.com", "name": "Carol [b]Example[/b]", "identity_type": "user",
             "properties": [{"key": "seats", "type": "number", "value": 3}]}
    bad = {"identifier_key": "dave", "name": "Dave", "identity_type": "robot"}
    lines = [json.dumps(r) for r in (alice, carol, bad, BOB)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


async def plan(pilot, app, path: str) -> ImportScreen:
    app.action_import()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#import-path", Input).value = path
    await pilot.press("enter")
    await settle(pilot, app)
    return screen


async def test_import_plans_shows_the_table_and_applies_only_after_confirming(make_app, people, tmp_path):
    path = import_file(tmp_path)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        people.clear_log()
        screen = await plan(pilot, app, path)
        shown = text(app)
        assert "1 create · 1 update · 1 unchanged · 1 invalid" in shown
        assert screen.query_one("#import-table", DataTable).row_count == 4
        assert "PATCH: name +tier" in shown  # what the update sends
        assert "identity_type must be org, user or other" in shown
        assert "Carol [b]Example[/b]" in shown  # untrusted text shown literally
        assert writes(people) == []
        # enter asks first; esc there sends nothing
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        flat = " ".join(line.strip(" │") for line in screen_lines(app))
        assert f"to {app.conn.label}?" in flat and "sandbox.invalid" not in flat  # named as the header names it
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen and writes(people) == []
        # enter, then yes
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert "Applied: 1 created, 1 updated, 0 existed already, 0 failed." in text(app)
        assert people.store.find_by_key("carol@example.com", None)["name"] == "Carol [b]Example[/b]"
        alice = people.store.get(ALICE_ID)
        assert alice["name"] == "Alice Renamed"
        assert {"key": "tier", "type": "string", "value": "gold"} in alice["properties"]
        # a second apply of the same file: planned again, nothing to do, nothing sent
        people.clear_log()
        await pilot.press("enter")
        await settle(pilot, app)
        assert "0 create · 0 update · 3 unchanged · 1 invalid" in text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Nothing to do" in text(app)
        assert not isinstance(app.screen, ConfirmScreen)
        assert writes(people) == []


async def test_a_failed_row_is_reported_and_the_report_copied(make_app, people, tmp_path):
    path = import_file(tmp_path)
    faulty = FaultyTransport(people.transport(), fault="500", match=method("POST", "/v1/identities"))
    app = make_app(transport=faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await plan(pilot, app, path)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        shown = text(app)
        assert "Applied: 0 created, 1 updated, 0 existed already, 1 failed." in shown
        assert "line 2 (carol@example.com): failed:" in shown
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard.startswith("Applied: 0 created, 1 updated")
        assert "line 2 (carol@example.com): failed:" in app.clipboard
        assert people.store.find_by_key("carol@example.com", None) is None


async def test_esc_before_applying_leaves_with_nothing_sent(make_app, people, tmp_path):
    path = import_file(tmp_path)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        people.clear_log()
        await plan(pilot, app, path)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert writes(people) == []


async def test_read_only_shows_the_plan_but_refuses_to_apply(make_app, people, tmp_path):
    path = import_file(tmp_path)
    app = make_app(readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        people.clear_log()
        screen = await plan(pilot, app, path)
        assert screen.query_one("#import-table", DataTable).row_count == 4
        assert "read-only: this plan cannot be applied" in text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert writes(people) == []


async def test_a_missing_file_is_one_sentence(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await plan(pilot, app, str(tmp_path / "nope.jsonl"))
        assert "There is no file" in text(app)


async def test_esc_stops_waiting_for_a_plan_with_nothing_sent(make_app, people, tmp_path):
    path = import_file(tmp_path)
    faulty = FaultyTransport(people.transport())
    app = make_app(transport=faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.action_import()
        await pilot.pause()
        faulty.arm("hang", method("GET", "/v1/identities"))
        app.screen.query_one("#import-path", Input).value = path
        await pilot.press("enter")
        await faulty.hanging.wait()
        await pilot.pause()
        assert "Read 4 rows from" in text(app)  # the progress while the server is asked
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ImportScreen)
        assert "Stopped reading: nothing was sent." in text(app)
        assert [r for r in faulty.seen if r.method != "GET"] == []


async def test_esc_during_the_apply_stops_waiting_and_says_what_was_sent(make_app, people, tmp_path):
    path = import_file(tmp_path)
    faulty = FaultyTransport(people.transport())
    app = make_app(transport=faulty)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await plan(pilot, app, path)
        faulty.arm("hang", method("POST", "/v1/identities"))  # Carol's create never answers
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await faulty.hanging.wait()
        await settle_until_patched(pilot, people)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ImportScreen)
        assert "Stopped after 1 of 2 rows" in text(app)
        assert people.store.get(ALICE_ID)["name"] == "Alice Renamed"


async def settle_until_patched(pilot, sandbox) -> None:
    """Wait (on the app's own turns, not the clock) until the update reached the server."""
    for _ in range(200):
        if any(r.method == "PATCH" for r in sandbox.request_log):
            return
        await pilot.pause()
    raise AssertionError("the update never reached the server")


async def test_the_palette_offers_export_import_and_history(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Export identities…", "Import identities…", "History", "History of this identity"):
            assert title in titles


async def test_a_fifo_or_a_device_is_refused_in_one_sentence_and_left_as_it_is(make_app, out_dir):
    """The app writes files only: a FIFO would hold the whole interface until some reader opened it."""
    import os
    import stat

    fifo = out_dir / "pipe.jsonl"
    os.mkfifo(fifo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await export_to(pilot, app, fifo)
        await settle(pilot, app)
        assert "is not a regular file" in text(app)
        await pilot.press("enter")  # a second enter does not write to it either
        await settle(pilot, app)
        assert "is not a regular file" in text(app)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


async def test_a_hang_up_during_an_export_ends_the_app_and_leaves_no_partial_file(make_app, out_dir):
    """SIGHUP or SIGTERM while a page is on its way: the app ends (128 + signal) and the hidden .part goes too."""
    import signal

    big, faulty = second_page_hangs()
    app = make_app(transport=faulty)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await export_to(pilot, app, out_dir / "all.jsonl")
            await faulty.hanging.wait()
            await pilot.pause()
            assert len(list(out_dir.glob(".all.jsonl.*.part"))) == 1
            app.hang_up(signal.SIGTERM)
            for _ in range(500):  # until the exit it asked for has begun (a hang guard, not a clock)
                if app.return_code is not None:
                    break
                await pilot.pause()
        assert app.return_code == 128 + signal.SIGTERM
        assert list(out_dir.iterdir()) == []
    finally:
        big.close()

