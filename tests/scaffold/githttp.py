"""A git host for tests: the portal's smart-HTTP server with HTTP Basic auth in front and pushes on."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from provisioning.scaffold import BareDirectoryRemote, RepoInfo
from provisioning.scaffold.remotes.http_server import GitHttpBackend, serving_over_http


class GitHttpServer:
    """Counts the requests it let in (``authorized``) and turned away (``refused``)."""

    def __init__(self, root: Path, user: str, password: str) -> None:
        self.user = user
        self.backend = GitHttpBackend(root, receive_pack=True)
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
        return self.backend({**environ, "REMOTE_USER": self.user}, start_response)


@contextmanager
def git_http_server(root: Path, user: str, password: str) -> Iterator[GitHttpServer]:
    app = GitHttpServer(root, user, password)
    with serving_over_http(app) as url:
        app.url = url
        yield app


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
