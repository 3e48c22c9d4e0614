"""A token goes only to the server it was configured for: the staging key exported, prod run by profile."""

from __future__ import annotations

from pathlib import Path

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.serve import ServerThread


def test_the_staging_key_is_not_sent_to_prod(cli, tmp_path, monkeypatch):
    prod = Sandbox(password="prod-token")  # answers 401 to any other token
    with ServerThread(prod) as server:
        config = Path(tmp_path / "home" / "config" / "identity-tui")
        config.mkdir(parents=True, exist_ok=True)
        (config / "config.toml").write_text(f'[profiles.prod]\nbase_url = "{server.base_url}"\ntoken_env = "PROD_KEY"\n')
        monkeypatch.setenv("PROD_KEY", "prod-token")
        monkeypatch.setenv("LETTA_API_KEY", "staging-key")
        ran = cli("ensure", "--profile", "prod", "--key", "k", "--name", "N", "--type", "user", "--format", "json")
        assert ran.code == 0, ran.err  # prod accepted: it was sent prod's own token
        assert "LETTA_API_KEY is set but not used" in ran.err and "staging-key" not in ran.err
        # A URL given on the command line takes the environment's key: prod refuses the staging key.
        refused = cli("get", "--key", "k", "--base-url", server.base_url)
        assert refused.code == 1 and "staging-key" not in refused.err
    prod.close()
