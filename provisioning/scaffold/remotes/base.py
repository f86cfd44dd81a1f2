"""What every git host offers the portal: make a repo, say where to push, let a team in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..errors import ScaffoldError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class RepoInfo:
    """``clone_url`` has no credentials and is safe to show; ``web_url`` is None without a web UI."""

    clone_url: str
    web_url: str | None


@runtime_checkable
class GitRemote(Protocol):
    def ensure_repo(self, name: str, description: str) -> RepoInfo:
        """Create the repo if it is missing (idempotent) and describe it."""
        ...

    def push_url(self, name: str) -> str:
        """A URL git can push to, possibly with credentials in it: never log or store it."""
        ...

    def grant_group_access(self, name: str, group: str) -> None:
        """Give ``group`` (team slug / group path) write access; a no-op where hosts have no groups."""
        ...


def check_repo_name(name: str) -> str:
    """Repo names are one path segment: no slashes, no '..', no '.git' suffix, no leading dot/dash."""
    if not _NAME.match(name) or ".." in name or name.lower().endswith(".git"):
        raise ScaffoldError(f"invalid repository name {name!r}: use letters, digits, '.', '_' and '-'")
    return name
