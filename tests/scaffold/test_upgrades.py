"""upgrade_repo: copier update to a newer scaffold tag on a review branch; never main, never forced."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from git import Repo

from provisioning.scaffold import (
    DivergedRemoteError,
    ScaffoldError,
    UnsafeScaffoldError,
    publish_repo,
    repo_version,
    upgrade_repo,
)
from provisioning.scaffold.upgrades import _conflicted

from .conftest import FIXTURES, PORTAL, REQUESTER, git

BRANCH = "portal/upgrade-v2"


@pytest.fixture
def published(bare_remote, rendered):
    """Repo ``fraud`` on the bare remote, generated from the fixture scaffold v1."""
    return publish_repo(
        bare_remote, "fraud", rendered, author=PORTAL, co_author=REQUESTER, message="Create fraud"
    )


def bare(remote) -> str:
    return str(remote.path("fraud"))


def user_commits(remote, tmp_path: Path, path: str, old: str, new: str) -> None:
    """A team member edits a generated file on main."""
    clone = tmp_path / "user-clone"
    git("clone", "-q", remote.push_url("fraud"), str(clone))
    file = clone / path
    file.write_text(file.read_text().replace(old, new))
    git("commit", "-q", "-am", f"edit {path}", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    shutil.rmtree(clone)


def test_upgrade_pushes_a_branch_with_the_new_version_and_leaves_main_alone(
    bare_remote, published, scaffold_versions
):
    v2 = scaffold_versions(2)

    result = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert (result.branch, result.conflicts, result.changed) == (BRANCH, [], True)
    assert (result.from_ref, result.to_ref) == ("v1", "v2")
    assert git("--git-dir", bare(bare_remote), "rev-parse", "main") == published.commit_sha
    assert git("--git-dir", bare(bare_remote), "rev-parse", BRANCH) == result.commit_sha
    assert git("--git-dir", bare(bare_remote), "rev-parse", f"{BRANCH}^") == published.commit_sha
    changed = git("--git-dir", bare(bare_remote), "diff", "--name-only", "main", BRANCH).splitlines()
    assert changed == [".copier-answers.yml", "predict.py", "train.py"]
    assert "EPOCHS = 20" in git("--git-dir", bare(bare_remote), "show", f"{BRANCH}:train.py")
    assert "for fraud" in git("--git-dir", bare(bare_remote), "show", f"{BRANCH}:predict.py")
    assert git("--git-dir", bare(bare_remote), "log", "-1", "--format=%an|%s", BRANCH) == (
        "Onboarding Portal|Upgrade scaffold from v1 to v2"
    )


def test_repo_version_reads_the_answers_file(bare_remote, published, scaffold_versions, tmp_path):
    v2 = scaffold_versions(2)
    upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)
    clone = tmp_path / "check"
    git("clone", "-q", "-b", BRANCH, bare_remote.push_url("fraud"), str(clone))
    version = repo_version(clone)
    assert (version.ref, version.src_path) == ("v2", v2.src_path)
    git("checkout", "-q", "main", cwd=clone)
    assert repo_version(clone).ref == "v1"


def test_repo_version_of_a_repo_not_made_by_the_portal_is_a_clear_error(tmp_path):
    with pytest.raises(ScaffoldError, match="no .copier-answers.yml"):
        repo_version(tmp_path)


def test_a_local_edit_the_new_version_also_changes_is_reported_as_a_conflict(
    bare_remote, published, scaffold_versions, tmp_path
):
    user_commits(bare_remote, tmp_path, "train.py", "EPOCHS = 10", "EPOCHS = 15")
    user_main = git("--git-dir", bare(bare_remote), "rev-parse", "main")
    v2 = scaffold_versions(2)

    result = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert result.conflicts == ["train.py"]
    train = git("--git-dir", bare(bare_remote), "show", f"{BRANCH}:train.py")
    assert "<<<<<<< before updating" in train
    assert "EPOCHS = 15" in train and "EPOCHS = 20" in train
    assert "- train.py" in git("--git-dir", bare(bare_remote), "log", "-1", "--format=%B", BRANCH)
    assert git("--git-dir", bare(bare_remote), "rev-parse", "main") == user_main
    # The part without a conflict still arrived.
    assert "predict" in git("--git-dir", bare(bare_remote), "show", f"{BRANCH}:predict.py")


def test_a_local_edit_elsewhere_merges_cleanly(bare_remote, published, scaffold_versions, tmp_path):
    user_commits(bare_remote, tmp_path, "README.md", "Owned by", "Maintained by")
    v2 = scaffold_versions(2)

    result = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert result.conflicts == []
    assert "Maintained by ds-fraud" in git("--git-dir", bare(bare_remote), "show", f"{BRANCH}:README.md")


def test_an_upgrade_that_changes_nothing_pushes_no_branch(bare_remote, published, scaffold_versions):
    v1 = scaffold_versions(1)

    result = upgrade_repo(bare_remote, "fraud", scaffold_src=v1.src_path, new_ref="v1", author=PORTAL)

    assert (result.changed, result.branch, result.commit_sha, result.conflicts) == (False, None, None, [])
    assert git("--git-dir", bare(bare_remote), "for-each-ref", "--format=%(refname)") == "refs/heads/main"


def test_after_merging_the_upgrade_the_same_upgrade_is_a_no_op(bare_remote, published, scaffold_versions):
    v2 = scaffold_versions(2)
    first = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)
    git("--git-dir", bare(bare_remote), "update-ref", "refs/heads/main", first.commit_sha)  # merged
    git("--git-dir", bare(bare_remote), "update-ref", "-d", f"refs/heads/{BRANCH}")

    again = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert again.changed is False
    assert git("--git-dir", bare(bare_remote), "for-each-ref", "--format=%(refname)") == "refs/heads/main"


def test_rerunning_an_upgrade_returns_the_pushed_branch(bare_remote, published, scaffold_versions):
    v2 = scaffold_versions(2)
    first = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)
    again = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)
    assert again.commit_sha == first.commit_sha
    assert git("--git-dir", bare(bare_remote), "rev-list", "--count", BRANCH) == "2"


def test_an_upgrade_branch_someone_changed_is_not_overwritten(
    bare_remote, published, scaffold_versions, tmp_path
):
    v2 = scaffold_versions(2)
    upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)
    clone = tmp_path / "resolver"
    git("clone", "-q", "-b", BRANCH, bare_remote.push_url("fraud"), str(clone))
    (clone / "NOTES.md").write_text("reviewed\n")
    git("add", "NOTES.md", cwd=clone)
    git("commit", "-q", "-m", "review", cwd=clone)
    git("push", "-q", "origin", BRANCH, cwd=clone)
    reviewed = git("rev-parse", "HEAD", cwd=clone)

    with pytest.raises(DivergedRemoteError, match=f"branch {BRANCH} of fraud already exists"):
        upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert git("--git-dir", bare(bare_remote), "rev-parse", BRANCH) == reviewed


def test_a_moved_scaffold_cache_still_upgrades(bare_remote, published, scaffold_versions, tmp_path):
    """Another worker host materialises the scaffold elsewhere: the repo's old _src_path is not used."""
    elsewhere = tmp_path / "other-host-cache"
    scaffold_versions(1, cache_dir=elsewhere)
    v2 = scaffold_versions(2, cache_dir=elsewhere)
    shutil.rmtree(tmp_path / "scaffold-cache")  # the path recorded in the repo is gone

    same = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v1", author=PORTAL)
    result = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert same.changed is False  # only _src_path would differ: not worth a branch
    assert result.changed and result.conflicts == []
    answers = git("--git-dir", bare(bare_remote), "show", f"{BRANCH}:.copier-answers.yml")
    assert f"_src_path: {v2.src_path}" in answers
    assert git("--git-dir", bare(bare_remote), "rev-list", "--count", BRANCH) == "2"


def test_a_new_version_with_migrations_is_refused(bare_remote, published, scaffold_versions, tmp_path):
    with_migrations = tmp_path / "fixtures" / "mini-v2-migrations"
    shutil.copytree(FIXTURES / "mini-v2", with_migrations)
    with open(with_migrations / "copier.yml", "a") as config:
        config.write(f"_migrations:\n  - version: v2\n    command: touch {tmp_path / 'migrated'}\n")
    v2 = scaffold_versions(2, fixture=with_migrations)

    with pytest.raises(UnsafeScaffoldError, match="migrations"):
        upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)

    assert not (tmp_path / "migrated").exists()
    assert git("--git-dir", bare(bare_remote), "for-each-ref", "--format=%(refname)") == "refs/heads/main"


def test_the_source_must_hold_both_versions(bare_remote, published, scaffold_versions, tmp_path):
    v2 = scaffold_versions(2, cache_dir=tmp_path / "only-v2")
    with pytest.raises(ScaffoldError, match="lacks v1; materialise it first"):
        upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)


@pytest.mark.parametrize("ref", ["../main", "main:main", "v2 --force", ""])
def test_odd_refs_are_refused(bare_remote, published, ref):
    with pytest.raises(ScaffoldError, match="invalid scaffold ref"):
        upgrade_repo(bare_remote, "fraud", scaffold_src="/nowhere", new_ref=ref, author=PORTAL)


def test_conflict_markers_are_found_even_without_unmerged_index_entries(tmp_path):
    """Older copier releases only wrote the markers; the scan of changed files still reports them."""
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", cwd=work)
    for name in ("clean.py", "edited.py", "marked.py"):
        (work / name).write_text("x = 1\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "base", cwd=work)
    (work / "edited.py").write_text("x = 2\n")
    markers = "<<<<<<< before updating\nx = 2\n=======\nx = 3\n>>>>>>> after updating\n"
    (work / "marked.py").write_text(markers)
    (work / "new.py").write_text(markers)

    assert _conflicted(Repo(work), work) == ["marked.py", "new.py"]
