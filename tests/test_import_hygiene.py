"""The core, the command line and the sandbox never import Textual (or Rich): checked in a fresh interpreter.
The sandbox stands alone: it imports nothing of the core (only the leaf identity_tui.httpx_lean)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI = ("textual", "rich")

# httpx loads its optional command-line tool when click happens to be installed, and that tool
# imports Rich. The check blocks that one module to see what our own code imports, and runs once
# more without that help (identity_tui.httpx_lean keeps the tool out by itself).
BLOCK_HTTPX_CLI = "sys.modules['httpx._main'] = None"


def ui_modules_after(code: str, *, block_httpx_cli: bool = True) -> dict:
    """Run ``code`` in a new interpreter and return which UI packages ended up in sys.modules."""
    script = "\n".join(
        [
            "import json, sys",
            BLOCK_HTTPX_CLI if block_httpx_cli else "",
            textwrap.dedent(code),
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(UI)!r})))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return {"loaded": json.loads(done.stdout.strip().splitlines()[-1]), "stdout": done.stdout}


CORE_MODULES = [
    "identity_tui",
    "identity_tui.core.models",
    "identity_tui.core.errors",
    "identity_tui.core.client",
    "identity_tui.core.http_client",
    "identity_tui.core.paging",
    "identity_tui.core.keys",
    "identity_tui.core.planner",
    "identity_tui.core.draft",
    "identity_tui.core.fields",
    "identity_tui.core.draft_keeper",
    "identity_tui.core.draft_store",
    "identity_tui.core.draft_texts",
    "identity_tui.core.draft_words",
    "identity_tui.core.transaction",
    "identity_tui.core.deletion",
    "identity_tui.core.config",
    "identity_tui.core.secret",
    "identity_tui.cli",
    "identity_tui.commands",
    "identity_tui.commands.run",
    "identity_tui.commands.writes",
    "identity_tui.commands.bulk",
    "identity_tui.core.bulk",
    "identity_tui.core.bulk_files",
    "identity_tui.core.csvtext",
    "identity_tui.core.export",
    "identity_tui.core.where",
    "identity_tui.core.links",
    "identity_tui.commands.linking",
    "identity_tui.commands.history",
    "identity_tui.core.journal",
    "identity_tui.core.undo",
    "identity_tui.core.property_rows",
    "identity_tui.core.batch_plan",
]


def test_helper_sees_textual_when_it_is_imported():
    """The check itself works: importing Textual is noticed."""
    assert ui_modules_after("import textual.app")["loaded"] == ["rich", "textual"]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui(module):
    assert ui_modules_after(f"import {module}")["loaded"] == []


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui_even_where_httpx_could_load_its_cli(module):
    # identity_tui imports httpx without its command-line tool, so not even Rich comes along.
    assert ui_modules_after(f"import {module}", block_httpx_cli=False)["loaded"] == []


def test_every_core_module_together_imports_no_ui():
    code = """
    import importlib, pkgutil
    import identity_tui.core as pkg
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
    import identity_tui.cli
    """
    assert ui_modules_after(code)["loaded"] == []


def test_sandbox_package_imports_no_ui():
    """Every module of the embedded sandbox server stays free of Textual and Rich."""
    code = """
    import importlib, pkgutil
    import identity_tui.sandbox as pkg
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
    """
    assert ui_modules_after(code)["loaded"] == []


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_cli_main_flag_imports_no_ui(flag):
    code = f"""
    import identity_tui.cli
    try:
        identity_tui.cli.main([{flag!r}])
    except SystemExit as exc:
        assert exc.code == 0, exc.code
    """
    out = ui_modules_after(code, block_httpx_cli=False)
    assert out["loaded"] == []
    assert "identity-tui" in out["stdout"]


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_python_dash_m_flag_imports_no_ui(flag):
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "identity_tui", flag],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "identity-tui" in done.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "identity_tui.cli" in imported  # the import log is really there
    assert not [m for m in imported if m.split(".")[0] in UI]


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--format", "json", "--limit", "3"],
        ["get", "--key", "nobody"],
        ["ensure", "--key", "hygiene", "--name", "H", "--type", "user", "--prop", "n:number=1"],
        ["set", "--key", "hygiene", "--prop", "n:number=2", "--dry-run"],
        ["delete", "--key", "hygiene", "--yes"],
        ["export", "--format", "csv"],
    ],
)
def test_every_command_runs_without_textual(argv, tmp_path):
    """Each command for scripts, run through the real entry point on a sandbox, loads neither Textual nor Rich."""
    code = f"""
    import os
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        os.environ[var] = {str(tmp_path)!r} + "/" + var
    os.environ.pop("LETTA_API_KEY", None)
    import identity_tui.cli
    status = identity_tui.cli.main({[*argv, "--sandbox", str(tmp_path / "sb.sqlite3")]!r})
    assert status in (0, 3), status
    print("ran", status)
    """
    out = ui_modules_after(code, block_httpx_cli=False)
    assert "ran" in out["stdout"]
    assert out["loaded"] == []


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside a function (relative imports made absolute)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


SANDBOX_FILES = sorted((ROOT / "identity_tui" / "sandbox").glob("*.py"))


def test_the_import_reader_sees_imports_inside_functions():
    names = imported_names(ROOT / "identity_tui" / "core" / "connect.py")
    assert "identity_tui.sandbox.Sandbox" in names and "identity_tui.sandbox.seed" in names


@pytest.mark.parametrize("path", SANDBOX_FILES, ids=lambda p: p.name)
def test_sandbox_module_imports_nothing_of_the_core(path):
    """The sandbox stands alone: no import of it runs back up to identity_tui.core, even inside a function."""
    assert SANDBOX_FILES
    assert not [name for name in imported_names(path) if name.startswith("identity_tui.core")]


def test_sandbox_package_loads_no_core_module():
    code = """
    import importlib, pkgutil, sys
    import identity_tui.sandbox as pkg
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
    print("core:", sorted(m for m in sys.modules if m.startswith("identity_tui.core")))
    """
    assert "core: []" in ui_modules_after(code)["stdout"].splitlines()


def test_httpx_lean_is_a_leaf():
    """The httpx start-up trick imports nothing of identity_tui, so the core and the sandbox may both take it."""
    names = imported_names(ROOT / "identity_tui" / "httpx_lean.py")
    assert "httpx" in names
    assert not [name for name in names if name.startswith("identity_tui")]
