"""Text the app reads from the user or from its own files, nested too deeply, is one problem named, and no
finalizer runs at the bottom of that depth.

The edit form's JSON box, the journal's lines, the saved drafts and the config file may hold a value deeper
than the parser can follow (the journal and the drafts are written without recursion, at any depth); the
parser recurses to the interpreter's limit before it gives up, and a collection down there printed
"Exception ignored in sys.unraisablehook" (see tests/support/deep_gc.py)."""

from __future__ import annotations

import pytest

from identity_tui.core.config import ConfigError, load_config
from identity_tui.core.draft_store import DraftStore
from identity_tui.core.form import ValueProblem, parse_json_object
from identity_tui.core.journal import Journal
from tests.support.deep_gc import collecting_everywhere

from .draft_samples import SERVER

DEEP = 100_000


def test_no_finalizer_runs_while_a_deep_json_box_is_read():
    with collecting_everywhere() as hurt:
        with pytest.raises(ValueProblem, match="nested more than"):
            parse_json_object('{"a": ' + "[" * DEEP + "]" * DEEP + "}")
    assert hurt == []


def test_no_finalizer_runs_while_a_deep_journal_line_is_read(tmp_path):
    journal = Journal(tmp_path, "http://x")
    value: object = 1
    for _ in range(DEEP):
        value = [value]
    _, problem = journal.record("update", identity_id="id-1", identifier_key="k", requests=[],
                                before={"properties": [{"key": "p", "type": "json", "value": value}]},
                                after=None, outcome="saved")
    assert problem is None
    with collecting_everywhere() as hurt:
        assert list(journal.records()) == []
    assert len(journal.warnings) == 1 and "is damaged and was skipped" in journal.warnings[0]
    assert hurt == []


def test_a_deep_draft_file_is_skipped_with_a_word_and_no_finalizer_runs_while_it_is_read(tmp_path):
    store = DraftStore(tmp_path / "drafts", SERVER)
    store.dir.mkdir(parents=True)
    path = store.dir / "deep.json"
    path.write_text('{"form_id": ' + "[" * DEEP + "]" * DEEP + "}\n", encoding="utf-8")
    with collecting_everywhere() as hurt:
        drafts, problems = store.load()
        assert store.prune(30) == 0  # its age is the file's: it was just written
    assert drafts == [] and problems == [f"Skipped the unreadable draft {path} (nested too deeply to read)."]
    assert hurt == []


def test_a_deep_config_file_is_one_sentence_and_no_finalizer_runs_while_it_is_read(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("theme = " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    with collecting_everywhere() as hurt:
        with pytest.raises(ConfigError) as info:
            load_config(path)
    assert str(info.value) == f"Cannot read {path}: it is nested too deeply."
    assert hurt == []
