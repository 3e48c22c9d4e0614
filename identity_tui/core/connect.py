"""Open the client a Connection describes: a real server over HTTP, or the embedded sandbox in-process."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.config import Connection, server_key, state_dir
from identity_tui.core.journal import Journal

if TYPE_CHECKING:
    from os import PathLike
    from pathlib import Path

    from identity_tui.httpx_lean import httpx
    from identity_tui.sandbox import Sandbox

SANDBOX_SEED = 36


@dataclass
class Backend:
    """A client and, for the sandbox, the store behind it."""

    client: LettaClient
    sandbox: Sandbox | None = None

    async def aclose(self) -> None:
        """Close the client and the sandbox store."""
        await self.client.aclose()
        if self.sandbox is not None:
            self.sandbox.close()


def open_backend(conn: Connection, *, sandbox: Sandbox | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 timeouts: tuple[float | None, float | None] = (None, None), source: str = "app",
                 retries: int | None = None) -> Backend:
    """Build the client for ``conn`` (no network yet); ``sandbox`` reuses an open store; ``timeouts``
    (connect, read) in seconds replace the defaults where given; ``retries`` replaces the default number of
    retries of a read (0: one request, as a test of the server wants). Its writes are journaled (``source``
    says who wrote: the app, a command)."""
    backend = _open(conn, sandbox, transport, timeouts, retries)
    backend.client.journal = Journal(journal_dir(), server_key(conn), profile=conn.profile, user_id=conn.user_id,
                                     source=source)
    return backend


def _open(conn: Connection, sandbox: Sandbox | None, transport: httpx.AsyncBaseTransport | None,
          timeouts: tuple[float | None, float | None], retries: int | None = None) -> Backend:
    options = ClientOptions(verify_tls=conn.verify_tls)
    if retries is not None:
        options = replace(options, retries=retries)
    connect, read = timeouts
    connect = conn.connect_timeout if connect is None else connect  # a flag beats the config's
    read = conn.read_timeout if read is None else read
    if connect is not None:
        options = replace(options, connect_timeout=connect)
    if read is not None:
        options = replace(options, read_timeout=read)
    if conn.request_timeout is not None:
        options = replace(options, request_timeout=conn.request_timeout)
    if conn.max_answer_mib is not None:
        options = replace(options, max_answer_mib=conn.max_answer_mib)
    if conn.sandbox is not None or sandbox is not None:
        if sandbox is None:
            sandbox = open_sandbox(conn.sandbox)
        client = LettaClient(
            "http://sandbox.invalid",
            readonly=conn.readonly,
            project_id=conn.project_id,
            options=ClientOptions(retries=0),
            transport=transport or sandbox.transport(),
        )
        return Backend(client, sandbox)
    client = LettaClient(
        conn.base_url,
        token=conn.token,
        user_id=conn.user_id,
        project_id=conn.project_id,
        readonly=conn.readonly,
        options=options,
        transport=transport,
    )
    return Backend(client)


def open_sandbox(path: str | PathLike[str] | None) -> Sandbox:
    """Open (and on first use seed) a sandbox database file, or an in-memory one for ``None``."""
    from identity_tui.sandbox import Sandbox

    import sqlite3

    target = ":memory:" if path is None else str(path)
    sb = None
    try:
        if path is not None:
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        sb = Sandbox(path=target)
        if sb.count() == 0:
            from identity_tui.sandbox.seed import seed

            seed(sb, SANDBOX_SEED)
    except (sqlite3.Error, OSError) as exc:
        if sb is not None:
            try:
                sb.close()
            except sqlite3.Error:
                pass
        from identity_tui.core.display import printable

        raise SandboxUnusable(f"Cannot use {printable(target)} as a sandbox: {printable(str(exc))} "
                              "(give a database file's path, or none for the default).") from None
    return sb


def sandbox_path_problem(path: str | PathLike[str]) -> str | None:
    """Why ``path`` cannot hold a sandbox, told without opening it (a folder, a device, a file that is not a
    SQLite database), as ``open_sandbox`` would say it; None when it may."""
    import os
    import stat

    from identity_tui.core.display import printable

    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None  # made on first use
    except OSError as exc:
        reason = exc.strerror or str(exc)
    else:
        if stat.S_ISDIR(info.st_mode):
            reason = "it is a folder"
        elif not stat.S_ISREG(info.st_mode):
            reason = "it is not a regular file"
        elif info.st_size == 0:
            return None
        else:
            try:
                with open(path, "rb") as f:
                    head = f.read(16)
            except OSError as exc:
                reason = exc.strerror or str(exc)
            else:
                if head == b"SQLite format 3\x00":
                    return None
                reason = "file is not a database"
    return (f"Cannot use {printable(str(path))} as a sandbox: {printable(reason)} "
            "(give a database file's path, or none for the default).")


class SandboxUnusable(Exception):
    """The sandbox's file cannot be opened or written (a folder, a device, not a database): one sentence."""


def journal_dir() -> Path:
    """Where every server's write journal lives (what ``identity-tui locate`` prints)."""
    return state_dir() / "journal"
