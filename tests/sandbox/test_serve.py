"""The HTTP server thread and the `sandbox serve` command, over real sockets."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.sandbox.serve import ServerThread, main

ROOT = Path(__file__).resolve().parents[2]


def test_server_thread_speaks_http_with_keep_alive() -> None:
    sb = Sandbox(password="pw")
    with ServerThread(sb, port=0) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
        with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer pw"}) as client:
            made = client.post("/v1/identities/", json={"identifier_key": "a", "name": "A", "identity_type": "user"})
            assert made.status_code == 200
            assert client.get(f"/v1/identities/{made.json()['id']}").json() == made.json()
            assert client.get("/v1/identities").headers["location"] == f"{server.base_url}/v1/identities/"
            assert client.get("/v1/identities/count").headers["x-identity-tui-sandbox"] == "1"
            head = client.head("/v1/identities/count")
            assert head.status_code == 405 and head.content == b""
    assert [r.status for r in sb.request_log] == [200, 200, 307, 200, 405]


def test_chunked_request_bodies_are_read() -> None:
    sb = Sandbox()
    with ServerThread(sb) as server, httpx.Client(base_url=server.base_url) as client:
        parts = [b'{"identifier_key": "c", ', b'"name": "C", "identity_type": "org"}']
        response = client.post("/v1/identities/", content=iter(parts), headers={"content-type": "application/json"})
        assert response.status_code == 200 and response.json()["identity_type"] == "org"


def raw_exchange(base_url: str, requests: list[bytes]) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        for request in requests:
            sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_an_unknown_error_closes_the_connection_like_uvicorn() -> None:
    body = (b'{"identifier_key":"x","name":"x","identity_type":"user",'
            b'"agent_ids":["agent-00000000-0000-4000-8000-000000000000"]}')
    request = (b"POST /v1/identities/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    count = b"GET /v1/identities/count HTTP/1.1\r\nHost: x\r\n\r\n"
    with ServerThread(Sandbox()) as server:
        received = raw_exchange(server.base_url, [request, count])
    # The second request on the same connection is never answered.
    assert received.count(b"HTTP/1.1 ") == 1 and received.startswith(b"HTTP/1.1 500")


def test_other_errors_keep_the_connection_open() -> None:
    count = b"GET /v1/identities/count HTTP/1.1\r\nHost: x\r\n\r\n"
    closing = b"GET /v1/identities/count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with ServerThread(Sandbox()) as server:
        received = raw_exchange(server.base_url, [b"GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n", count, closing])
    assert received.count(b"HTTP/1.1 ") == 3


def start_cli(*args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "identity_tui.sandbox.serve", "--port", "0", *args],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://[\d.]+:\d+", line)
    assert match, (line, process.stderr.read() if process.poll() is not None else "")
    return process, line


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_serves_until_signalled(stop: signal.Signals) -> None:
    process, line = start_cli("--seed", "12", "--password", "hunter2")
    try:
        url = re.search(r"http://[\d.]+:\d+", line).group(0)
        assert "hunter2" not in line
        assert httpx.get(f"{url}/v1/health/").json() == {"version": "0.16.8", "status": "ok"}
        assert httpx.get(f"{url}/v1/identities/count").status_code == 401
        assert httpx.get(f"{url}/v1/identities/count", headers={"Authorization": "Bearer hunter2"}).json() == 12
    finally:
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
    assert "hunter2" not in process.stdout.read() + process.stderr.read()


def test_cli_seeds_only_an_empty_database(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    existing = Sandbox(db)
    seed(existing, 3)
    existing.close()
    process, line = start_cli("--db", db, "--seed", "50")
    try:
        url = re.search(r"http://[\d.]+:\d+", line).group(0)
        assert httpx.get(f"{url}/v1/identities/count").json() == 3
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_main_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_main_help_describes_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--db", "--seed", "--password"):
        assert option in out


def reset_mid_request(base_url: str) -> None:
    """Drop a kept-alive connection with a reset while the server waits on it (what a cancelled client does).

    One request is answered first, so the server's handler is surely reading the connection when the
    reset comes.
    """
    import struct

    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"GET /v1/identities/count HTTP/1.1\r\nHost: x\r\n\r\n")
    received = b""
    while not received.endswith(b"\r\n\r\n0"):
        received += sock.recv(65536)
    sock.sendall(b"POST /v1/identities/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_client_that_cancels_is_one_quiet_line_not_a_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    import time

    with ServerThread(Sandbox()) as server:
        reset_mid_request(server.base_url)
        err = ""
        deadline = time.monotonic() + 10
        while "closed the connection" not in err and "Error" not in err and time.monotonic() < deadline:
            time.sleep(0.02)  # the handler thread reports the reset on its own time
            err += capfd.readouterr().err
        # and the server still answers
        assert httpx.get(f"{server.base_url}/v1/identities/count").json() == 0
    err += capfd.readouterr().err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "closed the connection" in lines[0], err
