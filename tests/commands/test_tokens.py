"""A token goes only to the server it was configured for, is never printed, and a URL's password is never shown.

The table: the staging key exported with prod run by profile; a profile whose ``token_env`` is unset; tokens
with control or non-ASCII characters; credentials in a base URL; a token over plain http:// to another host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from identity_tui import cli as app_cli
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.serve import ServerThread
from tests.support.slow_server import Answer, SlowServer


def write_config(tmp_path: Path, text: str) -> None:
    config = Path(tmp_path / "home" / "config" / "identity-tui")
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text)
    (config / "config.toml").chmod(0o600)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_the_staging_key_is_not_sent_to_prod(cli, tmp_path, monkeypatch):
    prod = Sandbox(password="prod-token")  # answers 401 to any other token
    with ServerThread(prod) as server:
        write_config(tmp_path, f'[profiles.prod]\nbase_url = "{server.base_url}"\ntoken_env = "PROD_KEY"\n')
        monkeypatch.setenv("PROD_KEY", "prod-token")
        monkeypatch.setenv("LETTA_API_KEY", "staging-key")
        ran = cli("ensure", "--profile", "prod", "--key", "k", "--name", "N", "--type", "user", "--format", "json")
        assert ran.code == 0, ran.err  # prod accepted: it was sent prod's own token
        assert "LETTA_API_KEY is set but not used" in ran.err and "staging-key" not in ran.err
        # A URL given on the command line takes the environment's key: prod refuses the staging key.
        refused = cli("get", "--key", "k", "--base-url", server.base_url)
        assert refused.code == 1 and "staging-key" not in refused.err
    prod.close()


@pytest.mark.parametrize("other_key", ["other-server-key", None], ids=["LETTA_API_KEY set", "LETTA_API_KEY unset"])
def test_a_profile_whose_token_env_is_unset_sends_no_token(cli, tmp_path, monkeypatch, other_key):
    with SlowServer(Answer("json", body=[])) as server:
        write_config(tmp_path, f'[profiles.real]\nbase_url = "{server.base_url}"\ntoken_env = "REAL_KEY"\n')
        monkeypatch.delenv("REAL_KEY", raising=False)
        if other_key:
            monkeypatch.setenv("LETTA_API_KEY", other_key)
        ran = cli("list", "--profile", "real", "--format", "json")
        assert ran.code == 0, ran.err
        assert [s.headers.get("authorization") for s in server.seen] == [None]  # no other server's key
        said = one_line(ran.err)
        assert "REAL_KEY" in said and "not set" in said
        assert ("LETTA_API_KEY" in said) is bool(other_key)  # what was ignored, named once
        assert "other-server-key" not in ran.err


def test_import_from_a_profile_and_the_commands_agree_on_an_unset_token_env(cli, tmp_path, monkeypatch):
    with SlowServer(Answer("json", body=[])) as source, SlowServer(Answer("json", body=[])) as target:
        write_config(tmp_path, f'[profiles.real]\nbase_url = "{source.base_url}"\ntoken_env = "REAL_KEY"\n')
        monkeypatch.delenv("REAL_KEY", raising=False)
        monkeypatch.setenv("LETTA_API_KEY", "other-server-key")
        cli("import", "--from-profile", "real", "--dry-run", "--base-url", target.base_url)
        assert source.seen, "the import read the profile's server"
        listed = cli("list", "--profile", "real", "--format", "json")
        assert listed.code == 0, listed.err
        sent = {s.headers.get("authorization") for s in source.seen}
        assert sent == {None}, sent  # neither the import nor the list sent LETTA_API_KEY to the profile's server


BAD_TOKENS = [
    pytest.param("tok-abc123secret\n", "a line break", id="trailing newline"),
    pytest.param("tok-abc123secret\r", "a line break", id="trailing CR"),
    pytest.param("tok-abc\x1b123secret", "a control character", id="escape"),
    pytest.param("tok-äbc123secret", "not ASCII", id="non-ASCII"),
]


@pytest.mark.parametrize(("token", "words"), BAD_TOKENS)
@pytest.mark.parametrize("given", ["env", "flag", "profile", "token_env"])
def test_a_token_with_control_or_non_ascii_characters_is_refused_masked(cli, tmp_path, monkeypatch, token, words,
                                                                         given):
    with SlowServer(Answer("json", body=[])) as server:
        argv = ["list", "--format", "json"]
        if given == "env":
            monkeypatch.setenv("LETTA_API_KEY", token)
            argv += ["--base-url", server.base_url]
        elif given == "flag":
            argv += ["--base-url", server.base_url, "--token", token]
        else:
            source = f"token = {json.dumps(token)}" if given == "profile" else 'token_env = "REAL_KEY"'
            monkeypatch.setenv("REAL_KEY", token)
            write_config(tmp_path, f'[profiles.p]\nbase_url = "{server.base_url}"\n{source}\n')
            argv += ["--profile", "p"]
        ran = cli(*argv)
        assert ran.code == 2, ran.err
        said = one_line(ran.err)
        assert words in said and "nothing was sent" in said, said
        assert "abc123secret" not in ran.err and "123secret" not in ran.err
        assert server.seen == []


def test_import_from_a_profile_whose_token_cannot_be_sent_is_one_sentence(cli, tmp_path, monkeypatch):
    with SlowServer(Answer("json", body=[])) as source, SlowServer(Answer("json", body=[])) as target:
        write_config(tmp_path, f'[profiles.src]\nbase_url = "{source.base_url}"\ntoken_env = "SRC_KEY"\n')
        monkeypatch.setenv("SRC_KEY", "src-abc123secret\n")
        ran = cli("import", "--from-profile", "src", "--dry-run", "--base-url", target.base_url)
        assert ran.code == 2, ran.err
        said = one_line(ran.err)
        assert "SRC_KEY" in said and "line break" in said and "abc123secret" not in said, said
        assert source.seen == []


CLOSED_PORT = "http://admin:pw-s3cret@127.0.0.1:9"  # the discard port: nothing listens there


def test_a_password_in_the_url_is_masked_when_the_server_cannot_be_reached(cli):
    ran = cli("list", "--base-url", CLOSED_PORT, "--format", "json")
    assert ran.code == 1
    said = one_line(ran.err)
    assert "pw-s3cret" not in said and "127.0.0.1:9" in said, said


@pytest.mark.parametrize(("answer", "argv"), [
    (Answer("json", body={"not": "a list"}), ("list", "--format", "json")),
    (Answer("json", body=[{"id": 1}]), ("get", "identity-00000000-0000-4000-8000-000000000000", "--format", "json")),
    (Answer("json", body={"detail": "Not Found"}, status=404), ("get", "--key", "k", "--format", "json")),
    (Answer("json", body={"detail": "boom"}, status=302), ("list", "--format", "json")),
], ids=["not a list", "not an identity", "404", "redirect"])
def test_a_password_in_the_url_is_masked_in_every_error_sentence(cli, answer, argv):
    with SlowServer(answer) as server:
        url = server.url_with("admin:pw-s3cret")
        ran = cli(*argv, "--base-url", url)
        assert ran.code != 0
        assert "pw-s3cret" not in ran.err and "pw-s3cret" not in ran.out, ran.err
        assert server.seen, "the request went out"


def test_a_password_in_a_profiles_url_is_masked_in_the_token_warning(cli, tmp_path, monkeypatch):
    with SlowServer(Answer("json", body=[])) as server:
        url = server.url_with("admin:pw-s3cret")
        # (a token of its own would be refused beside the URL's password: its token source is left unset)
        write_config(tmp_path, f'[profiles.p]\nbase_url = "{url}"\ntoken_env = "REAL_KEY"\n')
        monkeypatch.delenv("REAL_KEY", raising=False)
        monkeypatch.setenv("LETTA_API_KEY", "other-key")
        ran = cli("list", "--profile", "p", "--format", "json")
        assert "LETTA_API_KEY is set but not used" in ran.err and "no token is sent to http://****@" in ran.err
        assert "pw-s3cret" not in ran.err and "other-key" not in ran.err


def test_history_and_journal_of_a_url_with_a_password_hold_no_password(cli, tmp_path):
    sandbox = Sandbox()
    with ServerThread(sandbox) as server:
        url = server.base_url.replace("http://", "http://admin:pw-s3cret@")
        made = cli("ensure", "--base-url", url, "--key", "k-cred", "--name", "N", "--type", "user", "--format", "json")
        assert made.code == 0, made.err
        history = cli("history", "--base-url", url, "--format", "json")
        assert history.code == 0 and "k-cred" in history.out
        assert "pw-s3cret" not in history.out + history.err
    sandbox.close()
    state = tmp_path / "home" / "state"
    for path in state.rglob("*"):
        if path.is_file():
            assert "pw-s3cret" not in path.name and b"pw-s3cret" not in path.read_bytes(), path


PLAIN = "http://letta.invalid:8283"  # not this machine; the name does not resolve, so nothing leaves


@pytest.mark.parametrize(("url", "token", "warns"), [
    (PLAIN, "a-token", True),
    ("https://letta.invalid", "a-token", False),
    (PLAIN, None, False),
    ("http://127.0.0.1:9", "a-token", False),
    ("http://localhost:9", "a-token", False),
    ("http://[::1]:9", "a-token", False),
])
def test_one_warning_for_a_token_over_plain_http_to_another_host(cli, monkeypatch, url, token, warns):
    if token:
        monkeypatch.setenv("LETTA_API_KEY", token)
    ran = cli("list", "--base-url", url, "--connect-timeout", "2", "--format", "json")
    warned = [line for line in ran.err.splitlines() if "unencrypted" in line]
    assert len(warned) == (1 if warns else 0), ran.err
    if warns:
        assert "letta.invalid" in warned[0] and "a-token" not in ran.err


def test_the_source_of_an_import_from_a_profile_is_warned_about_too(cli, tmp_path):
    with SlowServer(Answer("json", body=[])) as target:
        write_config(tmp_path, f'[profiles.src]\nbase_url = "{PLAIN}"\ntoken = "src-token"\n')
        ran = cli("import", "--from-profile", "src", "--dry-run", "--base-url", target.base_url,
                  "--connect-timeout", "2")
        warned = [line for line in ran.err.splitlines() if "unencrypted" in line]
        assert len(warned) == 1 and "letta.invalid" in warned[0] and "src-token" not in ran.err, ran.err


def test_help_says_ps_shows_the_token_flag(capsys):
    from identity_tui.commands.args import build

    for parser_argv in (["list", "--help"], ["--help"]):
        with pytest.raises(SystemExit):
            build().parse_args(parser_argv)
        out = " ".join(capsys.readouterr().out.split())
        assert re.search(r"\bps\b", out.split("--token TOKEN")[-1][:200]), out
    with pytest.raises(SystemExit):
        app_cli.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert re.search(r"\bps\b", out.split("--token TOKEN")[-1][:200]), out


@pytest.mark.parametrize("given", ["flag", "env", "profile"])
def test_a_token_with_a_user_and_password_in_the_url_is_refused_masked_nothing_sent(cli, tmp_path, monkeypatch, given):
    """httpx sends a URL's user:password as Basic auth in the Bearer token's place: the pair is refused."""
    with SlowServer(Answer("json", body=[])) as server:
        url = server.base_url.replace("://", "://admin:pw-s3cret@")
        if given == "profile":
            write_config(tmp_path, f'[profiles.p]\nbase_url = "{url}"\ntoken = "tok-abc123secret"\n')
            argv = ["--profile", "p"]
        elif given == "env":
            monkeypatch.setenv("LETTA_API_KEY", "tok-abc123secret")
            argv = ["--base-url", url]
        else:
            argv = ["--base-url", url, "--token", "tok-abc123secret"]
        ran = cli("list", "--format", "json", *argv)
        assert ran.code == 2, ran.err
        said = one_line(ran.err)
        assert "user and password" in said and "nothing was sent" in said, said
        assert "pw-s3cret" not in ran.err and "abc123secret" not in ran.err
        assert server.seen == []
