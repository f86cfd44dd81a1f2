"""Move a generated repo to a newer scaffold version on a review branch, never on ``main``."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import copier
import git

from .answers import ANSWERS_FILE, repo_version, repoint_source, same_except_source
from .errors import DivergedRemoteError, ScaffoldError
from .identity import actor
from .remotes.base import GitRemote
from .rendering import NO_USER_SETTINGS, translate_copier_error
from .transfer import clone, endpoint, push, remote_branch, tree_of

log = logging.getLogger(__name__)

_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")


@dataclass(frozen=True)
class UpgradeResult:
    """``branch``/``commit_sha`` are None when the upgrade changed nothing (no branch was pushed)."""

    branch: str | None
    commit_sha: str | None
    conflicts: list[str] = field(default_factory=list)
    from_ref: str = ""
    to_ref: str = ""

    @property
    def changed(self) -> bool:
        return self.commit_sha is not None


def upgrade_repo(
    remote: GitRemote, name: str, *, scaffold_src: str, new_ref: str, author: tuple[str, str]
) -> UpgradeResult:
    """Apply ``copier update`` to ``new_ref`` in a clone and push it as ``portal/upgrade-<ref>``.

    Files the update could not merge keep inline conflict markers and are listed in ``conflicts``;
    the branch is pushed anyway so the team resolves them in review. Nothing is forced.
    """
    if not _REF.match(new_ref):
        raise ScaffoldError(f"invalid scaffold ref {new_ref!r}")
    branch, portal = f"portal/upgrade-{new_ref}", actor(author)
    source = endpoint(remote.push_url(name))
    with tempfile.TemporaryDirectory(prefix="portal-upgrade-") as tmp:
        work = Path(tmp, "work")
        repo = clone(source, work)
        base = repo.head.commit
        current = repo_version(work)
        _require_tags(scaffold_src, current.ref, new_ref)
        if repoint_source(work, scaffold_src):  # copier needs a clean tree naming the source it can reach
            repo.git.add(ANSWERS_FILE)
            repo.index.commit("repoint scaffold source", author=portal, committer=portal, skip_hooks=True)
        try:
            copier.run_update(
                str(work),
                vcs_ref=new_ref,
                settings=NO_USER_SETTINGS,
                unsafe=False,
                defaults=True,
                overwrite=True,
                conflict="inline",
                quiet=True,
            )
        except Exception as exc:
            raise translate_copier_error(exc, src=scaffold_src, ref=new_ref) from None
        conflicts = _conflicted(repo, work)
        repo.git.add("--all")
        repo.git.reset("--soft", base.hexsha)
        if _unchanged(repo, base):
            log.info("upgrade of %s to %s changes nothing", name, new_ref)
            return UpgradeResult(None, None, [], from_ref=current.ref, to_ref=new_ref)
        existing = remote_branch(repo, source, branch)
        if existing is not None:
            if tree_of(repo, existing) == repo.git.write_tree():
                return UpgradeResult(branch, existing, conflicts, from_ref=current.ref, to_ref=new_ref)
            raise DivergedRemoteError(
                f"branch {branch} of {name} already exists with other content; merge or delete it first"
            )
        repo.git.checkout("-b", branch)
        message = f"Upgrade scaffold from {current.ref} to {new_ref}\n"
        if conflicts:
            message += "\nConflicts to resolve (inline markers):\n" + "".join(f"- {c}\n" for c in conflicts)
        commit = repo.index.commit(message, author=portal, committer=portal, skip_hooks=True)
        push(repo, source, branch)
    log.info("pushed %s of %s at %s (%d conflicts)", branch, name, commit.hexsha, len(conflicts))
    return UpgradeResult(branch, commit.hexsha, conflicts, from_ref=current.ref, to_ref=new_ref)


def _require_tags(scaffold_src: str, *refs: str) -> None:
    listed = git.cmd.Git().ls_remote("--tags", scaffold_src)
    tags = {
        line.split("refs/tags/", 1)[1].removesuffix("^{}")
        for line in listed.splitlines()
        if "refs/tags/" in line
    }
    missing = [ref for ref in refs if ref not in tags]
    if missing:
        raise ScaffoldError(
            f"scaffold source {scaffold_src} lacks {', '.join(missing)}; materialise it first"
        )


def _conflicted(repo: git.Repo, work: Path) -> list[str]:
    """Unmerged paths plus changed files that carry copier's inline conflict markers."""
    found = set(repo.git.diff("--name-only", "--diff-filter=U").splitlines())
    changed = repo.git.ls_files("--modified", "--others", "--exclude-standard").splitlines()
    for path in changed:
        file = work / path
        if file.is_symlink() or not file.is_file():
            continue
        if any(line.rstrip() in _MARKERS for line in file.read_bytes().splitlines()):
            found.add(path)
    return sorted(p for p in found if p)


def _unchanged(repo: git.Repo, base: git.Commit) -> bool:
    """Nothing staged differs from ``base``, or only the answers file's ``_src_path`` moved."""
    changed = repo.git.diff("--cached", "--name-only", base.hexsha).splitlines()
    if not changed:
        return True
    if changed != [ANSWERS_FILE]:
        return False
    before = repo.git.show(f"{base.hexsha}:{ANSWERS_FILE}")
    after = repo.git.show(f":{ANSWERS_FILE}")
    return same_except_source(before, after)
