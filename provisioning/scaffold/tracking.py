"""Which scaffold version a generated repo's ``main`` is on now, read from its remote.

A team merges the portal's upgrade branch (or resolves it by hand) in its own time; the portal learns
about it by reading ``.copier-answers.yml`` on the remote's ``main``. Only the tip is fetched
(``--depth 1``), with the same credential handling as pushes, and nothing is written to the remote.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import git
import yaml

from .answers import ANSWERS_FILE
from .errors import PushError
from .remotes.base import GitRemote
from .transfer import Endpoint, endpoint, new_work_repo


@dataclass(frozen=True)
class BranchVersion:
    """``ref`` is the answers file's ``_commit`` (e.g. ``v2``); None when the branch has no readable one."""

    commit_sha: str
    ref: str | None
    problem: str = ""


def branch_head(remote: GitRemote, name: str, *, branch: str = "main") -> str | None:
    """The commit ``branch`` points at on the remote (None if it does not exist): one ``ls-remote``."""
    target = endpoint(remote.push_url(name))
    try:
        listed = git.cmd.Git().ls_remote(target.url, f"refs/heads/{branch}", env=target.env)
    except git.GitCommandError as exc:
        raise _failed(target, f"cannot list {branch}", exc) from None
    line = listed.strip().splitlines()[0] if listed.strip() else ""
    return line.split()[0] if line else None


def branch_version(remote: GitRemote, name: str, *, branch: str = "main") -> BranchVersion | None:
    """The scaffold version recorded on ``branch`` of repo ``name`` (None if the branch does not exist)."""
    target = endpoint(remote.push_url(name))
    with tempfile.TemporaryDirectory(prefix="portal-version-") as tmp:
        repo = new_work_repo(Path(tmp, "work"), target)
        try:
            listed = repo.git.ls_remote("origin", f"refs/heads/{branch}", env=target.env)
            if not listed.strip():
                return None
            repo.git.fetch("--depth=1", "--no-tags", "origin", f"refs/heads/{branch}", env=target.env)
        except git.GitCommandError as exc:
            raise _failed(target, f"cannot read {branch}", exc) from None
        sha = repo.git.rev_parse("FETCH_HEAD")
        try:
            text = repo.git.show(f"FETCH_HEAD:{ANSWERS_FILE}")
        except git.GitCommandError:
            return BranchVersion(sha, None, f"{branch} has no {ANSWERS_FILE}")
    return _parse(sha, text, branch)


def _parse(sha: str, text: str, branch: str) -> BranchVersion:
    try:
        answers = yaml.safe_load(text)
    except yaml.YAMLError:
        return BranchVersion(sha, None, f"{ANSWERS_FILE} on {branch} is not valid YAML (unresolved conflict?)")
    ref = answers.get("_commit") if isinstance(answers, dict) else None
    if not isinstance(ref, str) or not ref.strip():
        return BranchVersion(sha, None, f"{ANSWERS_FILE} on {branch} names no _commit")
    return BranchVersion(sha, ref.strip())


def _failed(target: Endpoint, what: str, exc: git.GitCommandError) -> PushError:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    detail = " ".join(text.replace("stderr:", "").split())[:500] or f"exit code {exc.status}"
    return PushError(target.redact(f"{what} of {target.url}: {detail}"))
