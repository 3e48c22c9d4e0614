"""An import file nested too deeply is a bad row in the plan, and nothing on stderr, and no finalizer runs at the bottom of that depth.

The file reader parses JSON lines, a JSON array and the JSON in CSV cells; the decoder recurses to the
interpreter's limit before it gives up, and a collection down there printed "Exception ignored in
sys.unraisablehook" ahead of the sentence (see tests/support/deep_gc.py)."""

from __future__ import annotations

import pytest

from tests.commands.test_never_a_traceback import FILES
from tests.support.deep_gc import collecting_everywhere

DEEP_FILES = ["deep-json.json", "deep-jsonl.jsonl", "deep-csv-cell.csv"]


@pytest.mark.parametrize("name", DEEP_FILES)
def test_no_finalizer_runs_while_a_deep_import_file_is_read(sandbox_server, cli, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(FILES[name])
    with collecting_everywhere() as hurt:
        ran = cli("import", str(path), "--dry-run")
    assert ran.code == 2, (ran.code, ran.err)
    assert "nested too deeply to read" in ran.out and ran.err == "", (ran.out, ran.err)
    assert hurt == []
