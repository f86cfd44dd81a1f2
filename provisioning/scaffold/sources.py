"""Published scaffold versions as tags of a local git repo, which is what copier's update needs.

``templates/<scaffold>`` at the portal's published version N becomes tag ``vN`` of the bare repo
``<cache_dir>/<scaffold>.git``. Published versions are immutable: re-materialising the same content
is a no-op, different content under an existing tag is refused.

Publishing a version freezes its scaffold's files (:func:`read_scaffold`, stored like a Terraform module's);
a run carries them in its snapshot and any worker re-makes the tag from them (:func:`materialise_frozen`),
so no run depends on what one worker's cache or the templates directory holds now.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import git

from .containment import assert_contained
from .errors import ScaffoldError, ScaffoldVersionError

_VERSION = re.compile(r"^\d+(\.\d+)*$")
_IDENTITY = {
    "GIT_AUTHOR_NAME": "portal",
    "GIT_AUTHOR_EMAIL": "portal@localhost",
    "GIT_COMMITTER_NAME": "portal",
    "GIT_COMMITTER_EMAIL": "portal@localhost",
}


@dataclass(frozen=True)
class ScaffoldSource:
    """What copier needs: ``src_path`` (a git repo) and ``ref`` (the version tag)."""

    src_path: str
    ref: str


def materialise_scaffold(
    scaffold_dir: Path | str, *, version: int | str, cache_dir: Path | str
) -> ScaffoldSource:
    """Make ``scaffold_dir``'s current content tag ``v<version>`` of a cached bare repo (idempotent)."""
    scaffold_dir = Path(scaffold_dir).resolve()
    version = str(version).removeprefix("v")
    if not _VERSION.match(version):
        raise ScaffoldError(f"scaffold version must look like 3 or 1.2, got {version!r}")
    if not any((scaffold_dir / name).is_file() for name in ("copier.yml", "copier.yaml")):
        raise ScaffoldError(f"{scaffold_dir} is not a copier scaffold (no copier.yml)")
    assert_contained(scaffold_dir, what=f"scaffold {scaffold_dir.name}")
    tag = f"v{version}"
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    repo_path = cache_dir / f"{scaffold_dir.name}.git"
    with _locked(cache_dir / f"{scaffold_dir.name}.lock"):
        repo = _open_or_init(repo_path)
        tree = _tree_of(repo, scaffold_dir)
        if tag in repo.tags:
            existing = repo.git.rev_parse(f"refs/tags/{tag}^{{tree}}")
            if existing != tree:
                raise ScaffoldVersionError(
                    f"scaffold {scaffold_dir.name} {tag} was already published with different content; "
                    "publish a new version instead of changing a published one"
                )
        else:
            parents = ["-p", "refs/heads/main"] if _has_ref(repo, "refs/heads/main") else []
            message = f"scaffold {scaffold_dir.name} {tag}"
            commit = repo.git.commit_tree(tree, *parents, "-m", message, env=_IDENTITY)
            repo.git.update_ref("refs/heads/main", commit)
            repo.git.tag("-a", tag, "-m", message, commit, env=_IDENTITY)
    return ScaffoldSource(src_path=str(repo_path), ref=tag)


SKIPPED_DIRS = {".git", "__pycache__"}


def read_scaffold(scaffold_dir: Path | str) -> dict[str, str]:
    """Every file of a scaffold by its relative path (``/``-separated), as text; empty when there is no
    copier scaffold there. Scaffolds are text: a file that is not UTF-8 (or a symlink) is refused."""
    root = Path(scaffold_dir)
    if not any((root / name).is_file() for name in ("copier.yml", "copier.yaml")):
        return {}
    assert_contained(root, what=f"scaffold {root.name}")
    files: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                raise ScaffoldError(f"scaffold {root.name}: {relative} is a symlink; a scaffold holds files only")
            try:
                files[relative] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise ScaffoldError(f"scaffold {root.name}: {relative} is not UTF-8 text") from exc
    return files


def materialise_frozen(
    name: str, files: dict[str, str], *, version: int | str, cache_dir: Path | str
) -> ScaffoldSource:
    """Tag ``v<version>`` of scaffold ``name`` made from its frozen files (what :func:`read_scaffold` read)."""
    with tempfile.TemporaryDirectory(prefix="scaffold-frozen-") as tmp:
        root = Path(tmp, name)
        for relative, text in files.items():
            path = root.joinpath(*relative.split("/"))
            if relative.startswith("/") or ".." in relative.split("/") or not path.resolve().is_relative_to(
                    root.resolve()):
                raise ScaffoldError(f"scaffold {name}: frozen path {relative!r} leads outside the scaffold")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return materialise_scaffold(root, version=version, cache_dir=cache_dir)


def cached_scaffold(scaffold_name: str, *, version: int | str, cache_dir: Path | str) -> ScaffoldSource | None:
    """Tag ``v<version>`` of scaffold ``scaffold_name`` if an earlier run materialised it, else None."""
    tag = f"v{str(version).removeprefix('v')}"
    repo_path = Path(cache_dir).resolve() / f"{scaffold_name}.git"
    if not repo_path.exists() or not _has_ref(git.Repo(repo_path), f"refs/tags/{tag}"):
        return None
    return ScaffoldSource(src_path=str(repo_path), ref=tag)


def _open_or_init(repo_path: Path) -> git.Repo:
    if repo_path.exists():
        return git.Repo(repo_path)
    repo = git.Repo.init(repo_path, bare=True, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("core", "excludesFile", os.devnull)
    return repo


def _tree_of(repo: git.Repo, directory: Path) -> str:
    """The git tree of every file under ``directory`` (ignore rules overridden: all files count)."""
    with tempfile.TemporaryDirectory(prefix="scaffold-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp, "index")), "GIT_WORK_TREE": str(directory)}
        repo.git.add("--all", "--force", env=env)
        return repo.git.write_tree(env=env)


def _has_ref(repo: git.Repo, ref: str) -> bool:
    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
    except git.GitCommandError:
        return False
    return True


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive advisory lock so two workers don't tag the same cache at once."""
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
