"""The [keymap] of config.toml: mistakes are said at start, clashes are resolved visibly, help tells the truth."""

from __future__ import annotations

from identity_tui.core.config import Config
from identity_tui.tui.screens.help import HelpScreen
from identity_tui.tui.widgets.identity_table import IdentityTable
from identity_tui.tui.widgets.key_bar import KeyBar
from tests.support.pilot import settle


def recording(app) -> list[str]:
    """Messages the app shows as notifications."""
    seen: list[str] = []
    notify = app.notify

    def record(message, *args, **kwargs):
        seen.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = record
    return seen


def help_rows(app) -> dict[str, str]:
    assert isinstance(app.screen, HelpScreen)
    return {binding_id: keys for keys, _description, binding_id in app.screen.rows}


def info(app) -> str:
    return str(app.screen.query_one("#page-info").render())


async def test_unknown_ids_and_keys_that_are_not_keys_are_said_in_one_sentence(make_app):
    app = make_app(config=Config(keymap={"list.nope": "x", "list.next_page": "notakey+++"}))
    notes = recording(app)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot, app)
        keymap_notes = [n for n in notes if "Keymap" in n or "keymap" in n]
        assert len(keymap_notes) == 1, notes
        assert "list.nope" in keymap_notes[0] and "notakey+++" in keymap_notes[0]
        assert "notakey" not in str(app.screen.query_one(KeyBar).render())
        # the bad key is not bound: ] still turns the page
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert app.screen.page_number == 2


async def test_a_key_taken_from_a_built_in_works_and_the_loser_is_named(make_app):
    app = make_app(config=Config(keymap={"list.new": "j"}))
    notes = recording(app)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot, app)
        sentence = next(n for n in notes if "list.new" in n)
        assert "table.down" in sentence
        opened = []
        app.new_identity = lambda: opened.append(True)
        await pilot.press("j")
        await pilot.pause()
        assert opened, "j did not reach New"
        assert app.screen.query_one(IdentityTable).cursor_row == 0
        await pilot.press("down")
        assert app.screen.query_one(IdentityTable).cursor_row == 1
        await pilot.press("question_mark")
        await pilot.pause()
        rows = help_rows(app)
        assert rows["list.new"] == "j"
        assert rows["table.down"] == "down"


async def test_the_page_line_shows_the_keys_actually_bound(make_app):
    app = make_app(config=Config(keymap={"list.next_page": "ctrl+f", "list.last_page": "L"}))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot, app)
        assert "ctrl+f next" in info(app) and "L last" in info(app)
        assert "] next" not in info(app)


async def test_help_shows_what_a_person_presses(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = help_rows(app)
        assert rows["list.last_page"] == "> / ctrl+end"
        assert rows["list.first_page"] == "< / ctrl+home"
        assert "_sign" not in app.export_screenshot()


def test_key_names_read_as_the_key_pressed():
    from identity_tui.tui.keymap import keys_label

    assert keys_label("slash") == "/"
    assert keys_label("question_mark,f1") == "? / f1"
    assert keys_label("minus,plus,at") == "- / + / @"
    assert keys_label("escape,enter,space,pagedown") == "esc / enter / space / pagedown"
