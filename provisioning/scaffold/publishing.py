"""Publish a rendered project as the first commit on ``main`` of a (new) remote repo, idempotently."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .containment import assert_contained
from .errors import DivergedRemoteError, ScaffoldError
from .identity import actor, with_trailer
from .remotes.base import GitRemote
from .transfer import endpoint, new_work_repo, push, remote_branch, tree_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    """``created`` is False when the remote already held exactly this tree (nothing was pushed)."""

    clone_url: str
    commit_sha: str
    created: bool


def publish_repo(
    remote: GitRemote,
    name: str,
    rendered_dir: Path | str,
    *,
    author: tuple[str, str],
    co_author: tuple[str, str] | None,
    message: str,
    description: str = "",
) -> PublishResult:
    """Commit ``rendered_dir`` on ``main`` (author: the portal; trailer: the requester) and push it.

    Re-running after a crash finds the same tree on the remote and returns that commit; a remote
    ``main`` with any other content raises :class:`DivergedRemoteError` (we never force-push).
    """
    rendered_dir = Path(rendered_dir)
    if not rendered_dir.is_dir() or not any(rendered_dir.iterdir()):
        raise ScaffoldError(f"nothing to publish: {rendered_dir} is missing or empty")
    if (rendered_dir / ".git").exists():
        raise ScaffoldError(f"{rendered_dir} already contains .git; publish a rendered tree, not a clone")
    assert_contained(rendered_dir, what="rendered project")
    portal, full_message = actor(author), with_trailer(message, co_author)
    info = remote.ensure_repo(name, description or full_message.splitlines()[0])
    target = endpoint(remote.push_url(name))
    with tempfile.TemporaryDirectory(prefix="portal-publish-") as tmp:
        work = Path(tmp, "work")
        repo = new_work_repo(work, target)
        shutil.copytree(rendered_dir, work, symlinks=True, dirs_exist_ok=True)
        repo.git.add("--all")
        tree = repo.git.write_tree()
        existing = remote_branch(repo, target, "main")
        if existing is not None:
            if tree_of(repo, existing) == tree:
                log.info("repository %s already holds this tree at %s; nothing pushed", name, existing)
                return PublishResult(clone_url=info.clone_url, commit_sha=existing, created=False)
            raise DivergedRemoteError(
                f"repository {name} ({info.clone_url}) already has a main branch at {existing[:12]} with "
                "different content; refusing to overwrite it (no force-push). Pick another name or "
                "remove that repository first."
            )
        commit = repo.index.commit(full_message, author=portal, committer=portal, skip_hooks=True)
        push(repo, target, "main")
    log.info("published %s at %s", name, commit.hexsha)
    return PublishResult(clone_url=info.clone_url, commit_sha=commit.hexsha, created=True)
