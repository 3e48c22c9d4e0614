"""The edit form driven by key presses against the in-process sandbox; every assertion on what was sent."""

from __future__ import annotations

import httpx
from textual.widgets import Input, Switch

from identity_tui.core.config import Config
from identity_tui.tui.screens.confirm import ConfirmScreen, LeaveScreen
from identity_tui.tui.screens.edit import EditScreen
from identity_tui.tui.screens.list import ListScreen
from identity_tui.tui.screens.preview import PreviewScreen
from identity_tui.tui.widgets.value_editors import JsonValueEditor
from tests.support.edit_helpers import (
    ALICE,
    ALICE_ID,
    ALICE_PATH,
    focus_field,
    focus_on,
    keys,
    message,
    open_alice,
    save_with_preview,
    writes,
)
from tests.support.pilot import settle


def row(screen, i):
    """What row ``i`` holds: key, type, value, origin."""
    return screen.form.values().rows[i]


def focused(screen, app) -> str | None:
    """Where the focus is, by field name."""
    return screen.form.focus_path(app.focused)


async def test_opens_with_the_cursor_at_the_end_of_the_name(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        name = screen.query_one("#name", Input)
        assert app.focused is name
        assert name.cursor_position == len("Alice Example")
        assert keys(screen) == ["email", "age", "verified", "prefs"]
        assert screen.modified == set()
        assert app.cursor_position == name.cursor_screen_offset, "the terminal's cursor is in the name"


async def test_the_terminals_cursor_stays_in_the_focused_name_while_the_cursor_row_changes_under_it(
        make_app, people):
    """The live row loads another row's values into its fields; a field given a value moves the terminal's
    cursor to itself even without the focus, so the cursor showed (and a terminal's input method typed) in a
    row that had not the focus."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        name = screen.query_one("#name", Input)
        for row in (2, 3, 0):  # a string, a JSON and a string row: each editor kind in turn
            screen.form.go_to_row(row)
            await settle(pilot, app)
            assert app.focused is name
            assert app.cursor_position == name.cursor_screen_offset, row
        screen.form.show(screen.form.loaded)  # the form shown afresh (a reload): every field is given its value
        await settle(pilot, app)
        assert app.focused is name and app.cursor_position == name.cursor_screen_offset


async def test_the_add_property_button_adds_a_row_and_puts_the_keyboard_in_its_key(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_on(pilot, app, screen.query_one("#add-property"))
        await pilot.press("enter")
        await settle(pilot, app)
        assert keys(screen) == ["email", "age", "verified", "prefs", ""]
        assert screen.form.focus_path(app.focused) == "properties.4.key"
        await pilot.press(*"plan")
        await settle(pilot, app)
        assert keys(screen)[-1] == "plan"


async def test_tab_walks_fields_then_rows_then_buttons(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        seen = []
        for _ in range(17):
            seen.append(app.focused.id or sorted(app.focused.classes & {"prop-key", "prop-type", "value-editor"})
                        or ("Switch" if isinstance(app.focused, Switch) else type(app.focused).__name__))
            await pilot.press("tab")
        flat = [s if isinstance(s, str) else s[0] for s in seen]
        assert flat == [
            "name", "identifier-key", "identity-type",
            "prop-key", "prop-type", "value-editor",
            "prop-key", "prop-type", "value-editor",
            "prop-key", "prop-type", "Switch",
            "prop-key", "prop-type", "value-editor",
            "add-property", "save",
        ]
        assert app.focused.id == "revert"
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused.id == "add-property"
        assert screen.modified == set()


async def test_shift_tab_enters_the_rows_at_the_last_value_and_walks_back_row_by_row(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_on(pilot, app, screen.query_one("#add-property"))
        seen = []
        for _ in range(7):
            await pilot.press("shift+tab")
            seen.append(focused(screen, app))
        assert seen == [
            "properties.3.value", "properties.3.type", "properties.3.key",
            "properties.2.value", "properties.2.type", "properties.2.key", "properties.1.value",
        ]
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
        assert focused(screen, app) == "properties.0.key"
        await pilot.press("shift+tab")  # out of the rows, above them
        assert focused(screen, app) == "identity_type"
        await pilot.press("tab")
        assert focused(screen, app) == "properties.0.key"  # from above, the rows start at the first
        assert screen.modified == set()


async def test_up_down_and_enter_move_between_rows_in_the_same_column(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.0.key")
        await pilot.press("down")
        assert focused(screen, app) == "properties.1.key"
        await pilot.press("enter", "enter")
        assert focused(screen, app) == "properties.3.key"
        await pilot.press("enter")  # the last row: enter stays
        assert focused(screen, app) == "properties.3.key"
        await pilot.press("up", "up", "up")
        assert focused(screen, app) == "properties.0.key"
        await pilot.press("tab", "tab", *"x", "enter", *"1")  # email's value, then age's
        assert [row.value for row in screen.form.values().rows[:2]] == ["alice@example.comx", 421]


async def test_a_click_on_a_row_puts_the_keyboard_in_its_key(make_app, people):
    from identity_tui.tui.widgets.property_grid import PropertyGrid

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        assert focused(screen, app) == "name"
        await pilot.click(PropertyGrid, offset=(5, 3))  # under the header: rows 0, 1, then 2 (verified)
        await pilot.pause()
        assert focused(screen, app) == "properties.2.key"
        assert app.focused.value == "verified"


async def test_edit_one_string_property_sends_one_patch_with_that_property(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.0.value")
        await pilot.press("backspace", "backspace", "backspace", *"org")
        assert screen.modified >= {"properties.0.value"}
        assert "value" in screen.form.row_view(0).modified
        await save_with_preview(pilot, app)
        assert writes(people) == [
            ("PATCH", ALICE_PATH, {"properties": [{"key": "email", "value": "alice@example.org", "type": "string"}]})
        ]
        assert message(app) == "Saved."
        assert screen.modified == set()
        assert row(screen, 0).value == "alice@example.org"


async def test_rename_only_sends_the_name(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*" Jr")
        assert screen.modified == {"name"}
        assert "modified" in str(screen.query_one("#edit-title").render())
        await save_with_preview(pilot, app)
        assert writes(people) == [("PATCH", ALICE_PATH, {"name": "Alice Example Jr"})]


async def test_delete_a_property_sends_one_put_with_the_rest(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.key")
        await pilot.press("ctrl+d")
        assert keys(screen) == ["email", "verified", "prefs"]
        assert focused(screen, app) == "properties.1.key"  # the row that took its place
        assert "1 removed" in str(screen.query_one("#props-title").render())
        await save_with_preview(pilot, app)
        rest = [p for p in ALICE["properties"] if p["key"] != "age"]
        assert writes(people) == [("PUT", ALICE_PATH + "/properties", rest)]


async def test_rename_and_delete_a_property_send_patch_then_put(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("!")
        await focus_field(pilot, app, screen, "properties.3.key")
        await pilot.press("ctrl+d")
        await pilot.press("ctrl+s")
        await settle(pilot, app)  # the re-read before the preview
        preview = str(app.screen.query_one("#preview-body").render())
        assert "PATCH" in preview and "PUT" in preview and "Why a PUT" in preview
        await pilot.press("enter")
        await settle(pilot, app)
        assert writes(people) == [
            ("PATCH", ALICE_PATH, {"name": "Alice Example!"}),
            ("PUT", ALICE_PATH + "/properties", ALICE["properties"][:3]),
        ]
        assert screen.modified == set()


async def test_no_change_sends_nothing(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("x", "backspace")  # typed and taken back: equal to what was loaded
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen)
        assert writes(people) == []
        assert message(app) == "Nothing changed: nothing was sent."
        assert screen.modified == set()


async def test_invalid_number_is_refused_with_the_error_beside_the_row(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press("backspace", "backspace", *"1_000")
        assert "Not a number" in screen.form.error_line(1)
        await focus_on(pilot, app, screen.query_one("#name"))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, PreviewScreen)
        assert writes(people) == []
        assert focused(screen, app) == "properties.1.value"  # focus jumped to the first error
        assert message(app).startswith("Not saved: 1 problem. row 2 value: Not a number")


async def test_invalid_json_names_line_and_column_and_sends_nothing(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.3.value")
        assert isinstance(app.focused, JsonValueEditor)
        await pilot.press("down", "end", "backspace")  # the comma after "dark"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert writes(people) == []
        error = screen.form.error_line(3)
        assert error == "row 4: value: Line 3, column 3: Expecting ',' delimiter."
        assert focused(screen, app) == "properties.3.value"


async def test_json_array_is_refused(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.3.value")
        app.focused.select_all()
        await pilot.press(*"[1, 2]")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert writes(people) == []
        assert "not an array" in screen.form.error_line(3)


async def test_409_keeps_the_form_and_says_the_key_is_taken(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        key = screen.query_one("#identifier-key", Input)
        await focus_on(pilot, app, key)
        await pilot.press("ctrl+u", *"bob@example.com")
        await save_with_preview(pilot, app)
        assert [(m, p) for m, p, _ in writes(people)] == [("PATCH", ALICE_PATH)]
        assert people.request_log[-1].status == 409
        assert isinstance(app.screen, EditScreen)
        assert key.value == "bob@example.com"
        assert screen.modified == {"identifier_key"}
        assert "is already used by another identity in this project (409)" in message(app)
        assert "Already used" in str(screen.query_one("#identifier_key-error").render())
        assert app.focused is key


async def test_number_keeps_int_or_float_and_a_silently_dropped_change_is_reported(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press(*".0")  # 42 -> 42.0: the server keeps 42, Python calls them equal
        assert row(screen, 1).value == 42.0 and isinstance(row(screen, 1).value, float)
        await save_with_preview(pilot, app)
        assert writes(people) == [
            ("PATCH", ALICE_PATH, {"properties": [{"key": "age", "value": 42.0, "type": "number"}]})
        ]
        assert "the server kept different values for: properties.age" in message(app)
        assert row(screen, 1).value == 42  # the form shows what the server holds


async def test_space_toggles_a_boolean(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.2.value")
        assert isinstance(app.focused, Switch)
        await pilot.press("space")
        assert screen.form.row_view(2).text == "false"
        assert "false" in str(screen.query_one(".bool-label").render())
        await save_with_preview(pilot, app)
        assert writes(people) == [
            ("PATCH", ALICE_PATH, {"properties": [{"key": "verified", "value": False, "type": "boolean"}]})
        ]


async def test_add_a_row_by_keyboard_appends_it_and_patches(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("ctrl+n")
        assert focused(screen, app) == "properties.4.key"
        await pilot.press(*"plan", "tab", "tab", *"pro")
        await save_with_preview(pilot, app)
        assert writes(people) == [
            ("PATCH", ALICE_PATH, {"properties": [{"key": "plan", "value": "pro", "type": "string"}]})
        ]


async def test_a_is_a_letter_and_ctrl_n_adds_a_row(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("a")  # typed into the name
        assert screen.query_one("#name", Input).value == "Alice Examplea"
        assert len(keys(screen)) == 4
        await focus_field(pilot, app, screen, "properties.2.value")
        assert isinstance(app.focused, Switch)
        await pilot.press("a")  # no text field: still no row
        assert len(keys(screen)) == 4
        await pilot.press("ctrl+n")
        assert len(keys(screen)) == 5


async def test_empty_and_duplicate_keys_are_errors_on_both_rows(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.key")
        await pilot.press("ctrl+u", *"email")
        for i in (0, 1):
            assert "used twice" in screen.form.error_line(i)
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Key is required" in screen.form.error_line(4)
        assert writes(people) == []


async def test_move_a_row_down_sends_a_put_in_the_new_order(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.0.key")
        await pilot.press("alt+down")
        assert keys(screen) == ["age", "email", "verified", "prefs"]
        assert focused(screen, app) == "properties.1.key"
        await pilot.press("ctrl+up", "ctrl+up")  # back to the top; a second press stays there
        assert keys(screen) == ["email", "age", "verified", "prefs"]
        assert screen.modified == set()
        await pilot.press("alt+down")
        await save_with_preview(pilot, app)
        props = ALICE["properties"]
        assert writes(people) == [("PUT", ALICE_PATH + "/properties", [props[1], props[0], props[2], props[3]])]


async def test_change_type_converts_or_asks_for_a_value(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.1.type")
        await pilot.press("ctrl+t")  # number -> boolean: 42 is not true or false
        await settle(pilot, app)
        assert row(screen, 1).type.value == "boolean"
        assert "Enter a value: space toggles" in screen.form.error_line(1)
        await pilot.press("ctrl+t")  # boolean -> json: still nothing to convert
        await pilot.press("ctrl+t")  # json -> string
        await settle(pilot, app)
        assert row(screen, 1).value == ""
        await focus_field(pilot, app, screen, "properties.1.value")
        await pilot.press(*"17")
        await pilot.press("shift+tab")
        assert focused(screen, app) == "properties.1.type"
        await pilot.press("ctrl+t")  # string "17" -> number 17
        await settle(pilot, app)
        assert row(screen, 1).value == 17
        await save_with_preview(pilot, app)
        assert writes(people) == [
            ("PATCH", ALICE_PATH, {"properties": [{"key": "age", "value": 17, "type": "number"}]})
        ]


async def test_boolean_to_string_converts(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.2.type")
        await pilot.press("ctrl+t", "ctrl+t")  # boolean -> json (asks) -> string ("" from the asked value)
        await settle(pilot, app)
        # true -> "true" directly through the select:
        await pilot.press("ctrl+t")  # string -> number: "" cannot convert
        await settle(pilot, app)
        assert row(screen, 2).type.value == "number"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("escape")  # the first form ended modified: its draft is offered, put off for later
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.2.type")
        screen.form.widget_for("properties.2.type").value = "string"
        await settle(pilot, app)
        assert row(screen, 2).value == "true"


async def test_revert_restores_the_loaded_values(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*"zz")
        await focus_field(pilot, app, screen, "properties.0.key")
        await pilot.press("ctrl+d")
        await pilot.press("ctrl+z")  # the field's own undo, if any: never the whole form
        await pilot.pause()
        assert app.screen is screen
        assert len(keys(screen)) == 3
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.query_one("#name", Input).value == "Alice Example"
        assert len(keys(screen)) == 4
        assert screen.modified == set()
        assert writes(people) == []


async def test_leaving_with_unsaved_changes_asks_and_stay_and_discard_work(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press(*"!!")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#name", Input).value == "Alice Example!!"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")  # discard
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert writes(people) == []


async def test_leaving_and_choosing_save_saves_then_leaves(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("!")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await settle(pilot, app)  # the re-read before the preview
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)
        assert writes(people) == [("PATCH", ALICE_PATH, {"name": "Alice Example!"})]


async def test_leaving_unmodified_form_does_not_ask(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ListScreen)


async def test_quit_with_unsaved_changes_asks_first(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await focus_field(pilot, app, screen, "properties.2.value")
        await pilot.press("space")
        await pilot.press("q")  # a letter never quits from the form
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("d")
        await pilot.pause()
    assert app.return_code == 0
    assert writes(people) == []


async def test_escape_in_preview_returns_to_the_form_unchanged(make_app, people):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("!")
        await pilot.press("ctrl+s")
        await settle(pilot, app)  # the re-read before the preview
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
        assert screen.modified == {"name"}
        assert writes(people) == []


async def test_preview_can_be_turned_off(make_app, people):
    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("!", "f2")
        await settle(pilot, app)
        assert writes(people) == [("PATCH", ALICE_PATH, {"name": "Alice Example!"})]


async def test_readonly_refuses_to_save_and_hides_write_keys(make_app, people):
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)
        assert writes(people) == []
        assert "Read-only" in message(app)
        assert "read-only" in str(screen.query_one("#edit-title").render())
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert not shown & {"save", "add_property", "delete_property", "cycle_type", "delete_identity"}
        assert not screen.query_one("#save").display


async def test_partial_success_reports_what_was_applied_and_keeps_the_rest_marked(make_app, people):
    inner = people.transport()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            detail = "[{'type': 'x', 'loc': ('body', 0, 'value'), 'msg': 'Input should be a valid string'}]"
            return httpx.Response(422, json={"trace_id": "", "detail": detail})
        return inner.handle_request(request)

    app = make_app(transport=httpx.MockTransport(handler))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("!")
        await focus_field(pilot, app, screen, "properties.3.key")
        await pilot.press("ctrl+d")
        await save_with_preview(pilot, app)
        assert writes(people) == [("PATCH", ALICE_PATH, {"name": "Alice Example!"})]  # the PUT never arrived
        text = message(app)
        assert text.startswith("Partly saved. Applied: PATCH (set name). Not applied: PUT")
        assert screen.modified == {"properties"}  # the name landed; the removal is still to do
        assert "1 removed" in str(screen.query_one("#props-title").render())
        assert people.store.get(ALICE_ID)["name"] == "Alice Example!"


async def test_404_on_save_offers_to_recreate_with_one_post(make_app, people, fixed_ids):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        people.store.delete(ALICE_ID)  # someone else deleted it meanwhile
        await pilot.press("!", "ctrl+s")
        await settle(pilot, app)  # the read before sending finds it gone: no PATCH is tried
        assert "was deleted on the server after you opened it (404)" in message(app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # re-create
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        sent = writes(people)
        assert [m for m, _, _ in sent] == ["POST"]
        assert sent[0][2] == {
            "identifier_key": "alice@example.com",
            "name": "Alice Example!",
            "identity_type": "user",
            "properties": ALICE["properties"],
        }
        assert isinstance(app.screen, ListScreen)


async def test_e_opens_the_value_in_editor_only_outside_text_fields(make_app, people, monkeypatch, tmp_path):
    import contextlib

    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\nprintf \'{"theme": "light"}\\n\' > "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    app = make_app()
    monkeypatch.setattr(type(app), "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("e")  # typing in the name: just a letter
        assert screen.query_one("#name", Input).value == "Alice Examplee"
        await focus_field(pilot, app, screen, "properties.3.value")
        await pilot.press("f4")
        await settle(pilot, app)
        assert row(screen, 3).value == {"theme": "light"}


async def test_opening_another_identity_from_a_modified_form_asks(make_app, people):
    from identity_tui.core.models import Identity

    from tests.support.edit_helpers import BOB

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alice(pilot, app)
        await pilot.press("!")
        app.open_identity(Identity.model_validate({**BOB}))
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, EditScreen) and app.screen.identity_id == BOB["id"]
        assert writes(people) == []


async def test_untrusted_text_is_shown_literally(make_app, sandbox):
    sandbox.store.insert({
        "id": "identity-00000000-0000-4000-8000-0000000000bd",
        "identifier_key": "[b]key[/b]",
        "name": "[bold red]not red[/] \x1b[31m",
        "identity_type": "user",
        "project_id": "[i]proj[/i]",
        "properties": [{"key": "[u]k[/u]", "value": "[link=x]v[/link]", "type": "string"}],
    })
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert "[bold red]not red[/] \\x1b[31m" in str(screen.query_one("#edit-title").render())
        assert str(screen.query_one("#project-text").render()) == "[i]proj[/i]  (fixed: cannot be changed)"
        assert row(screen, 0).key == "[u]k[/u]"
        assert row(screen, 0).value == "[link=x]v[/link]"
        assert screen.modified == set()
        # The value keeps its ESC, but what reaches the terminal shows it as a symbol.
        name = screen.query_one("#name", Input)
        assert name.value == "[bold red]not red[/] \x1b[31m"
        drawn = "".join(segment.text for segment in name.render_line(0))
        assert "\x1b" not in drawn and "\u241b[31m" in drawn


async def test_a_stored_value_of_the_wrong_type_is_not_a_change_but_is_flagged(make_app, sandbox):
    sandbox.store.insert({
        "id": "identity-00000000-0000-4000-8000-0000000000ce",
        "identifier_key": "odd",
        "name": "Odd",
        "identity_type": "other",
        "project_id": None,
        "properties": [{"key": "n", "value": "abc", "type": "number"}],  # the server never checks
    })
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert screen.modified == set()
        assert 'stored: "abc" (not a number)' in screen.form.error_line(0)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert writes(sandbox) == []
        assert focused(screen, app) == "properties.0.value"


async def test_palette_and_help_list_the_form_actions(make_app, people):
    from identity_tui.tui.screens.help import collect

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        names = [c.title for c in app.get_system_commands(screen)]
        for title in ("Save", "Revert", "Add property", "Delete property", "Move property up",
                      "Change property type", "Edit value in $EDITOR", "Delete identity", "Copy id", "Back"):
            assert title in names
        ids = {binding_id for _, _, binding_id in collect(screen)}
        assert {"edit.save", "edit.add_property", "edit.delete_property", "edit.move_up", "edit.move_down",
                "edit.cycle_type", "edit.external_editor", "edit.revert", "edit.delete", "edit.back"} <= ids
        assert all(b.description for b in EditScreen.BINDINGS)


async def test_a_blank_key_the_server_holds_does_not_stop_a_save_but_one_typed_does(make_app, sandbox):
    """The server stores a property key "": the form keeps such a row as it came and saves the rest; a key a
    person empties or leaves empty is still required."""
    import copy

    held = copy.deepcopy(ALICE)
    held["properties"] = [{"key": "", "type": "string", "value": "x"}, *held["properties"]]
    sandbox.store.insert(held)
    sandbox.clear_log()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alice(pilot, app)
        await pilot.press("end", *"!")
        await save_with_preview(pilot, app)
        assert [(m, p) for m, p, _ in writes(sandbox)] == [("PATCH", ALICE_PATH)]
        assert sandbox.store.get(ALICE_ID)["properties"][0] == {"key": "", "type": "string", "value": "x"}
        await focus_field(pilot, app, screen, "properties.1.key")
        await pilot.press("ctrl+u")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Key is required" in screen.form.error_line(1)
        assert "Key is required" not in screen.form.error_line(0)
        assert len(writes(sandbox)) == 1
