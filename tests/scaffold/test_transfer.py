"""Pushing with a token: over real smart HTTP with Basic auth, token never in argv, logs or errors."""

from __future__ import annotations

import base64
import logging
import subprocess

import pytest

from provisioning.scaffold import PushError, publish_repo, upgrade_repo
from provisioning.scaffold.transfer import endpoint

from .conftest import PORTAL, REQUESTER
from .conftest import git as run_git
from .githttp import TokenRemote, git_http_server

TOKEN = "ghp_TransferT0kenThatMustNeverLeak42"


@pytest.fixture
def spy_argv(monkeypatch):
    """Every command line any child process of this test is started with (GitPython, copier, ...)."""
    seen: list[str] = []
    real_init = subprocess.Popen.__init__

    def recording(self, args, *rest, **kwargs):
        seen.append(" ".join(map(str, args)) if isinstance(args, list | tuple) else str(args))
        real_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)
    return seen


def test_endpoint_moves_credentials_into_a_host_scoped_header() -> None:
    target = endpoint(f"https://x-access-token:{TOKEN}@github.com/acme-ml/fraud.git")
    assert target.url == "https://github.com/acme-ml/fraud.git"
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert target.env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraHeader"
    assert target.env["GIT_CONFIG_VALUE_0"] == f"Authorization: Basic {basic}"
    assert target.env["GIT_TERMINAL_PROMPT"] == "0"
    assert TOKEN not in repr(target)
    assert target.redact(f"fatal: {TOKEN} and {basic}") == "fatal: *** and ***"


def test_endpoint_leaves_plain_urls_alone() -> None:
    target = endpoint("file:///srv/git/fraud.git")
    assert (target.url, target.secrets) == ("file:///srv/git/fraud.git", ())
    assert "GIT_CONFIG_COUNT" not in target.env


def test_publish_and_upgrade_over_authenticated_http(
    tmp_path, bare_remote, rendered, scaffold_versions, spy_argv, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    with git_http_server(bare_remote.root, "x-access-token", TOKEN) as server:
        remote = TokenRemote(bare_remote, server.url, "x-access-token", TOKEN)
        published = publish_repo(
            remote, "fraud", rendered, author=PORTAL, co_author=REQUESTER, message="Create"
        )
        v2 = scaffold_versions(2)
        upgraded = upgrade_repo(remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert published.clone_url == f"{server.url}/fraud.git"
    assert run_git("--git-dir", str(bare_remote.path("fraud")), "rev-parse", "main") == published.commit_sha
    assert (
        run_git("--git-dir", str(bare_remote.path("fraud")), "rev-parse", upgraded.branch)
        == upgraded.commit_sha
    )
    assert server.authorized >= 4 and server.refused == 0  # the header went with the first request
    assert any("push" in argv for argv in spy_argv) and any("clone" in argv for argv in spy_argv)
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    for text in (*spy_argv, caplog.text):
        assert TOKEN not in text and basic not in text


def test_a_refused_token_is_a_clear_push_error_without_the_token(
    tmp_path, bare_remote, rendered, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    with git_http_server(bare_remote.root, "x-access-token", "the-real-one") as server:
        remote = TokenRemote(bare_remote, server.url, "x-access-token", TOKEN)
        with pytest.raises(PushError, match=rf"cannot read main from {server.url}/fraud.git") as caught:
            publish_repo(remote, "fraud", rendered, author=PORTAL, co_author=REQUESTER, message="Create")

    assert server.refused >= 1
    for text in (str(caught.value), caplog.text):
        assert TOKEN not in text
    assert caught.value.__cause__ is None


def test_a_token_given_as_the_user_name_is_redacted_too() -> None:
    target = endpoint(f"https://{TOKEN}@gitlab.example.com/g/p.git")
    assert target.url == "https://gitlab.example.com/g/p.git"
    assert target.redact(f"denied for {TOKEN}") == "denied for ***"
