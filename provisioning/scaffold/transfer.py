"""Fetch and push with credentials kept out of argv, ``.git/config``, logs and error messages.

A push URL may carry ``user:token@``; git gets the clean URL plus an ``Authorization`` header scoped
to that host through ``GIT_CONFIG_*`` environment variables, and every message we raise is redacted.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import git

from .errors import PushError

_FAILED = (
    git.PushInfo.ERROR | git.PushInfo.REJECTED | git.PushInfo.REMOTE_REJECTED | git.PushInfo.REMOTE_FAILURE
)


@dataclass(frozen=True)
class Endpoint:
    """A remote as git will see it: a clean URL and the environment that authenticates it."""

    url: str
    env: dict[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def endpoint(url: str) -> Endpoint:
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return Endpoint(url=url, env=env, secrets=())
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port else ""
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    env |= {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{parts.scheme}://{netloc}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }
    raw = parts.password if password else parts.username  # a lone user name is the token itself
    credential = password or user
    secrets = tuple(s for s in {url, credential, quote(credential, safe=""), raw or "", basic} if s)
    return Endpoint(url=clean, env=env, secrets=secrets)


def new_work_repo(path: Path, remote: Endpoint) -> git.Repo:
    """An empty repo on ``main`` with ``origin`` = the clean URL; user-level ignore rules don't apply."""
    repo = git.Repo.init(path, initial_branch="main")
    _neutral_config(repo)
    repo.create_remote("origin", remote.url)
    return repo


def clone(remote: Endpoint, path: Path, branch: str = "main") -> git.Repo:
    try:
        repo = git.Repo.clone_from(remote.url, path, env=remote.env, branch=branch)
    except git.GitCommandError as exc:
        raise PushError(remote.redact(f"cannot clone {remote.url} ({branch}): {_stderr(exc)}")) from None
    _neutral_config(repo)
    return repo


def remote_branch(repo: git.Repo, remote: Endpoint, branch: str) -> str | None:
    """Fetch ``branch`` from the remote and return its commit sha, or None if it does not exist."""
    try:
        listed = repo.git.ls_remote("origin", f"refs/heads/{branch}", env=remote.env)
        if not listed.strip():
            return None
        repo.git.fetch("origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}", env=remote.env)
    except git.GitCommandError as exc:
        raise PushError(remote.redact(f"cannot read {branch} from {remote.url}: {_stderr(exc)}")) from None
    return repo.git.rev_parse(f"refs/remotes/origin/{branch}")


def push(repo: git.Repo, remote: Endpoint, branch: str) -> None:
    """Push ``branch`` to the same name, never forced; raise :class:`PushError` on any rejection."""
    refspec = f"refs/heads/{branch}:refs/heads/{branch}"
    try:
        with repo.git.custom_environment(**remote.env):
            infos = repo.remote("origin").push(refspec)
        failed = "; ".join(info.summary.strip() for info in infos if info.flags & _FAILED)
        if failed:
            raise PushError(remote.redact(f"push of {branch} to {remote.url} was rejected: {failed}"))
        infos.raise_if_error()
        if not infos:
            raise PushError(remote.redact(f"push of {branch} to {remote.url} pushed nothing"))
    except git.GitCommandError as exc:
        raise PushError(remote.redact(f"push of {branch} to {remote.url} failed: {_stderr(exc)}")) from None


def tree_of(repo: git.Repo, rev: str) -> str:
    return repo.git.rev_parse(f"{rev}^{{tree}}")


def _neutral_config(repo: git.Repo) -> None:
    with repo.config_writer() as config:
        config.set_value("core", "excludesFile", os.devnull)
        config.set_value("core", "hooksPath", os.devnull)
        config.set_value("commit", "gpgSign", "false")


def _stderr(exc: git.GitCommandError) -> str:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    return " ".join(text.replace("stderr:", "").split())[:500] or f"exit code {exc.status}"
