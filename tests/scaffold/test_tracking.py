"""branch_version / branch_head: which scaffold version a repo's main names, read from its remote."""

from __future__ import annotations

import logging
import shutil

import pytest

from provisioning.scaffold import BranchVersion, PushError, branch_head, branch_version, publish_repo, upgrade_repo

from .conftest import PORTAL, REQUESTER, git
from .githttp import TokenRemote, git_http_server

TOKEN = "glpat-TrackingT0kenThatMustNeverLeak7"


@pytest.fixture
def published(bare_remote, rendered):
    return publish_repo(bare_remote, "fraud", rendered, author=PORTAL, co_author=REQUESTER, message="Create fraud")


def team_clone(remote, tmp_path):
    clone = tmp_path / "team-clone"
    if clone.exists():
        shutil.rmtree(clone)
    git("clone", "-q", remote.push_url("fraud"), str(clone))
    return clone


def test_a_new_repo_is_on_the_version_it_was_made_from(bare_remote, published):
    assert branch_head(bare_remote, "fraud") == published.commit_sha
    assert branch_version(bare_remote, "fraud") == BranchVersion(published.commit_sha, "v1")


def test_after_the_team_merges_the_upgrade_branch_main_names_the_new_version(
    bare_remote, published, scaffold_versions, tmp_path
):
    v2 = scaffold_versions(2)
    upgraded = upgrade_repo(bare_remote, "fraud", scaffold_src=v2.src_path, new_ref="v2", author=PORTAL)
    assert branch_version(bare_remote, "fraud").ref == "v1"  # pushed, not merged yet

    clone = team_clone(bare_remote, tmp_path)
    git("merge", "-q", "--no-ff", "-m", "Merge the portal's upgrade", f"origin/{upgraded.branch}", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)

    merged = git("--git-dir", str(bare_remote.path("fraud")), "rev-parse", "main")
    assert branch_head(bare_remote, "fraud") == merged
    assert branch_version(bare_remote, "fraud") == BranchVersion(merged, "v2")
    assert branch_version(bare_remote, "fraud", branch=upgraded.branch).ref == "v2"


@pytest.mark.parametrize(("content", "problem"), [
    (None, "main has no .copier-answers.yml"),
    ("<<<<<<< HEAD\n_commit: v1\n=======\n_commit: v2\n>>>>>>> x\n", "not valid YAML (unresolved conflict?)"),
    ("_commit: [v2\n", "is not valid YAML"),
    ("_src_path: somewhere\n", "names no _commit"),
])
def test_a_main_without_a_readable_version_says_why(bare_remote, published, tmp_path, content, problem):
    clone = team_clone(bare_remote, tmp_path)
    answers = clone / ".copier-answers.yml"
    if content is None:
        git("rm", "-q", ".copier-answers.yml", cwd=clone)
    else:
        answers.write_text(content)
    git("commit", "-q", "-am", "edit answers", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)

    found = branch_version(bare_remote, "fraud")
    assert found.ref is None and problem in found.problem
    assert found.commit_sha == branch_head(bare_remote, "fraud")


def test_a_missing_branch_or_repo(bare_remote, published):
    assert branch_head(bare_remote, "fraud", branch="nope") is None
    assert branch_version(bare_remote, "fraud", branch="nope") is None
    with pytest.raises(PushError, match="cannot list main"):
        branch_head(bare_remote, "no-such-repo")
    with pytest.raises(PushError, match="cannot read main"):
        branch_version(bare_remote, "no-such-repo")


def test_reading_over_authenticated_http_keeps_the_token_out(bare_remote, published, caplog):
    caplog.set_level(logging.DEBUG)
    with git_http_server(bare_remote.root, "oauth2", TOKEN) as server:
        remote = TokenRemote(bare_remote, server.url, "oauth2", TOKEN)
        assert branch_head(remote, "fraud") == published.commit_sha
        assert branch_version(remote, "fraud").ref == "v1"
        wrong = TokenRemote(bare_remote, server.url, "oauth2", "not-" + TOKEN)
        with pytest.raises(PushError) as caught:
            branch_version(wrong, "fraud")
    assert server.refused >= 1
    for text in (str(caught.value), caplog.text):
        assert TOKEN not in text
