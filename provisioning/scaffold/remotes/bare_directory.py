"""A directory of bare repos: the embedded default and the tests (serve it with ``http_server``,
read-only, or ``daemon``)."""

from __future__ import annotations

import logging
from pathlib import Path

import git

from .base import RepoInfo, check_repo_name

log = logging.getLogger(__name__)


class BareDirectoryRemote:
    """Repos live at ``<root>/<name>.git``.

    ``public_url`` (e.g. ``http://127.0.0.1:5056`` while ``http_server`` serves ``root``, as in the
    embedded run) is what users and the CI pipeline are told to clone from; without it the clone URL
    is the ``file://`` URL of the bare repo. Pushes always go to the ``file://`` URL (``push_url``).
    """

    def __init__(self, root: Path | str, public_url: str | None = None) -> None:
        self.root = Path(root).resolve()
        self.public_url = public_url.rstrip("/") if public_url else None

    def __repr__(self) -> str:
        return f"BareDirectoryRemote(root={str(self.root)!r}, public_url={self.public_url!r})"

    def path(self, name: str) -> Path:
        return self.root / f"{check_repo_name(name)}.git"

    def ensure_repo(self, name: str, description: str) -> RepoInfo:
        path = self.path(name)
        if not (path / "HEAD").exists():
            self.root.mkdir(parents=True, exist_ok=True)
            repo = git.Repo.init(path, bare=True, initial_branch="main")
            with repo.config_writer() as config:
                # Like a hosted remote's protected main: no rewriting history.
                config.set_value("receive", "denyNonFastForwards", "true")
                config.set_value("receive", "denyDeletes", "true")
            log.info("created bare repository %s", path)
        (path / "description").write_text(description.replace("\n", " ").strip() + "\n", encoding="utf-8")
        clone_url = f"{self.public_url}/{name}.git" if self.public_url else path.as_uri()
        return RepoInfo(clone_url=clone_url, web_url=None)

    def push_url(self, name: str) -> str:
        return self.path(name).as_uri()

    def grant_group_access(self, name: str, group: str) -> None:
        """A bare directory has no notion of groups: nothing to grant."""
        log.debug("bare directory remote: no group access to grant for %s -> %s", name, group)
