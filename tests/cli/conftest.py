"""The `portal` command against the real portal: pytest-django's live server, a personal access token of a
demo person, and a home directory of the test's own (where `portal login` keeps its config)."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from portal.cli.app import app
from tests.fixtures.api import create_token

pytestmark = pytest.mark.django_db(transaction=True)


def token_of(user, *, scopes=("read", "request", "approve", "admin"), name: str = "cli") -> str:
    _, text = create_token(user=user, name=f"{name}-{user.access_tokens.count()}", scopes=scopes)
    return text


class Cli:
    """``cli("whoami", token=…)``: runs the command as a user would, with PORTAL_URL set to the live server."""

    def __init__(self, url: str, home):
        self.url, self.home = url, home
        self.runner = CliRunner()

    def __call__(self, *args: str, token: str | None = None, input: str | None = None, url: str | None = None,
                 stored: bool = False):
        """``stored=True``: neither PORTAL_URL nor PORTAL_TOKEN, only what `portal login` stored."""
        env = {"PORTAL_URL": None, "PORTAL_TOKEN": None} if stored else {"PORTAL_URL": url or self.url,
                                                                          "PORTAL_TOKEN": token}
        result = self.runner.invoke(app, [str(a) for a in args], env=env, input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback is a bug of the command: show it
        return result

    def json(self, *args: str, token: str | None = None):
        result = self("--output", "json", *args, token=token)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(live_server, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("PORTAL_URL", "PORTAL_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # The portal's own umask (0077, set when the server package loads) would make any file private:
    # a usual laptop's umask shows whether the command narrows its config itself.
    old = os.umask(0o022)
    yield Cli(live_server.url, home)
    os.umask(old)
