"""Profiles as the app's switch uses them: weighed without the start-up URL, written one table at a time into
config.toml (0600, atomically, everything else kept), and checked field by field in one sentence."""

from __future__ import annotations

import os
import stat

import pytest

from identity_tui.core.config import (
    Profile,
    SessionFlags,
    env_name_problem,
    load_config,
    name_problem,
    resolve,
    resolve_profile,
    save_profile,
    url_problem,
)
from identity_tui.core.secret import Secret

FILE = """\
default_profile = "prod"
page_size = 30
future_setting = "kept"

[keymap]
"list.order" = "O"

[profiles.prod]
base_url = "https://prod.test"
token = "stored-prod-token"
connect_timeout = 4.0

[profiles.dev]
base_url = "http://dev.test"
"""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "conf" / "config.toml"
    p.parent.mkdir()
    p.write_text(FILE)
    p.chmod(0o644)
    return p


def test_a_new_profile_is_added_and_everything_else_stays(path):
    save_profile(path, Profile(name="stage", base_url="https://stage.test", token_env="STAGE_KEY", readonly=True))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    cfg = load_config(path)
    assert list(cfg.profiles) == ["prod", "dev", "stage"]
    stage = cfg.profiles["stage"]
    assert (stage.base_url, stage.token_env, stage.readonly, stage.token) == ("https://stage.test", "STAGE_KEY",
                                                                                True, None)
    assert cfg.default_profile == "prod" and cfg.page_size == 30 and cfg.keymap == {"list.order": "O"}
    assert cfg.profiles["prod"].token == Secret("stored-prod-token") and cfg.profiles["prod"].connect_timeout == 4.0
    assert 'future_setting = "kept"' in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # the temp file was renamed, none left


def test_a_rename_keeps_the_stored_token_and_the_default(path):
    prod = load_config(path).profiles["prod"]
    save_profile(path, Profile(name="production", base_url=prod.base_url, user_id="user-1"), old_name="prod")
    cfg = load_config(path)
    assert list(cfg.profiles) == ["production", "dev"] and cfg.default_profile == "production"
    assert cfg.profiles["production"].token == Secret("stored-prod-token")
    assert cfg.profiles["production"].user_id == "user-1"


def test_a_picked_profile_is_weighed_without_the_start_up_url_and_its_key(path):
    env = {"LETTA_BASE_URL": "http://env.test", "LETTA_API_KEY": "env-key", "IDENTITY_TUI_PROFILE": "prod",
           "DEV_KEY": "dev-key"}
    cfg = load_config(path)
    assert resolve(cfg, profile="dev", env=env).base_url == "http://env.test"  # at start-up the variable wins
    dev = resolve_profile(cfg, "dev", SessionFlags(readonly=True, timeouts={"read_timeout": 9.0}), env=env)
    assert dev.base_url == "http://dev.test" and dev.token is None  # LETTA_API_KEY belongs to env.test
    assert dev.readonly and dev.read_timeout == 9.0 and dev.profile == "dev"
    without_url = {"LETTA_API_KEY": "env-key"}
    assert resolve_profile(cfg, "dev", env=without_url).token == Secret("env-key")  # as at start-up
    prod = resolve_profile(cfg, "prod", env=env)
    assert prod.base_url == "https://prod.test" and prod.token == Secret("stored-prod-token")


@pytest.mark.parametrize(("url", "words"), [
    ("ftp://x.test", "http:// or https://"), ("https://", "needs a host"), ("x.test", "http:// or https://"),
    ("https://u:p@x.test", "user:password@"), ("https://x.test:port", "cannot be read"),
])
def test_a_bad_url_is_said_in_one_sentence(url, words):
    said = url_problem(url)
    assert said is not None and words in said and said.endswith(".")


def test_names_and_variables():
    assert url_problem("https://letta.example.com:8283/") is None
    assert name_problem("", []) == "A profile needs a name."
    assert "already" in (name_problem("prod", ["prod"]) or "")
    assert name_problem("my prod", []) is not None and name_problem("prod-2.eu_1", ["prod"]) is None
    assert env_name_problem("") is None and env_name_problem("LETTA_PROD_KEY") is None
    assert env_name_problem("1KEY") is not None and env_name_problem("MY-KEY") is not None
    assert env_name_problem("KÉY") is not None
