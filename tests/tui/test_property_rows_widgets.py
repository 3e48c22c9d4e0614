"""The form's live row writes what its editors hold as the model's own edits would: the same edits made
through an ``EditForm``'s live row and on a bare ``PropertyRows`` leave the same values, texts and row marks."""

from __future__ import annotations

import random
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Switch

from identity_tui.core.draft import Draft, DraftProperty
from identity_tui.core.form import value_text
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import same_value
from identity_tui.core.property_rows import PropertyRows
from identity_tui.tui.screens.edit_drafts import form_texts
from identity_tui.tui.widgets.edit_form import EditForm
from identity_tui.tui.widgets.value_editors import JsonValueEditor, TextValueEditor

S, N, B, J = PropertyType.STRING, PropertyType.NUMBER, PropertyType.BOOLEAN, PropertyType.JSON

BASELINE = Draft("Alice", "alice", IdentityType.USER, (
    DraftProperty("email", S, "a@example.com"),
    DraftProperty("age", N, 30),
    DraftProperty("ratio", N, 0.1),
    DraftProperty("vip", B, True),
    DraftProperty("maybe", B, "yes"),  # stored misfits: kept until someone edits them
    DraftProperty("count", N, "x"),
    DraftProperty("label", S, 42),
    DraftProperty("meta", J, {"a": [1, {"b": None}]}),
    DraftProperty("list", J, [1]),
    DraftProperty("email", S, "again"),
))
KEYS = ["email", "age", "new", "", " sp", "meta"]
TEXTS = ["", "x", "42", "4.0", "1.0000000000000001", "{}", '{"a": 1}', "[1]", "true", "ORIGIN"]


class FormApp(App[None]):
    def compose(self) -> ComposeResult:
        yield EditForm(BASELINE, identity_id="id-1")


async def edit(form: EditForm, model: PropertyRows, rng: random.Random, kind: str | None = None,
               i: int | None = None, arg: Any = None) -> str:
    """One random edit (or the one named, on row ``i`` with key, text or type ``arg``), made through the form's
    live row and on a bare model alike."""
    count = len(model)
    kinds = ["add"] + (["key", "text", "text", "switch", "type", "delete", "move"] if count else [])
    kind = kind or rng.choice(kinds)
    if kind == "add":
        form.action_add_property()
        model.add()
        return kind
    i = rng.randrange(count) if i is None else i
    row_id = model.row_id_at(i)
    view = model.view(i)
    if kind == "key":
        key = arg if arg is not None else rng.choice(KEYS)
        form.widget_for(f"properties.{i}.key").value = key
        model.set_key(row_id, key)
        return f"key {i} {key!r}"
    editor = form.widget_for(f"properties.{i}.value")
    if kind == "text" and isinstance(editor, (TextValueEditor, JsonValueEditor)):
        text = arg if arg is not None else rng.choice(TEXTS)
        if text == "ORIGIN":
            origin = model.origin(row_id)
            text = value_text(view.type, origin.value) if origin is not None else ""
        if isinstance(editor, JsonValueEditor):
            if editor.text != text:
                editor.text = text
        else:
            editor.value = text
        model.set_text(row_id, text)
        return f"text {i} {text!r}"
    if kind == "switch" and isinstance(editor, Switch):
        editor.toggle()  # as a person toggles
        on = editor.value
        model.set_switch(row_id, on)
        return f"switch {i} {on}"
    if kind == "type":
        ptype = arg if arg is not None else rng.choice([S, N, B, J])
        form.widget_for(f"properties.{i}.type").value = ptype.value
        model.set_type(row_id, ptype)
        return f"type {i} {ptype.value}"
    if kind == "delete":
        form.screen.set_focus(form.widget_for(f"properties.{i}.key"))
        form.action_delete_property()
        model.delete(row_id)
        return f"delete {i}"
    if kind == "move":
        step = rng.choice([-1, 1])
        form.screen.set_focus(form.widget_for(f"properties.{i}.key"))
        if step < 0:
            form.action_move_up()
        else:
            form.action_move_down()
        model.move(row_id, step)
        return f"move {i} {step}"
    return "skip"


def assert_same(form: EditForm, model: PropertyRows, said: list[str]) -> None:
    held, modelled = form.values().rows, model.values().rows
    assert len(held) == len(modelled), said
    for i, (a, b) in enumerate(zip(held, modelled)):
        assert (a.key, a.type, a.origin) == (b.key, b.type, b.origin), (i, said)
        assert type(a.value) is type(b.value) and (same_value(a.value, b.value) or a.value == b.value), (i, said)
    assert form_texts(form) == model.texts(), said
    assert form.modified == model.modified_fields(), said
    for i in range(len(model)):
        shown, view = form.row_view(i), model.view(i)
        assert (shown.key, shown.type, shown.text, shown.modified, shown.errors) == (
            view.key, view.type, view.text, view.modified, view.errors), (i, said)


@pytest.mark.parametrize("seed", range(4))
async def test_edits_through_the_live_row_and_on_the_model_read_the_same(seed: int):
    rng = random.Random(seed)
    app = FormApp()
    async with app.run_test(size=(120, 60)) as pilot:
        form = app.query_one(EditForm)
        await pilot.pause()
        model = PropertyRows.load(BASELINE, show_all_errors=True)
        assert_same(form, model, [])
        said: list[str] = []
        for _ in range(30):
            said.append(await edit(form, model, rng))
            await pilot.pause()
            form.refresh_marks()
            assert_same(form, model, said)


async def test_stored_misfits_go_as_the_editors_let_them_go():
    """A switch toggled twice, a field typed in and typed back, a type changed and back: the cases where
    a stored value that does not fit is kept or dropped."""
    rng = random.Random(0)
    app = FormApp()
    async with app.run_test(size=(120, 60)) as pilot:
        form = app.query_one(EditForm)
        await pilot.pause()
        model = PropertyRows.load(BASELINE, show_all_errors=True)
        said: list[str] = []
        maybe, count, label, lst = 4, 5, 6, 8
        script = [
            ("switch", maybe, None), ("switch", maybe, None),  # "yes" is gone once toggled, either way
            ("text", count, "x "), ("text", count, "x"),  # typed back to the stored text: now read as a number
            ("text", label, "4"), ("text", label, "42"),
            ("type", lst, S), ("type", lst, J),
            ("type", maybe, N), ("type", maybe, B), ("switch", maybe, None),
        ]
        for kind, i, arg in script:
            said.append(await edit(form, model, rng, kind, i, arg))
            await pilot.pause()
            form.refresh_marks()
            assert_same(form, model, said)
        assert model.values().rows[maybe].value is True
