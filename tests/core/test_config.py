"""Config: flag > environment > profile > default, private atomic writes, XDG paths, tokens kept hidden."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from identity_tui import cli
from identity_tui.core import config
from identity_tui.core.config import (
    DEFAULT_BASE_URL,
    Config,
    ConfigError,
    Connection,
    Profile,
    load_config,
    resolve,
    save_config,
    with_sandbox,
)
from identity_tui.core.secret import Secret, mask

from .samples import CANARY

PROFILES = """\
default_profile = "local"
theme = "ansi-dark"
page_size = 25
preview_saves = false

[keymap]
save = "ctrl+s,f2"
"list.filter" = "slash"

[profiles.local]
base_url = "http://localhost:9000"
user_id = "user-00000000-0000-4000-8000-000000000000"

[profiles.cloud]
base_url = "https://api.letta.com"
token_env = "CLOUD_KEY"
project_id = "proj-1"

[profiles.prod]
base_url = "https://letta.prod.example/"
token = "%s"
verify_tls = false
""" % CANARY


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def cfg(xdg_dirs) -> Config:
    return load_config(write(config.config_path(), PROFILES))


# -- paths ----------------------------------------------------------------------------------


def test_paths_honour_xdg_variables(xdg_dirs):
    assert config.config_path() == xdg_dirs / "xdg_config_home" / "identity-tui" / "config.toml"
    assert config.default_sandbox_path() == xdg_dirs / "xdg_data_home" / "identity-tui" / "sandbox.sqlite3"
    assert config.state_dir() == xdg_dirs / "xdg_state_home" / "identity-tui"


def test_locate_prints_the_paths(xdg_dirs, capsys):
    assert cli.main(["locate"]) == 0
    out = capsys.readouterr().out
    assert str(config.config_path()) in out
    assert str(config.default_sandbox_path()) in out
    assert str(config.state_dir() / "drafts") in out
    assert str(xdg_dirs) in out


# -- loading --------------------------------------------------------------------------------


def test_missing_file_is_an_empty_config(xdg_dirs):
    cfg = load_config()
    assert cfg.profiles == {} and cfg.default_profile is None
    assert cfg.page_size == 50 and cfg.preview_saves is True
    assert cfg.path == config.config_path()
    assert cfg.warnings == []


def test_load_reads_every_setting(cfg):
    assert cfg.default_profile == "local"
    assert cfg.theme == "ansi-dark"
    assert cfg.page_size == 25
    assert cfg.preview_saves is False
    assert set(cfg.profiles) == {"local", "cloud", "prod"}
    prod = cfg.profiles["prod"]
    assert isinstance(prod.token, Secret) and prod.token.reveal() == CANARY
    assert prod.verify_tls is False
    assert cfg.profiles["cloud"].token_env == "CLOUD_KEY"
    assert cfg.profiles["cloud"].token is None
    assert cfg.profiles["local"].user_id == "user-00000000-0000-4000-8000-000000000000"


def test_keymap_table(cfg):
    assert cfg.keymap == {"save": "ctrl+s,f2", "list.filter": "slash"}


def test_keymap_that_is_not_a_table_is_an_error(xdg_dirs):
    path = write(config.config_path(), 'keymap = "ctrl+s"\n')
    with pytest.raises(ConfigError, match="keymap"):
        load_config(path)


@pytest.mark.parametrize("text", ["profiles = 3\n", "[profiles]\nlocal = 1\n", "not toml = = =\n"])
def test_broken_files_are_config_errors_naming_the_file(xdg_dirs, text):
    path = write(config.config_path(), text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [("0", 1), ("100000", 500), ("true", 50), ('"20"', 50)])
def test_page_size_is_clamped_and_type_checked(xdg_dirs, value, expected):
    assert load_config(write(config.config_path(), f"page_size = {value}\n")).page_size == expected


# -- precedence ------------------------------------------------------------------------------


def test_default_when_nothing_is_set():
    conn = resolve(Config(), env={})
    assert conn.base_url == DEFAULT_BASE_URL == "http://localhost:8283"
    assert conn.token is None and conn.profile is None
    assert conn.sources["base_url"] == "default"


def test_profile_beats_default(cfg):
    conn = resolve(cfg, profile="prod", env={})
    assert conn.base_url == "https://letta.prod.example"  # trailing slash trimmed
    assert conn.token.reveal() == CANARY
    assert conn.verify_tls is False
    assert conn.profile == "prod"
    assert conn.sources["base_url"] == "profile prod"
    assert conn.sources["token"] == "profile prod"


def test_env_beats_profile(cfg):
    env = {"LETTA_BASE_URL": "http://env.example:1", "LETTA_API_KEY": "env-key-123"}
    conn = resolve(cfg, profile="prod", env=env)
    assert conn.base_url == "http://env.example:1"
    assert conn.token.reveal() == "env-key-123"
    assert conn.sources == {**conn.sources, "base_url": "env LETTA_BASE_URL", "token": "env LETTA_API_KEY"}


def test_flag_beats_env(cfg):
    env = {"LETTA_BASE_URL": "http://env.example:1", "LETTA_API_KEY": "env-key-123"}
    conn = resolve(cfg, profile="prod", base_url="http://flag.example:2/", token="flag-key-456", env=env)
    assert conn.base_url == "http://flag.example:2"
    assert conn.token.reveal() == "flag-key-456"
    assert conn.sources["base_url"] == conn.sources["token"] == "flag"


def test_empty_values_do_not_count(cfg):
    env = {"LETTA_BASE_URL": "", "LETTA_API_KEY": ""}
    conn = resolve(cfg, profile="prod", base_url="", token="", env=env)
    assert conn.base_url == "https://letta.prod.example"
    assert conn.token.reveal() == CANARY


def test_profile_choice_flag_beats_env_beats_default_profile(cfg):
    assert resolve(cfg, env={}).profile == "local"
    assert resolve(cfg, env={"IDENTITY_TUI_PROFILE": "cloud"}).profile == "cloud"
    assert resolve(cfg, profile="prod", env={"IDENTITY_TUI_PROFILE": "cloud"}).profile == "prod"


def test_default_profile_supplies_user_id(cfg):
    conn = resolve(cfg, env={})
    assert conn.base_url == "http://localhost:9000"
    assert conn.user_id == "user-00000000-0000-4000-8000-000000000000"
    assert resolve(cfg, user_id="user-11111111-1111-4111-8111-111111111111", env={}).user_id.startswith("user-1")


def test_token_env_reads_the_named_variable(cfg):
    conn = resolve(cfg, profile="cloud", env={"CLOUD_KEY": "cloud-key-789"})
    assert conn.token.reveal() == "cloud-key-789"
    assert conn.project_id == "proj-1"
    assert conn.sources["token"] == "profile cloud"


def test_token_env_unset_means_no_token(cfg):
    assert resolve(cfg, profile="cloud", env={}).token is None


def test_a_profiles_token_env_beats_letta_api_key_for_its_own_url(cfg):
    # Changed on purpose: LETTA_API_KEY no longer goes to a profile's server that has a token of its own.
    conn = resolve(cfg, profile="cloud", env={"CLOUD_KEY": "cloud-key-789", "LETTA_API_KEY": "env-key"})
    assert conn.token.reveal() == "cloud-key-789"
    assert any("LETTA_API_KEY is set but not used" in w and "env-key" not in w for w in cfg.warnings)


STAGING, PROD = "https://staging.example", "https://prod.example"
TOKEN_TABLE = """
[profiles.prod]
base_url = "https://prod.example"
token = "prod-token"

[profiles.prodenv]
base_url = "https://prod.example"
token_env = "PROD_KEY"

[profiles.bare]
base_url = "https://bare.example"
"""


@pytest.mark.parametrize(
    ("case", "profile", "flag_url", "env_url", "flag_token", "env_token", "want_url", "want_token", "warns"),
    [
        # The staging key exported, prod run by profile: prod's own token, and one line about the variable.
        ("staging key, prod profile", "prod", None, None, None, "staging-key", PROD, "prod-token", True),
        ("staging key, prod token_env", "prodenv", None, None, None, "staging-key", PROD, "prod-env-key", True),
        ("profile without a token takes the env key", "bare", None, None, None, "env-key", "https://bare.example",
         "env-key", False),
        ("profile token, no env key", "prod", None, None, None, None, PROD, "prod-token", False),
        ("env key equal to the profile's", "prod", None, None, None, "prod-token", PROD, "prod-token", False),
        ("--base-url with the env key", "prod", STAGING, None, None, "staging-key", STAGING, "staging-key", False),
        ("LETTA_BASE_URL with the env key", "prod", None, STAGING, None, "staging-key", STAGING, "staging-key",
         False),
        # A profile's token never follows the URL to another server.
        ("--base-url elsewhere, no env key", "prod", STAGING, None, None, None, STAGING, None, False),
        ("LETTA_BASE_URL elsewhere, no env key", "prod", None, STAGING, None, None, STAGING, None, False),
        ("--base-url to the profile's own server", "prod", PROD, None, None, None, PROD, "prod-token", False),
        ("--token always wins", "prod", None, None, "flag-token", "staging-key", PROD, "flag-token", False),
        ("--token with --base-url", None, STAGING, None, "flag-token", "env-key", STAGING, "flag-token", False),
        ("no profile: the env key", None, None, None, None, "env-key", "http://localhost:8283", "env-key", False),
        ("nothing at all", None, None, None, None, None, "http://localhost:8283", None, False),
    ],
)
def test_a_token_only_goes_to_the_server_it_was_configured_for(xdg_dirs, case, profile, flag_url, env_url,
                                                               flag_token, env_token, want_url, want_token, warns):
    cfg = load_config(write(config.config_path(), TOKEN_TABLE))
    env = {"PROD_KEY": "prod-env-key"}
    if env_url:
        env["LETTA_BASE_URL"] = env_url
    if env_token:
        env["LETTA_API_KEY"] = env_token
    conn = resolve(cfg, profile=profile, base_url=flag_url, token=flag_token, env=env)
    assert conn.base_url == want_url, case
    assert (conn.token.reveal() if conn.token else None) == want_token, case
    said = [w for w in cfg.warnings if "LETTA_API_KEY" in w]
    assert bool(said) is warns, (case, said)
    for line in said:
        assert env_token not in line and "prod-token" not in line  # the variable is named, never a value


def test_unknown_profile_names_the_known_ones(cfg):
    with pytest.raises(ConfigError) as info:
        resolve(cfg, profile="staging", env={})
    message = str(info.value)
    assert "'staging'" in message
    for name in ("cloud", "local", "prod"):
        assert name in message


def test_unknown_profile_from_env_is_an_error_too(cfg):
    with pytest.raises(ConfigError, match="nope"):
        resolve(cfg, env={"IDENTITY_TUI_PROFILE": "nope"})


def test_unknown_profile_with_no_profiles_says_none():
    with pytest.raises(ConfigError, match="none"):
        resolve(Config(), profile="x", env={})


def test_readonly_is_carried(cfg):
    assert resolve(cfg, readonly=True, env={}).readonly is True


def test_resolve_reads_os_environ_by_default(cfg, monkeypatch):
    monkeypatch.setenv("LETTA_BASE_URL", "http://from-os-environ:1")
    assert resolve(cfg).base_url == "http://from-os-environ:1"


def test_with_sandbox_drops_the_token(cfg, tmp_path):
    conn = with_sandbox(resolve(cfg, profile="prod", env={}), tmp_path / "s.sqlite3")
    assert conn.token is None and conn.sandbox == tmp_path / "s.sqlite3"
    assert conn.label == "s.sqlite3"  # the sandbox file; the header adds a "sandbox" badge


def test_label(cfg):
    assert resolve(cfg, profile="prod", env={}).label == "prod"
    assert resolve(Config(), env={}).label == "localhost:8283"


# -- saving ---------------------------------------------------------------------------------


def test_save_writes_mode_0600_and_round_trips(cfg, xdg_dirs):
    target = xdg_dirs / "out" / "config.toml"
    save_config(cfg, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = load_config(target)
    assert again.warnings == []
    assert again.default_profile == cfg.default_profile
    assert again.theme == cfg.theme and again.page_size == cfg.page_size
    assert again.preview_saves == cfg.preview_saves
    assert again.keymap == cfg.keymap
    assert again.profiles == cfg.profiles


def test_save_fresh_config_round_trips(xdg_dirs):
    cfg = Config(profiles={"p": Profile(name="p", base_url="http://x:1", token=Secret(CANARY))})
    path = save_config(cfg)
    assert path == config.config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_config()
    assert loaded.profiles["p"].token.reveal() == CANARY
    assert loaded.profiles["p"].verify_tls is True


def test_save_tightens_an_existing_open_file(cfg, xdg_dirs):
    target = write(xdg_dirs / "cfg" / "config.toml", "", mode=0o644)
    save_config(cfg, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_save_is_atomic_when_the_write_fails(cfg, xdg_dirs, monkeypatch):
    target = write(xdg_dirs / "cfg" / "config.toml", "theme = \"old\"\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_config(cfg, target)
    assert target.read_text() == 'theme = "old"\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["config.toml"]  # no temp file left


def test_save_leaves_no_temp_files(cfg, xdg_dirs):
    target = xdg_dirs / "cfg" / "config.toml"
    save_config(cfg, target)
    save_config(cfg, target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["config.toml"]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_token_in_a_readable_file_warns(xdg_dirs, mode):
    path = write(config.config_path(), PROFILES, mode=mode)
    cfg = load_config(path)
    assert len(cfg.warnings) == 1
    assert "chmod 600" in cfg.warnings[0] and str(path) in cfg.warnings[0]
    assert CANARY not in cfg.warnings[0]


def test_private_file_with_token_does_not_warn(xdg_dirs):
    assert load_config(write(config.config_path(), PROFILES, mode=0o600)).warnings == []


def test_readable_file_without_token_does_not_warn(xdg_dirs):
    text = '[profiles.cloud]\nbase_url = "https://api.letta.com"\ntoken_env = "CLOUD_KEY"\n'
    assert load_config(write(config.config_path(), text, mode=0o644)).warnings == []


# -- secrets ---------------------------------------------------------------------------------


def test_connection_and_profile_reprs_hide_the_token(cfg):
    conn = resolve(cfg, profile="prod", env={})
    prof = cfg.profiles["prod"]
    for text in (repr(conn), str(conn), repr(prof), str(prof), f"{conn}", f"{prof.token}", repr(cfg)):
        assert CANARY not in text
    assert "********" in repr(conn)


def test_connection_from_flag_token_hides_it():
    conn = resolve(Config(), token=CANARY, env={})
    assert CANARY not in repr(conn)
    assert conn.token.reveal() == CANARY


def test_secret_behaviour():
    s = Secret(CANARY)
    assert s.reveal() == CANARY
    assert CANARY not in repr(s) and CANARY not in str(s) and CANARY not in f"{s}" and CANARY not in "%s" % s
    assert bool(s) and not bool(Secret(""))
    assert s == Secret(CANARY) and s != Secret("other") and s != CANARY
    assert len({s, Secret(CANARY)}) == 1
    assert repr(Secret("")) == "Secret('')"


def test_secret_copies_but_does_not_pickle():
    import copy
    import dataclasses
    import pickle

    s = Secret(CANARY)
    assert copy.copy(s) is s and copy.deepcopy(s) is s
    conn = Connection(base_url="http://x", token=s)
    assert dataclasses.asdict(conn)["token"] is s
    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_mask():
    assert mask(f"a {CANARY} b {CANARY}", [Secret(CANARY)]) == "a ******** b ********"
    assert mask("abc", ["abc"]) == "abc"  # too short to mask safely
    assert mask("text", [None, Secret(""), ""]) == "text"
