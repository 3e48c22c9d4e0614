"""Serve a Sandbox over real HTTP on a background thread, and the `identity-tui sandbox serve` command."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from identity_tui.sandbox.sandbox import Sandbox


def _handler_for(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so a client's connection pool is exercised as with uvicorn
        server_version = "identity-tui-sandbox"
        disable_nagle_algorithm = True  # headers and body go out as two writes; without this keep-alive stalls 40 ms

        def _serve(self) -> None:
            body = self._read_body()
            if body is None:
                return
            status, headers, data = sandbox.handle(self.command, self.path, dict(self.headers.items()), body)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            if status == 500 and data == b'{"detail":"An unknown error occurred"}':
                # Starlette re-raises after sending this one, and uvicorn then drops the connection.
                self.close_connection = True

        def _read_body(self) -> bytes | None:
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = self.headers.get("content-length")
            try:
                return self.rfile.read(int(length)) if length else b""
            except ValueError:
                self.send_error(400, "Bad Content-Length")
                return None

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the sandbox keeps its own request log

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request (a cancelled request, a closed pool) is one line, not a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):  # reset, broken pipe, aborted
            where = ":".join(str(part) for part in client_address[:2]) if client_address else "a client"
            print(f"identity-tui sandbox: {where} closed the connection mid-request ({type(exc).__name__})",
                  file=sys.stderr, flush=True)
            return
        super().handle_error(request, client_address)


class ServerThread:
    """A context manager that serves a sandbox on host:port (0 = any free port) until the block ends."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0):
        self.sandbox = sandbox
        self.httpd = _Server((host, port), _handler_for(sandbox))
        # A short poll interval makes stop() return quickly.
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sandbox-http", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)  # an internet socket's address: (host, port)
        return f"http://{host}:{port}"

    def start(self) -> "ServerThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="identity-tui sandbox serve",
                                     description="Serve a Letta-compatible identities sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8283, help="port to listen on, 0 for any (default: 8283)")
    parser.add_argument("--db", default=":memory:", help="SQLite file to keep data in (default: in memory)")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="add N demo identities when the database is empty")
    parser.add_argument("--password", default=None,
                        help="require 'Authorization: Bearer <password>' like a server in secure mode")
    return parser


def main(argv: list[str]) -> int:
    """Run until Ctrl-C or SIGTERM; prints the URL once /v1/health/ can answer."""
    args = _parser().parse_args(argv)
    sandbox = Sandbox(args.db, password=args.password)
    if args.seed and sandbox.count() == 0:
        from identity_tui.sandbox.seed import seed

        seed(sandbox, args.seed)
    try:
        server = ServerThread(sandbox, args.host, args.port)
    except OSError as exc:
        print(f"identity-tui sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        sandbox.close()
        return 2
    stop = threading.Event()
    on_main = threading.current_thread() is threading.main_thread()  # signals can only be set up there
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if on_main else None
    with server:
        secure = " (password required)" if args.password else ""
        print(f"Letta identities sandbox on {server.base_url}{secure}; {sandbox.count()} identities. "
              "Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    if on_main:
        signal.signal(signal.SIGTERM, previous)
    sandbox.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
