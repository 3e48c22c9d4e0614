"""Profiles and settings: a TOML file under the user config dir, the environment, and command-line flags."""

from __future__ import annotations

import math
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from identity_tui.core.jsontext import collector_paused
from identity_tui.core.secret import Secret, shown_url, token_url_problem, url_host

APP = "identity-tui"
DEFAULT_BASE_URL = "http://localhost:8283"
ENV_BASE_URL = "LETTA_BASE_URL"
ENV_TOKEN = "LETTA_API_KEY"
ENV_PROFILE = "IDENTITY_TUI_PROFILE"
TIMEOUT_KEYS = ("connect_timeout", "read_timeout")
# The limits beside them: a deadline on one request as a whole (seconds) and the most one answer may hold (MiB).
LIMIT_KEYS = ("request_timeout", "max_answer_mib")


class ConfigError(Exception):
    """The config file cannot be read or says something impossible."""


def config_dir() -> Path:
    """Where config.toml lives (honours XDG_CONFIG_HOME)."""
    return platformdirs.user_config_path(APP, appauthor=False)


def data_dir() -> Path:
    """Where the sandbox database lives (honours XDG_DATA_HOME)."""
    return platformdirs.user_data_path(APP, appauthor=False)


def state_dir() -> Path:
    """Where drafts and logs live (honours XDG_STATE_HOME)."""
    return platformdirs.user_state_path(APP, appauthor=False)


def drafts_dir() -> Path:
    """Where every server's drafts live (what ``identity-tui locate`` prints)."""
    return state_dir() / "drafts"


def server_key(conn: Connection) -> str:
    """The server a draft belongs to: its base URL without credentials, or ``sandbox:<absolute db path>``."""
    if conn.sandbox is not None:
        return f"sandbox:{Path(conn.sandbox).expanduser().resolve()}"
    parts = urlsplit(conn.base_url.rstrip("/"))
    host = parts.netloc.rpartition("@")[2]  # user:password@ never goes into a file
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def config_path() -> Path:
    """The config file."""
    return config_dir() / "config.toml"


def default_sandbox_path() -> Path:
    """The sandbox database used by ``--sandbox`` with no path."""
    return data_dir() / "sandbox.sqlite3"


@dataclass
class Profile:
    """One server the admin works with."""

    name: str
    base_url: str = DEFAULT_BASE_URL
    token: Secret | None = None
    token_env: str | None = None
    user_id: str | None = None
    project_id: str | None = None
    verify_tls: bool = True
    connect_timeout: float | None = None  # seconds; None: the top level's, else the client's default
    read_timeout: float | None = None
    request_timeout: float | None = None
    max_answer_mib: float | None = None
    readonly: bool = False  # writes turned off whenever this profile is in use

    def __repr__(self) -> str:
        return _repr_without_credentials(self)

    def to_toml(self) -> dict[str, Any]:
        """The profile's table, leaving out unset fields."""
        out: dict[str, Any] = {"base_url": self.base_url}
        if self.token:
            out["token"] = self.token.reveal()
        for key in ("token_env", "user_id", "project_id", *TIMEOUT_KEYS, *LIMIT_KEYS):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if not self.verify_tls:
            out["verify_tls"] = False
        if self.readonly:
            out["readonly"] = True
        return out


@dataclass
class Config:
    """Everything in config.toml."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    page_size: int = 50
    preview_saves: bool = True
    connect_timeout: float | None = None  # seconds, for every profile that sets none
    read_timeout: float | None = None
    request_timeout: float | None = None  # seconds for one request as a whole; None: connect + 2 x read
    max_answer_mib: float | None = None  # the most one answer may hold; None: 64 MiB
    draft_days: int = 30  # drafts older than this are removed at start (0 keeps them all)
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Connection:
    """Where to connect and as whom, after flags, environment and profile are weighed."""

    base_url: str
    token: Secret | None = None
    user_id: str | None = None
    project_id: str | None = None
    verify_tls: bool = True
    connect_timeout: float | None = None  # seconds; None: the client's default (5 s connect, 60 s read)
    read_timeout: float | None = None
    request_timeout: float | None = None  # None: the client's default (connect + 2 x read)
    max_answer_mib: float | None = None  # None: the client's default (64 MiB)
    profile: str | None = None
    readonly: bool = False
    sandbox: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return _repr_without_credentials(self)

    @property
    def label(self) -> str:
        """Profile name or host, for the header."""
        if self.sandbox is not None:
            return self.sandbox.name
        if self.profile:
            return self.profile
        return url_host(self.base_url)  # never user:password@


def _repr_without_credentials(obj: Any) -> str:
    """A dataclass's repr with its ``base_url`` shown as ``shown_url`` does (the token is a Secret already)."""
    from dataclasses import fields

    parts = (f"{f.name}={shown_url(obj.base_url)!r}" if f.name == "base_url" else f"{f.name}={getattr(obj, f.name)!r}"
             for f in fields(obj) if f.repr)
    return f"{type(obj).__name__}({', '.join(parts)})"


def load_config(path: Path | None = None) -> Config:
    """Read config.toml; a missing file is an empty config."""
    path = path or config_path()
    cfg = Config(path=path)
    if not path.exists():
        return cfg
    if sys.version_info >= (3, 11):  # imported here: most starts have no config file to read
        import tomllib
    else:  # pragma: no cover
        # tomli is installed on Python 3.10 only (pyproject.toml's dependencies): not there for a check run on 3.11
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        text = path.read_text(encoding="utf-8")
        with collector_paused():  # the parser recurses once per level of nesting (see collector_paused)
            raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"Cannot read {path}: it is nested too deeply.") from None
    cfg.default_profile = _opt_str(raw.get("default_profile"))
    cfg.theme = _opt_str(raw.get("theme"))
    if isinstance(raw.get("page_size"), int) and not isinstance(raw.get("page_size"), bool):
        cfg.page_size = max(1, min(500, raw["page_size"]))
    if isinstance(raw.get("preview_saves"), bool):
        cfg.preview_saves = raw["preview_saves"]
    if "draft_days" in raw:
        days = raw["draft_days"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ConfigError(f"{path}: draft_days must be a whole number of days (0 keeps drafts for ever)")
        cfg.draft_days = days
    cfg.connect_timeout, cfg.read_timeout = (_seconds(raw, key, str(path)) for key in TIMEOUT_KEYS)
    cfg.request_timeout, cfg.max_answer_mib = (_seconds(raw, key, str(path)) for key in LIMIT_KEYS)
    keymap = raw.get("keymap") or {}
    if not isinstance(keymap, dict):
        raise ConfigError(f"{path}: [keymap] must be a table of binding id = keys")
    cfg.keymap = {str(k): str(v) for k, v in keymap.items()}
    profiles = raw.get("profiles") or {}
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table")
    has_token = False
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: profile {name!r} must be a table")
        token = table.get("token")
        has_token = has_token or bool(token)
        cfg.profiles[name] = Profile(
            name=name,
            base_url=str(table.get("base_url") or DEFAULT_BASE_URL),
            token=Secret(str(token)) if token else None,
            token_env=_opt_str(table.get("token_env")),
            user_id=_opt_str(table.get("user_id")),
            project_id=_opt_str(table.get("project_id")),
            verify_tls=bool(table.get("verify_tls", True)),
            connect_timeout=_seconds(table, "connect_timeout", f"{path}, profile {name!r}"),
            read_timeout=_seconds(table, "read_timeout", f"{path}, profile {name!r}"),
            request_timeout=_seconds(table, "request_timeout", f"{path}, profile {name!r}"),
            max_answer_mib=_seconds(table, "max_answer_mib", f"{path}, profile {name!r}"),
            readonly=table.get("readonly") is True,
        )
    if has_token and _readable_by_others(path):
        cfg.warnings.append(
            f"{path} holds a token and can be read by other users: run chmod 600 on it."
        )
    return cfg


def save_config(cfg: Config, path: Path | None = None) -> Path:
    """Write config.toml atomically with mode 0600 (it may hold tokens)."""
    import tomli_w

    path = path or cfg.path or config_path()
    data: dict[str, Any] = {}
    if cfg.default_profile:
        data["default_profile"] = cfg.default_profile
    if cfg.theme:
        data["theme"] = cfg.theme
    if cfg.page_size != 50:
        data["page_size"] = cfg.page_size
    if not cfg.preview_saves:
        data["preview_saves"] = False
    for key in (*TIMEOUT_KEYS, *LIMIT_KEYS):
        if getattr(cfg, key) is not None:
            data[key] = getattr(cfg, key)
    if cfg.keymap:
        data["keymap"] = dict(cfg.keymap)
    if cfg.profiles:
        data["profiles"] = {name: p.to_toml() for name, p in cfg.profiles.items()}
    write_private(path, tomli_w.dumps(data))
    return path


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def resolve(
    cfg: Config,
    *,
    profile: str | None = None,
    base_url: str | None = None,
    token: str | None = None,
    user_id: str | None = None,
    project_id: str | None = None,
    readonly: bool = False,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    request_timeout: float | None = None,
    max_answer_mib: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Connection:
    """Weigh flag > environment > profile > default for each setting."""
    env = os.environ if env is None else env
    name = profile or env.get(ENV_PROFILE) or cfg.default_profile
    prof: Profile | None = None
    if name:
        prof = cfg.profiles.get(name)
        if prof is None:
            known = ", ".join(sorted(cfg.profiles)) or "none"
            raise ConfigError(f"No profile named {name!r} (known: {known}).")
    sources: dict[str, str] = {}

    def pick(key: str, flag: str | None, env_name: str | None, prof_value: Any, default: Any) -> Any:
        if flag:
            sources[key] = "flag"
            return flag
        if env_name and env.get(env_name):
            sources[key] = f"env {env_name}"
            return env[env_name]
        if prof_value:
            sources[key] = f"profile {prof.name}" if prof else "profile"
            return prof_value
        sources[key] = "default"
        return default

    prof_token: str | None = None
    if prof is not None:
        if prof.token:
            prof_token = prof.token.reveal()
        elif prof.token_env:
            prof_token = env.get(prof.token_env) or None
    url = pick("base_url", base_url, ENV_BASE_URL, prof.base_url if prof else None, DEFAULT_BASE_URL)
    tok = _token_for(str(url), sources, token, env, prof, prof_token, cfg.warnings)
    if tok:
        _check_token(tok, str(url), sources["token"], prof)
    return Connection(
        base_url=str(url).rstrip("/"),
        token=Secret(tok) if tok else None,
        user_id=pick("user_id", user_id, None, prof.user_id if prof else None, None),
        project_id=pick("project_id", project_id, None, prof.project_id if prof else None, None),
        verify_tls=prof.verify_tls if prof else True,
        connect_timeout=_first(connect_timeout, prof.connect_timeout if prof else None, cfg.connect_timeout),
        read_timeout=_first(read_timeout, prof.read_timeout if prof else None, cfg.read_timeout),
        request_timeout=_first(request_timeout, prof.request_timeout if prof else None, cfg.request_timeout),
        max_answer_mib=_first(max_answer_mib, prof.max_answer_mib if prof else None, cfg.max_answer_mib),
        profile=prof.name if prof else None,
        readonly=readonly or (prof.readonly if prof else False),
        sources=sources,
    )


def _token_for(url: str, sources: dict[str, str], flag: str | None, env: Mapping[str, str], prof: Profile | None,
               prof_token: str | None, warnings: list[str]) -> str | None:
    """The token for ``url``: a token is only sent to the server it was configured for.

    ``--token`` always wins. A profile's own token (``token`` or ``token_env``) goes with the profile's
    URL. ``LETTA_API_KEY`` goes with a URL from ``--base-url`` or ``LETTA_BASE_URL``, and with a profile
    that has no token of its own; when a profile's token wins over it, one warning names the variable."""
    env_token = env.get(ENV_TOKEN) or None
    if flag:
        sources["token"] = "flag"
        return flag
    url_from = sources.get("base_url", "default")
    same_server = prof is not None and prof.base_url.rstrip("/") == url.rstrip("/")
    if url_from == "flag" or url_from.startswith("env"):
        if env_token:
            sources["token"] = f"env {ENV_TOKEN}"
            return env_token
        if prof_token and same_server and prof is not None:
            sources["token"] = f"profile {prof.name}"
            return prof_token
        sources["token"] = "default"
        return None
    if prof_token and prof is not None:  # a profile's token comes with its profile
        sources["token"] = f"profile {prof.name}"
        if env_token and env_token != prof_token:
            warnings.append(f"{ENV_TOKEN} is set but not used: profile {prof.name!r} has its own token for "
                            f"{shown_url(url)} (a token is only sent to the server it was configured for).")
        return prof_token
    if prof is not None and prof.token_env:
        # The profile names its token's source and that source is empty: no other source's token stands in.
        sources["token"] = "default"
        ignored = (f"; {ENV_TOKEN} is set but not used (a token is only sent to the server it was configured for)"
                   if env_token else "")
        warnings.append(f"Profile {prof.name!r} takes its token from {prof.token_env}, which is not set: "
                        f"no token is sent to {shown_url(url)}{ignored}.")
        return None
    if env_token:
        sources["token"] = f"env {ENV_TOKEN}"
        return env_token
    sources["token"] = "default"
    return None


def _check_token(token: str, url: str, source: str, prof: Profile | None) -> None:
    """Refuse a token that no HTTP header can carry, in one sentence that names where it came from, never it."""
    problem = token_url_problem(token, url)
    if problem is None:
        return
    if source == "flag":
        where = "--token"
    elif source.startswith("env "):
        where = source[4:]
    elif prof is not None and not prof.token and prof.token_env:
        where = f"{prof.token_env} (profile {prof.name!r})"
    else:
        where = f"profile {prof.name if prof else '?'!r} in config.toml"
    raise ConfigError(f"The token (********) from {where} {problem}: it was refused and nothing was sent.")


@dataclass(frozen=True)
class SessionFlags:
    """The command-line flags that hold for the whole session, whichever profile is picked in the app.

    ``--readonly`` and the timeouts and limits are the admin's choice for the session, so a switch keeps them.
    ``--base-url``, ``--token``, ``--user-id``, ``--project-id`` and ``--profile`` name the start-up server
    only: kept on a switch, they would silently send the picked profile's requests elsewhere."""

    readonly: bool = False
    timeouts: Mapping[str, float] = field(default_factory=dict)


def switch_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment a profile picked in the app is weighed with.

    ``LETTA_BASE_URL`` and ``IDENTITY_TUI_PROFILE`` chose the start-up server, not the one picked, so they
    are left out; ``LETTA_API_KEY`` too when ``LETTA_BASE_URL`` is set, since the key belongs to that server."""
    out = dict(env)
    out.pop(ENV_PROFILE, None)
    if out.pop(ENV_BASE_URL, None):
        out.pop(ENV_TOKEN, None)
    return out


def resolve_profile(cfg: Config, name: str, flags: SessionFlags | None = None,
                    env: Mapping[str, str] | None = None) -> Connection:
    """The connection for profile ``name`` picked in the app: ``resolve``'s weighing, with the session's
    flags (see ``SessionFlags``) and the environment ``switch_env`` leaves."""
    flags = flags or SessionFlags()
    times = {key: flags.timeouts.get(key) for key in (*TIMEOUT_KEYS, *LIMIT_KEYS)}
    return resolve(cfg, profile=name, readonly=flags.readonly, env=switch_env(os.environ if env is None else env),
                   connect_timeout=times["connect_timeout"], read_timeout=times["read_timeout"],
                   request_timeout=times["request_timeout"], max_answer_mib=times["max_answer_mib"])


def token_description(prof: Profile, env: Mapping[str, str] | None = None) -> str:
    """Where a profile's token comes from, never the token: for the profiles screen."""
    if prof.token:
        return "token: stored in config (warning)"
    if prof.token_env:
        env = os.environ if env is None else env
        return f"token: from ${prof.token_env}" + ("" if env.get(prof.token_env) else " (not set)")
    return "no token"


def url_unusable(url: str) -> str | None:
    """Why nothing could be sent to ``url`` (one sentence, naming no part of it), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return "The URL cannot be read: give one like https://letta.example.com."
    if parts.scheme not in ("http", "https"):
        return "The URL must start with http:// or https://."
    if not host:
        return "The URL needs a host, as in https://letta.example.com."
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a profile's base URL as the profile form writes it (one sentence), or None."""
    unusable = url_unusable(url)
    if unusable:
        return unusable
    if "@" in urlsplit(url).netloc:
        return "The URL may not carry user:password@: name the token's variable in token_env instead."
    if any(ch.isspace() for ch in url):
        return "The URL may not contain spaces."
    return None


def name_problem(name: str, taken: Iterable[str]) -> str | None:
    """Why ``name`` cannot name a profile (empty, or another profile's), or None."""
    if not name:
        return "A profile needs a name."
    if not all(ch.isalnum() or ch in "-_." for ch in name):
        return "A profile name may hold letters, digits, - _ and . only."
    if name in taken:
        return f"There is already a profile named {name!r}."
    return None


def env_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a token_env (an environment variable's name), or None; empty is allowed."""
    if name and not (name[0].isalpha() or name[0] == "_") or not all(ch.isalnum() or ch == "_" for ch in name):
        return "token_env is the name of an environment variable: letters, digits and _ (as in LETTA_PROD_KEY)."
    if not name.isascii():
        return "token_env is the name of an environment variable: ASCII letters, digits and _ only."
    return None


FORM_KEYS = ("base_url", "token_env", "user_id", "project_id", "readonly")


def save_profile(path: Path, prof: Profile, old_name: str | None = None) -> None:
    """Write one profile's table into config.toml (atomically, mode 0600), keeping everything else the file says.

    Only the keys the profile form edits (``FORM_KEYS``) change; a stored token, timeouts and other keys of the
    table stay. ``old_name`` renames a profile in place (and ``default_profile`` with it). Comments are not kept."""
    import tomli_w

    raw = _read_raw(path)
    profiles = raw.get("profiles")
    if profiles is None:
        profiles = {}
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table")
    table = dict(profiles.get(old_name or prof.name) or {})
    for key in FORM_KEYS:
        value = getattr(prof, key)
        if value:
            table[key] = value
        else:
            table.pop(key, None)
    rebuilt: dict[str, Any] = {}
    for name, other in profiles.items():
        if name == old_name or name == prof.name:
            rebuilt[prof.name] = table
        else:
            rebuilt[name] = other
    rebuilt.setdefault(prof.name, table)
    raw["profiles"] = rebuilt
    if old_name and old_name != prof.name and raw.get("default_profile") == old_name:
        raw["default_profile"] = prof.name
    write_private(path, tomli_w.dumps(raw))


def _read_raw(path: Path) -> dict[str, Any]:
    """config.toml as its tables, or an empty one when there is no file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    try:
        with collector_paused():
            raw: dict[str, Any] = tomllib.loads(text)
            return raw
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"Cannot read {path}: it is nested too deeply.") from None


def with_sandbox(conn: Connection, path: Path) -> Connection:
    """The connection retargeted at an embedded sandbox database."""
    return replace(conn, base_url="http://sandbox.invalid", token=None, sandbox=path, profile=None)


def seconds(value: Any) -> float | None:
    """``value`` as a timeout: a finite positive number of seconds, else None."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) and value > 0 else None


def unit(key: str) -> str:
    """What a number given for ``key`` counts: seconds, or MiB for ``max_answer_mib``."""
    return "MiB" if key == "max_answer_mib" else "seconds"


def _seconds(table: Mapping[str, Any], key: str, where: str) -> float | None:
    if key not in table:
        return None
    value = seconds(table[key]) if not isinstance(table[key], str) else None
    if value is None:
        raise ConfigError(f"{where}: {key} must be a positive number of {unit(key)}, not {table[key]!r}.")
    return value


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v), None)


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
