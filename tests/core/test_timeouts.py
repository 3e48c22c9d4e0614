"""The client's timeouts: config (top level and per profile), flags, validation, and what the client gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_tui import cli
from identity_tui.core import config
from identity_tui.core.config import ConfigError, load_config, resolve
from identity_tui.core.connect import open_backend

TIMEOUTS = """\
default_profile = "slow"
connect_timeout = 3
read_timeout = 20.5

[profiles.slow]
base_url = "https://slow.example"
read_timeout = 300

[profiles.plain]
base_url = "https://plain.example"
"""


def write(text: str) -> Path:
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_profile_beats_top_level_and_flags_beat_both(xdg_dirs):
    cfg = load_config(write(TIMEOUTS))
    slow = resolve(cfg, env={})
    assert (slow.connect_timeout, slow.read_timeout) == (3, 300)
    plain = resolve(cfg, profile="plain", env={})
    assert (plain.connect_timeout, plain.read_timeout) == (3, 20.5)
    flagged = resolve(cfg, connect_timeout=1.5, read_timeout=9, env={})
    assert (flagged.connect_timeout, flagged.read_timeout) == (1.5, 9)


def test_nothing_set_keeps_the_clients_defaults(xdg_dirs):
    conn = resolve(load_config(), env={})
    assert (conn.connect_timeout, conn.read_timeout) == (None, None)
    options = open_backend(conn).client.options
    assert (options.connect_timeout, options.read_timeout) == (5.0, 60.0)


async def test_the_client_gets_the_resolved_timeouts(xdg_dirs):
    conn = resolve(load_config(write(TIMEOUTS)), env={})
    backend = open_backend(conn)
    try:
        assert (backend.client.options.connect_timeout, backend.client.options.read_timeout) == (3, 300)
    finally:
        await backend.aclose()


@pytest.mark.parametrize("value", ["0", "-1", '"ten"', "true", "nan", "inf"])
@pytest.mark.parametrize("where", ["top", "profile"])
def test_a_bad_timeout_in_the_config_is_one_clear_sentence(xdg_dirs, value, where):
    text = (f"read_timeout = {value}\n" if where == "top"
            else f'[profiles.p]\nbase_url = "https://p.example"\nread_timeout = {value}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(write(text))
    sentence = str(caught.value)
    assert "read_timeout must be a positive number of seconds" in sentence
    assert "\n" not in sentence and sentence.endswith(".")
    if where == "profile":
        assert "profile 'p'" in sentence


@pytest.mark.parametrize("value", ["0", "-5", "ten", "nan", "inf", ""])
@pytest.mark.parametrize("flag", ["--connect-timeout", "--read-timeout"])
def test_a_bad_timeout_flag_is_one_clear_sentence(xdg_dirs, capsys, flag, value):
    assert cli.main([flag, value]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"identity-tui: {flag} must be a positive number of seconds, not {value!r}.", err


def test_flags_reach_the_app(xdg_dirs, monkeypatch):
    import identity_tui.tui.app as app_module

    seen = {}
    monkeypatch.setattr(app_module, "run_app", lambda conn, cfg, flags=None: seen.setdefault("conn", conn) and 0)
    monkeypatch.setattr(cli, "has_terminal", lambda: True)  # without one the app is refused before it starts
    write(TIMEOUTS)
    assert cli.main(["--connect-timeout", "2", "--read-timeout", "7.5"]) == 0
    assert (seen["conn"].connect_timeout, seen["conn"].read_timeout) == (2, 7.5)


def test_help_names_the_flags(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "--connect-timeout S" in out and "--read-timeout S" in out
