"""Scaffold versions become tags of a cached git repo; published versions are immutable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provisioning.scaffold import (
    EscapingPathError,
    ScaffoldError,
    ScaffoldVersionError,
    materialise_scaffold,
    render_scaffold,
)

from .conftest import FIXTURES, git


def test_materialise_tags_the_scaffold_and_is_idempotent(scaffold_versions, tmp_path: Path) -> None:
    first = scaffold_versions(1)
    again = scaffold_versions(1)

    assert first == again
    assert first.ref == "v1"
    assert Path(first.src_path) == tmp_path / "scaffold-cache" / "mini.git"
    assert git("--git-dir", first.src_path, "tag", "--list") == "v1"
    assert len(git("--git-dir", first.src_path, "rev-list", "--all").splitlines()) == 1
    files = git("--git-dir", first.src_path, "ls-tree", "-r", "--name-only", "v1").splitlines()
    # Every file counts, including a .gitignore inside the scaffold and what it would ignore.
    assert sorted(files) == sorted(
        str(p.relative_to(FIXTURES / "mini-v1")) for p in (FIXTURES / "mini-v1").rglob("*") if p.is_file()
    )


def test_next_version_gets_its_own_tag(scaffold_versions) -> None:
    v1 = scaffold_versions(1)
    v2 = scaffold_versions(2)

    assert (v1.src_path, v2.ref) == (v2.src_path, "v2")
    assert "EPOCHS = 20" in git("--git-dir", v2.src_path, "show", "v2:template/train.py.jinja")
    assert "EPOCHS = 10" in git("--git-dir", v1.src_path, "show", "v1:template/train.py.jinja")


def test_changing_a_published_version_is_refused(scaffold_versions) -> None:
    scaffold_versions(1)
    with pytest.raises(ScaffoldVersionError, match="v1 was already published with different content"):
        scaffold_versions(1, fixture="mini-v2")


@pytest.mark.parametrize("version", ["latest", "1; rm -rf /", "", "v"])
def test_odd_versions_are_refused(scaffold_versions, tmp_path: Path, version: str) -> None:
    scaffold_versions(1)
    with pytest.raises(ScaffoldError, match="scaffold version"):
        materialise_scaffold(scaffold_versions.scaffold_dir, version=version, cache_dir=tmp_path / "c")


def test_a_directory_without_copier_yml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "not-a-scaffold").mkdir()
    with pytest.raises(ScaffoldError, match="not a copier scaffold"):
        materialise_scaffold(tmp_path / "not-a-scaffold", version=1, cache_dir=tmp_path / "c")


def test_a_scaffold_linking_outside_itself_is_refused(tmp_path: Path) -> None:
    scaffold = tmp_path / "leaky"
    shutil.copytree(FIXTURES / "mini-v1", scaffold)
    os.symlink("/etc/passwd", scaffold / "template" / "passwd")
    with pytest.raises(EscapingPathError, match="template/passwd"):
        materialise_scaffold(scaffold, version=1, cache_dir=tmp_path / "c")
    assert not (tmp_path / "c" / "leaky.git").exists()


def test_the_cached_version_renders(scaffold_versions, tmp_path: Path) -> None:
    v2 = scaffold_versions(2)
    out = render_scaffold(v2.src_path, v2.ref, {"project_name": "churn"}, tmp_path / "out")
    assert (out / "predict.py").read_text().startswith('"""Prediction entry point for churn.')
