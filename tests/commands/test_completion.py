"""``identity-tui completion bash|zsh|fish``: scripts generated (by shtab) from the one parser declaration.

bash is sourced in a real ``bash`` and asked for completions the way readline asks; zsh and fish are
syntax-checked where those shells are installed, and their text is checked everywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from identity_tui.commands.args import COMMANDS, TOOLS

ROOT = Path(__file__).resolve().parents[2]
EVERY = (*COMMANDS, *TOOLS)


def generated(shell: str) -> str:
    done = subprocess.run([sys.executable, "-m", "identity_tui", "completion", shell], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "identity-tui.bash"
    path.write_text(generated("bash"))
    return path


def complete(script: Path, *words: str) -> list[str]:
    """What bash offers for the command line ``words`` (the last one being typed), as the completion
    function fills COMPREPLY for readline."""
    probe = textwrap.dedent(f"""
        source {str(script)!r}
        COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
        COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=()
        _shtab_identity_tui
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """)
    done = subprocess.run(["bash", "-c", probe, "probe", "identity-tui", *words], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_every_subcommand(bash_script):
    assert set(complete(bash_script, "")) == set(EVERY)
    assert sorted(complete(bash_script, "li")) == ["link", "links", "list"]
    assert complete(bash_script, "hist") == ["history"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_flags_and_their_choices(bash_script):
    assert complete(bash_script, "list", "--no-h") == ["--no-headers"]
    assert set(complete(bash_script, "list", "--format", "")) == {"table", "wide", "json", "jsonl", "csv"}
    assert set(complete(bash_script, "import", "--input-format", "")) == {"jsonl", "json", "csv"}
    assert set(complete(bash_script, "completion", "")) == {"bash", "zsh", "fish"}
    assert "--yes" in complete(bash_script, "undo", "--y")
    assert "--base-url" in complete(bash_script, "get", "--base")  # the shared connection flags, after a command
    assert "--sandbox" in complete(bash_script, "--sand")  # and before one
    assert set(complete(bash_script, "sandbox", "serve", "--p")) == {"--port", "--password"}


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_subcommand(shell):
    text = generated(shell)
    for name in EVERY:
        assert name in text, (shell, name)
    for flag in ("no-headers", "input-format", "base-url", "quiet"):  # fish writes -l no-headers
        assert (f"--{flag}" if shell == "zsh" else f"-l {flag}") in text, (shell, flag)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse_in_their_shell(shell, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here; its script is still checked for every subcommand above")
    path = tmp_path / f"identity-tui.{shell}"
    path.write_text(generated(shell))
    check = [shell, "-n", str(path)] if shell == "zsh" else [shell, "--no-execute", str(path)]
    done = subprocess.run(check, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_parses_and_registers_for_the_command(bash_script):
    done = subprocess.run(["bash", "-n", str(bash_script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(["bash", "-c", f"source {str(bash_script)!r}; complete -p identity-tui"],
                          capture_output=True, text=True, timeout=60)
    assert "_shtab_identity_tui" in done.stdout and "identity-tui" in done.stdout


def test_the_installed_command_prints_the_script():
    command = shutil.which("identity-tui")
    if command is None:
        pytest.skip("identity-tui is not installed on PATH")
    done = subprocess.run([command, "completion", "bash"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "complete " in done.stdout and "_shtab_identity_tui" in done.stdout


def test_an_unknown_shell_is_exit_2():
    done = subprocess.run([sys.executable, "-m", "identity_tui", "completion", "tcsh"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1


def test_help_and_the_commands_do_not_load_shtab():
    code = ("import sys\nfrom identity_tui import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('shtab' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False"
