"""A smart-HTTP git server for tests: ``git http-backend`` behind HTTP Basic auth on loopback."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

from provisioning.scaffold import BareDirectoryRemote, RepoInfo


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class GitHttpServer:
    def __init__(self, root: Path, user: str, password: str) -> None:
        self.root, self.user = root, user
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.authorized = 0
        self.refused = 0
        self.url = ""

    def __call__(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != self.expected:
            self.refused += 1
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"')])
            return [b"authentication required\n"]
        self.authorized += 1
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        cgi = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REMOTE_USER": self.user,
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "CONTENT_LENGTH": str(len(body)),
        }
        for key in (
            "PATH_INFO",
            "REQUEST_METHOD",
            "QUERY_STRING",
            "CONTENT_TYPE",
            "HTTP_CONTENT_ENCODING",
            "HTTP_GIT_PROTOCOL",
        ):
            if environ.get(key):
                cgi[key] = environ[key]
        output = subprocess.run(
            ["git", "http-backend"], input=body, env=cgi, capture_output=True, check=True
        ).stdout
        head, payload = re.split(rb"\r?\n\r?\n", output, maxsplit=1)
        status, headers = "200 OK", []
        for line in head.decode().splitlines():
            key, value = line.split(":", 1)
            if key.lower() == "status":
                status = value.strip()
            else:
                headers.append((key, value.strip()))
        start_response(status, headers)
        return [payload]


@contextmanager
def git_http_server(root: Path, user: str, password: str) -> Iterator[GitHttpServer]:
    app = GitHttpServer(root, user, password)
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    app.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class TokenRemote:
    """A hosted remote as GitHub/GitLab look to the publisher: HTTPS-like URL, token in push_url."""

    def __init__(self, bare: BareDirectoryRemote, base_url: str, user: str, token: str) -> None:
        self.bare, self.base_url, self.user, self.token = bare, base_url, user, token

    def ensure_repo(self, name: str, description: str) -> RepoInfo:
        self.bare.ensure_repo(name, description)
        return RepoInfo(clone_url=f"{self.base_url}/{name}.git", web_url=None)

    def push_url(self, name: str) -> str:
        scheme, rest = self.base_url.split("://", 1)
        return f"{scheme}://{self.user}:{self.token}@{rest}/{name}.git"

    def grant_group_access(self, name: str, group: str) -> None:
        pass
