"""Serve a directory of bare repos over git's smart HTTP on loopback, read-only. No Django.

``git http-backend`` (CGI) does the git side; a small threaded ``wsgiref`` server in front of it
checks every request first. Only ``<root>/<name>.git`` (one path segment, as ``check_repo_name``
allows, holding a git repo) is served — anything else is a 404 — and pushing (``git-receive-pack``)
is a 403 unless the app is built with ``receive_pack=True`` (the tests' authenticated server).

Run it as a child process (``start_git_http_server``, as ``runportal`` does) or by hand::

    python -m provisioning.scaffold.remotes.http_server --root .data/git --addr 127.0.0.1:5056
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import IO, Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from ..errors import ScaffoldError
from .base import check_repo_name

log = logging.getLogger(__name__)

MODULE = "provisioning.scaffold.remotes.http_server"
# Host names this server may bind to, with the address family and the address it binds.
LOOPBACK = {"127.0.0.1": (socket.AF_INET, "127.0.0.1"), "localhost": (socket.AF_INET, "127.0.0.1"),
            "::1": (socket.AF_INET6, "::1")}
MAX_REQUEST_BYTES = 64 * 1024 * 1024  # a fetch negotiation is kilobytes; a test push a few megabytes
_PATH = re.compile(r"^/(?P<name>[^/]+)\.git/(?P<tail>info/refs|git-upload-pack|git-receive-pack)$")
_SERVICES = ("git-upload-pack", "git-receive-pack")
_PASSED = ("REQUEST_METHOD", "QUERY_STRING", "CONTENT_TYPE", "HTTP_CONTENT_ENCODING", "HTTP_GIT_PROTOCOL",
           "REMOTE_ADDR", "REMOTE_USER")

StartResponse = Callable[..., Any]


class _Refused(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


class GitHttpBackend:
    """The WSGI app: git's smart HTTP for the bare repos directly under ``root``."""

    def __init__(self, root: Path | str, *, receive_pack: bool = False) -> None:
        self.root = Path(root).resolve()
        self.receive_pack = receive_pack

    def __repr__(self) -> str:
        return f"GitHttpBackend(root={str(self.root)!r}, receive_pack={self.receive_pack})"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            path_info = self._route(environ)
            body = _request_body(environ)
        except _Refused as refused:
            start_response(refused.status, [("Content-Type", "text/plain; charset=utf-8")])
            return [f"{refused}\n".encode()]
        return self._backend(environ, path_info, body, start_response)

    def _route(self, environ: dict[str, Any]) -> str:
        """The path of a request this server answers (raises _Refused for any other)."""
        match = _PATH.match(environ.get("PATH_INFO", ""))
        if not match:
            raise _Refused("404 Not Found", "not found")
        name, tail = match["name"], match["tail"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        service = query.get("service", [""])[0] if tail == "info/refs" else tail
        method = "GET" if tail == "info/refs" else "POST"
        if service not in _SERVICES:
            raise _Refused("404 Not Found", "only git's smart HTTP is served here")
        if environ.get("REQUEST_METHOD") != method:
            raise _Refused("405 Method Not Allowed", f"use {method}")
        try:
            check_repo_name(name)
        except ScaffoldError:
            raise _Refused("404 Not Found", "not found") from None
        path = self.root / f"{name}.git"
        if not (path / "HEAD").is_file() or path.resolve().parent != self.root:
            raise _Refused("404 Not Found", "no such repository")
        if service == "git-receive-pack" and not self.receive_pack:
            raise _Refused("403 Forbidden", "this server is read-only: push to the portal's remote instead")
        return f"/{name}.git/{tail}"

    def _backend(
        self, environ: dict[str, Any], path_info: str, body: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        cgi = {key: str(environ[key]) for key in _PASSED if environ.get(key)}
        cgi |= {
            "PATH": os.environ.get("PATH", os.defpath),
            "GATEWAY_INTERFACE": "CGI/1.1",
            "PATH_INFO": path_info,
            "CONTENT_LENGTH": str(len(body)),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            # Neither the machine's nor the user's git config; the push switch set here wins over
            # whatever a repo's own config says.
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.receivepack",
            "GIT_CONFIG_VALUE_0": "true" if self.receive_pack else "false",
        }
        process = subprocess.Popen(
            ["git", "http-backend"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=cgi
        )
        feeder = threading.Thread(target=_feed, args=(process.stdin, body), daemon=True)
        feeder.start()
        assert process.stdout is not None  # stdout=PIPE; for the type checker
        status, headers = _cgi_head(process.stdout)
        if status is None:
            _end(process, feeder, finished=False)
            start_response("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"git http-backend gave no answer\n"]
        start_response(status, headers)
        return _stream(process, feeder)


def _request_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":  # git's posts above 1 MiB
        return _dechunked(stream)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _Refused("400 Bad Request", "bad Content-Length") from None
    if not 0 <= length <= MAX_REQUEST_BYTES:
        raise _Refused("413 Content Too Large", "request too large")
    return bytes(stream.read(length))


def _dechunked(stream: IO[bytes]) -> bytes:
    parts, total = [], 0
    while True:
        try:
            size = int(stream.readline(1024).split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _Refused("400 Bad Request", "bad chunked body") from None
        if size == 0:
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        total += size
        if size < 0 or total > MAX_REQUEST_BYTES:
            raise _Refused("413 Content Too Large", "request too large")
        chunk = stream.read(size)
        if len(chunk) != size:
            raise _Refused("400 Bad Request", "truncated chunked body")
        parts.append(chunk)
        stream.readline(1024)  # the CRLF closing the chunk


def _feed(stdin: IO[bytes] | None, body: bytes) -> None:
    if stdin is None:
        return
    with suppress(BrokenPipeError, OSError):
        stdin.write(body)
    with suppress(BrokenPipeError, OSError):
        stdin.close()


def _cgi_head(stdout: IO[bytes]) -> tuple[str | None, list[tuple[str, str]]]:
    """The CGI response's status and headers (None: the backend ended without any)."""
    status, headers = "200 OK", []
    while True:
        line = stdout.readline(8192)
        if not line:
            return None, []
        text = line.decode("latin-1").rstrip("\r\n")
        if not text:
            return status, headers
        key, _, value = text.partition(":")
        if key.lower() == "status":
            status = value.strip()
        else:
            headers.append((key.strip(), value.strip()))


def _stream(process: subprocess.Popen[bytes], feeder: threading.Thread) -> Iterator[bytes]:
    finished = False
    try:
        assert process.stdout is not None
        while chunk := process.stdout.read1(65536):
            yield chunk
        finished = True
    finally:  # also when the client went away mid-answer (the server closes this generator)
        _end(process, feeder, finished=finished)


def _end(process: subprocess.Popen[bytes], feeder: threading.Thread, *, finished: bool) -> None:
    if not finished:
        with suppress(ProcessLookupError):
            process.kill()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    feeder.join(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


# ---- the server ----------------------------------------------------------------------------------


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


def parse_addr(addr: str) -> tuple[str, int]:
    """``"127.0.0.1:5056"``, ``"localhost:5056"`` or ``"[::1]:5056"`` → (host, port); loopback only."""
    host, sep, port = addr.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        host = ""  # an IPv6 address without brackets
    if not sep or host not in LOOPBACK or not port.isdigit() or int(port) > 65535:
        raise ScaffoldError(f"the git HTTP server listens on loopback only: {addr!r} is not "
                            f"127.0.0.1:<port>, localhost:<port> or [::1]:<port>")
    return host, int(port)


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_git_http_server(app: Callable[..., Iterable[bytes]], addr: str = "127.0.0.1:0") -> WSGIServer:
    """A threaded WSGI server for ``app``, bound (port 0: any free port) but not serving yet."""
    host, port = parse_addr(addr)
    family, bind_to = LOOPBACK[host]
    server = (_Server6 if family == socket.AF_INET6 else _Server)((bind_to, port), _Handler)
    server.set_app(app)
    return server


@contextmanager
def serving_over_http(app: Callable[..., Iterable[bytes]], addr: str = "127.0.0.1:0") -> Iterator[str]:
    """Serve ``app`` from a thread of this process; yields the base URL, stops on exit."""
    server = make_git_http_server(app, addr)
    host = parse_addr(addr)[0]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base_url(host, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def start_git_http_server(
    root: Path | str, addr: str, *, log_path: Path | str | None = None, timeout: float = 15.0
) -> subprocess.Popen[bytes]:
    """Start the read-only server for ``root`` as a child process in its own session (end it with
    SIGTERM to its process group) and return once it accepts connections."""
    host, port = parse_addr(addr)
    if port == 0:
        raise ScaffoldError("the git HTTP server needs a fixed port to run as a child process")
    if _answers(host, port):  # otherwise the squatter would look like our server
        raise ScaffoldError(f"cannot serve git over HTTP on {addr}: the port is already in use")
    argv = [sys.executable, "-m", MODULE, "--root", str(Path(root).resolve()), "--addr", addr]
    source_root = Path(__file__).resolve().parents[3]  # where the ``provisioning`` package lives
    with open(log_path or os.devnull, "ab") as out:
        process = subprocess.Popen(argv, cwd=source_root, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            where = f"; see {log_path}" if log_path else ""
            raise ScaffoldError(f"the git HTTP server exited with {process.returncode}{where}")
        if _answers(host, port):
            return process
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    raise ScaffoldError(f"the git HTTP server did not answer on {addr} within {timeout:.0f}s")


def _answers(host: str, port: int) -> bool:
    family, address = LOOPBACK[host]
    with socket.socket(family) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((address, port)) == 0


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}",
                                     description="Serve a directory of bare git repos read-only over HTTP.")
    parser.add_argument("--root", required=True, type=Path, help="the directory holding <name>.git repos")
    parser.add_argument("--addr", default="127.0.0.1:5056", help="loopback host:port (default %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    args.root.mkdir(parents=True, exist_ok=True)
    try:
        server = make_git_http_server(GitHttpBackend(args.root), args.addr)
    except (ScaffoldError, OSError) as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
    signal.signal(signal.SIGTERM, _terminate)
    host, port = parse_addr(args.addr)
    log.info("serving %s read-only at %s", args.root.resolve(), base_url(host, port))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
