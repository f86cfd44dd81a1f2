"""Fixtures for provisioning.scaffold: real git, real copier, bare repos in tmp dirs. No Django."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from provisioning.scaffold import BareDirectoryRemote, ScaffoldSource, materialise_scaffold, render_scaffold

FIXTURES = Path(__file__).parent / "fixtures"
PORTAL = ("Onboarding Portal", "portal@example.com")
REQUESTER = ("Ada Lovelace", "ada@example.com")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Someone Else",
    "GIT_AUTHOR_EMAIL": "someone@example.com",
    "GIT_COMMITTER_NAME": "Someone Else",
    "GIT_COMMITTER_EMAIL": "someone@example.com",
}


@pytest.fixture(autouse=True)
def _no_user_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker may have no git identity or config: the code under test must not rely on one."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in GIT_IDENTITY:
        monkeypatch.delenv(name, raising=False)


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git as a user would (with an identity of its own) and return stdout."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


@pytest.fixture
def scaffold_versions(tmp_path: Path) -> Callable[..., ScaffoldSource]:
    """``publish(version, fixture=None)``: the scaffold dir ``mini`` gets that fixture's content and is
    materialised as tag ``v<version>`` — like the portal publishing ``templates/ml-project`` again."""
    scaffold_dir = tmp_path / "scaffolds" / "mini"
    cache = tmp_path / "scaffold-cache"

    def publish(version: int, fixture: str | Path | None = None, cache_dir: Path = cache) -> ScaffoldSource:
        if scaffold_dir.exists():
            shutil.rmtree(scaffold_dir)
        shutil.copytree(FIXTURES / (fixture or f"mini-v{version}"), scaffold_dir, symlinks=True)
        return materialise_scaffold(scaffold_dir, version=version, cache_dir=cache_dir)

    publish.scaffold_dir = scaffold_dir  # type: ignore[attr-defined]
    return publish


@pytest.fixture
def bare_remote(tmp_path: Path) -> BareDirectoryRemote:
    return BareDirectoryRemote(tmp_path / "remotes")


@pytest.fixture
def rendered(tmp_path: Path, scaffold_versions: Callable[..., ScaffoldSource]) -> Path:
    """The fixture scaffold v1 rendered for project ``fraud`` owned by ``ds-fraud``."""
    v1 = scaffold_versions(1)
    return render_scaffold(
        v1.src_path, v1.ref, {"project_name": "fraud", "owner": "ds-fraud"}, tmp_path / "out"
    )
