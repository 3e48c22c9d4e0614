"""Drafts on disk: keying by server, private atomic files, unreadable files skipped, debounce on a fake clock."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from identity_tui.core import config
from identity_tui.core.config import Connection, drafts_dir, server_key
from identity_tui.core.draft_keeper import DraftKeeper
from identity_tui.core.draft_store import DraftStore
from identity_tui.core.draft_texts import RowText
from identity_tui.core.draft_words import describe_age, restore_changes, server_changes
from identity_tui.core.form import Unparsed
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity, IdentityProperty
from identity_tui.core.secret import Secret

from .draft_samples import BASE, SERVER, WHEN, saved, texts
from .samples import CANARY

class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts", SERVER)


# -- keying -------------------------------------------------------------------------------------------


def test_drafts_live_where_locate_says():
    assert drafts_dir() == config.state_dir() / "drafts"
    assert str(drafts_dir()).startswith(os.environ["XDG_STATE_HOME"])


def test_server_key_of_a_url_drops_credentials_and_the_trailing_slash():
    conn = Connection(base_url="https://admin:hunter2@letta.example.com:8283/", token=Secret(CANARY))
    assert server_key(conn) == "https://letta.example.com:8283"


def test_server_key_of_a_sandbox_is_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conn = config.with_sandbox(Connection(base_url=SERVER), Path("db.sqlite3"))
    assert server_key(conn) == f"sandbox:{(tmp_path / 'db.sqlite3').resolve()}"


def test_each_server_has_its_own_directory_and_each_form_its_own_file(tmp_path):
    one = DraftStore(tmp_path, "http://a.test")
    two = DraftStore(tmp_path, "sandbox:/srv/db.sqlite3")
    assert one.dir != two.dir
    assert one.dir.parent == tmp_path and "/" not in one.dir.name and ":" not in two.dir.name
    assert one.path("0123456789ab", BASE.id).name == f"{BASE.id}--0123456789ab.json"
    assert one.path("0123456789ab", None).name == "new--0123456789ab.json"
    odd = one.path("0123456789ab", "../../etc/passwd")
    assert odd.parent == one.dir and odd.name.startswith("id-")


# -- files ----------------------------------------------------------------------------------------------


def test_a_written_draft_reads_back_the_same_in_private_files(store):
    path = store.write(saved())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    drafts, problems = store.load()
    assert problems == []
    assert drafts == [saved()]
    assert drafts[0].path == path


def test_the_file_keeps_the_readable_server_and_never_a_token(store):
    path = store.write(saved())
    data = json.loads(path.read_text())
    assert data["server"] == SERVER
    assert data["base"]["name"] == "Alice" and data["form"]["name"] == "Alice Jr"
    assert data["app_version"] and data["format"] == 1
    assert CANARY not in path.read_text()


def test_a_failed_write_leaves_the_old_draft_and_no_temp_file(store, monkeypatch):
    path = store.write(saved())
    before = path.read_text()

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config.os, "replace", broken)
    with pytest.raises(OSError):
        store.write(saved(texts=texts("Someone else")))
    assert path.read_text() == before
    assert sorted(p.name for p in store.dir.iterdir()) == [path.name]


def test_unreadable_files_are_skipped_with_a_warning_naming_them(store):
    good = store.write(saved())
    (store.dir / "broken--aaaaaaaaaaaa.json").write_text("{not json")
    (store.dir / "wrong--bbbbbbbbbbbb.json").write_text(json.dumps({"format": 1, "form_id": "bbbbbbbbbbbb"}))
    future = saved(form_id="cccccccccccc").to_json() | {"format": 99}
    (store.dir / "future--cccccccccccc.json").write_text(json.dumps(future))
    (store.dir / "binary--dddddddddddd.json").write_bytes(b"\xff\xfe\x00")
    (store.dir / ".new--eeeeeeeeeeee.json.tmp1234").write_text("half a write")
    drafts, problems = store.load()
    assert [d.path for d in drafts] == [good]
    assert len(problems) == 4
    assert all("Skipped the unreadable draft" in p for p in problems)
    assert any("broken--aaaaaaaaaaaa.json" in p for p in problems)
    assert any("newer identity-tui" in p for p in problems)


def test_a_draft_of_another_server_in_this_directory_is_skipped(store):
    other = DraftStore(store.root, "http://other.test")
    path = other.write(saved(server="http://other.test"))
    store.dir.mkdir(parents=True, exist_ok=True)
    path.rename(store.dir / path.name)
    drafts, problems = store.load()
    assert drafts == [] and "belongs to http://other.test" in problems[0]


def test_drafts_are_listed_newest_first(store):
    store.write(saved(form_id="aaaaaaaaaaaa", saved_at=WHEN))
    store.write(saved(form_id="bbbbbbbbbbbb", saved_at=WHEN + timedelta(minutes=5)))
    store.write(saved(form_id="cccccccccccc", identity_id=None, base=None, saved_at=WHEN - timedelta(hours=1)))
    drafts, _ = store.load()
    assert [d.form_id for d in drafts] == ["bbbbbbbbbbbb", "aaaaaaaaaaaa", "cccccccccccc"]
    assert drafts[2].creating


def test_no_directory_means_no_drafts(store):
    assert store.load() == ([], [])
    assert store.paths_for(BASE.id) == []


# -- the keeper: debounce on a fake clock ------------------------------------------------------------


def keeper(store, clock) -> DraftKeeper:
    return DraftKeeper(store, "0123456789ab", delay=0.7, max_wait=5.0, clock=clock, now=lambda: WHEN)


def on_disk(store) -> list[str]:
    drafts, problems = store.load()
    assert problems == []
    return [d.texts.name for d in drafts]


def test_a_change_is_written_after_the_pause_not_before(store):
    clock = Clock()
    k = keeper(store, clock)
    k.update(BASE.id, BASE, texts("A"))
    assert k.wait() == pytest.approx(0.7)
    clock.now += 0.5
    assert not k.tick()
    assert on_disk(store) == []
    clock.now += 0.3
    assert k.tick()
    assert on_disk(store) == ["A"]
    assert k.wait() is None


def test_typing_on_postpones_the_write_but_never_past_the_longest_wait(store):
    clock = Clock()
    k = keeper(store, clock)
    for i in range(20):  # a key every 0.4 s for 8 s
        k.update(BASE.id, BASE, texts(f"A{i}"))
        clock.now += 0.4
        if k.tick():
            break
    assert clock.now - 100.0 == pytest.approx(5.2)  # written at the 5 s cap, mid-typing
    assert on_disk(store) == [f"A{i}"]


def test_flush_writes_at_once_and_only_when_something_is_pending(store):
    clock = Clock()
    k = keeper(store, clock)
    assert not k.flush()
    k.update(BASE.id, BASE, texts("A"))
    assert k.flush()
    assert on_disk(store) == ["A"]
    assert not k.flush()


def test_the_same_texts_again_are_not_rewritten(store):
    clock = Clock()
    k = keeper(store, clock)
    k.update(BASE.id, BASE, texts("A"))
    k.flush()
    k.update(BASE.id, BASE, texts("A"))
    assert k.wait() is None


def test_back_to_unmodified_removes_the_draft_at_once(store):
    clock = Clock()
    k = keeper(store, clock)
    k.update(BASE.id, BASE, texts("A"))
    k.flush()
    k.update(BASE.id, BASE, texts("B"))
    k.update(BASE.id, BASE, None)
    assert on_disk(store) == [] and k.wait() is None
    k.update(BASE.id, BASE, texts("C"))  # editing again keeps a draft again
    k.flush()
    assert on_disk(store) == ["C"]


def test_discard_removes_the_draft_and_keeps_no_more(store):
    clock = Clock()
    k = keeper(store, clock)
    k.update(BASE.id, BASE, texts("A"))
    k.flush()
    k.discard()
    k.update(BASE.id, BASE, texts("B"))
    assert not k.flush()
    assert on_disk(store) == []


def test_a_keeper_never_removes_another_forms_draft_of_the_same_identity(store):
    older = store.write(saved(form_id="aaaaaaaaaaaa"))
    clock = Clock()
    k = keeper(store, clock)
    k.update(BASE.id, BASE, texts("Mine"))
    k.flush()
    k.discard()
    assert older.exists()
    assert store.paths_for(BASE.id) == [older]


def test_a_created_identitys_draft_moves_from_new_to_its_id(store):
    clock = Clock()
    k = keeper(store, clock)
    k.update(None, None, texts("New"))
    k.flush()
    assert [p.name for p in store.dir.iterdir()] == ["new--0123456789ab.json"]
    k.update(BASE.id, BASE, texts("New!"))
    k.flush()
    assert [p.name for p in store.dir.iterdir()] == [f"{BASE.id}--0123456789ab.json"]


def test_an_adopted_draft_is_this_keepers_to_replace_and_remove(store):
    path = store.write(saved())
    draft = store.load()[0][0]
    clock = Clock()
    k = DraftKeeper(store, draft.form_id, clock=clock, now=lambda: WHEN)
    k.adopt(draft)
    k.update(draft.identity_id, draft.base, draft.texts)
    assert k.wait() is None  # what is on disk already
    k.update(None, None, None)
    assert not path.exists()


def test_an_adopted_draft_that_becomes_a_new_identity_is_rewritten_under_its_new_name(store):
    path = store.write(saved())
    draft = store.load()[0][0]
    k = DraftKeeper(store, draft.form_id, clock=Clock(), now=lambda: WHEN)
    k.adopt(draft)
    k.update(None, None, draft.texts)
    assert k.flush()
    assert not path.exists()
    assert [d.creating for d in store.load()[0]] == [True]


# -- texts and words ------------------------------------------------------------------------------------


def test_texts_become_a_draft_that_shows_them_again():
    rows = (
        RowText("s", "string", "hi"),
        RowText("n", "number", "4x"),
        RowText("b", "boolean", "true"),
        RowText("p", "boolean", ""),
        RowText("j", "json", "{\"a\": 1"),
    )
    draft = texts(rows=rows).draft()
    values = [p.value for p in draft.properties]
    assert values[0] == "hi" and values[2] is True
    assert values[1] == Unparsed("4x", "") and values[4] == Unparsed("{\"a\": 1", "")
    assert isinstance(values[3], Unparsed) and values[3].text == ""
    assert [p.type for p in draft.properties][1] is PropertyType.NUMBER
    assert draft.identity_type is IdentityType.USER


def test_what_a_draft_changes_in_a_few_words():
    rows = (
        RowText("age", "number", "31"),
        RowText("plan", "string", "pro"),
    )
    lines = restore_changes(saved(texts=texts("Alice Jr", identifier_key="alice2", identity_type="org",
                                                rows=rows)))
    assert lines == [
        'name: "Alice" -> "Alice Jr"',
        'key: "alice" -> "alice2"',
        "type: user -> org",
        "property age: 30 -> 31",
        '+ property plan = "pro"',
        "- property email",
    ]


def test_a_type_change_and_a_reorder_are_named():
    rows = (RowText("age", "string", "30"), RowText("email", "string", "alice@example.com"))
    assert restore_changes(saved(texts=texts("Alice", rows=rows))) == ['property age: number 30 -> string "30"']
    rows = (RowText("age", "number", "30"), RowText("email", "string", "alice@example.com"))
    assert restore_changes(saved(texts=texts("Alice", rows=rows))) == ["properties reordered"]


def test_a_new_identitys_draft_lists_what_it_would_create():
    new = saved(identity_id=None, base=None, texts=texts("Bob", identifier_key="bob", rows=(RowText("", "json", "{}"),)))
    assert restore_changes(new) == ['new user "Bob", key "bob"', "+ property (no key) = {}"]


def test_server_text_in_the_summary_is_made_printable():
    lines = restore_changes(saved(texts=texts("Evil\x1b[2J")))
    assert "\x1b" not in lines[0] and "\\x1b" in lines[0]


def test_server_changes_name_the_fields_someone_else_changed():
    data = json.loads(BASE.model_dump_json())
    assert server_changes(BASE, Identity.model_validate(data)) == []
    data["name"] = "Alicia"
    data["properties"][1]["value"] = 30.0  # 30 and 30.0 are not the same value
    data["properties"].append({"key": "new", "value": True, "type": "boolean"})
    data["agent_ids"] = ["agent-1"]  # not a form field
    assert server_changes(BASE, Identity.model_validate(data)) == ["name", "property age", "property new"]


def test_ages_read_naturally():
    assert describe_age(WHEN, WHEN + timedelta(seconds=20)) == "just now"
    assert describe_age(WHEN, WHEN + timedelta(minutes=12, seconds=5)) == "12 min ago"
    assert describe_age(WHEN, WHEN + timedelta(hours=3)) == "3 h ago"
    assert describe_age(WHEN, WHEN + timedelta(days=3)).startswith("2026-05-")


def _deep(levels: int) -> dict:
    value: dict = {"leaf": [1, 2.5, True]}
    for _ in range(levels):
        value = {"n": value}
    return value


def test_a_draft_of_an_identity_holding_a_deeply_nested_value_is_written_and_read_back(store):
    """The server stores and returns values nested far deeper than pydantic's or json.dumps' indent can write."""
    deep = BASE.model_copy(update={"properties": [*BASE.properties, IdentityProperty(key="tree", type="json",
                                                                                          value=_deep(900))]})
    draft = saved(base=deep)
    store.write(draft)
    (back,), problems = store.load()
    assert problems == []
    assert back.base is not None and back.base.properties[-1].value == _deep(900)
    assert server_changes(deep, back.base) == []


def test_drafts_older_than_the_limit_are_pruned(store):
    store.write(saved(form_id="aaaaaaaaaaaa", saved_at=WHEN - timedelta(days=31)))
    store.write(saved(form_id="bbbbbbbbbbbb", saved_at=WHEN - timedelta(days=29)))
    assert store.prune(30, now=WHEN) == 1
    assert [d.form_id for d in store.load()[0]] == ["bbbbbbbbbbbb"]
    assert store.prune(0, now=WHEN + timedelta(days=400)) == 0  # 0 keeps them all
    assert store.prune(30, now=WHEN + timedelta(days=400)) == 1
