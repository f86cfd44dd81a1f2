"""publish_repo: the rendered tree as one commit on main, authored by the portal, idempotent."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provisioning.scaffold import (
    BareDirectoryRemote,
    DivergedRemoteError,
    EscapingPathError,
    PushError,
    ScaffoldError,
    publish_repo,
)
from provisioning.scaffold.remotes import serving

from .conftest import PORTAL, REQUESTER, git


def publish(remote, rendered: Path, name: str = "fraud"):
    return publish_repo(
        remote,
        name,
        rendered,
        author=PORTAL,
        co_author=REQUESTER,
        message="Create fraud from mini v1",
    )


def test_published_repo_clones_over_git_daemon_with_files_author_and_trailer(tmp_path, rendered) -> None:
    with serving(tmp_path / "remotes") as daemon:
        remote = BareDirectoryRemote(tmp_path / "remotes", public_url=daemon.url)
        result = publish(remote, rendered)
        assert result.created is True
        assert result.clone_url == f"{daemon.url}/fraud.git"

        clone = tmp_path / "clone"
        git("clone", "-q", result.clone_url, str(clone))

    assert git("rev-parse", "HEAD", cwd=clone) == result.commit_sha
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=clone) == "main"
    assert git("ls-files", cwd=clone).splitlines() == [
        ".copier-answers.yml",
        ".gitignore",
        "README.md",
        "train.py",
    ]
    assert (clone / "README.md").read_text() == "# fraud\n\nOwned by ds-fraud.\n"
    assert git("log", "-1", "--format=%an <%ae>|%cn <%ce>", cwd=clone) == (
        "Onboarding Portal <portal@example.com>|Onboarding Portal <portal@example.com>"
    )
    assert git("log", "-1", "--format=%(trailers:key=Co-authored-by,valueonly)", cwd=clone) == (
        "Ada Lovelace <ada@example.com>"
    )
    assert git("log", "-1", "--format=%s", cwd=clone) == "Create fraud from mini v1"


def test_publishing_twice_pushes_nothing_the_second_time(bare_remote, rendered) -> None:
    first = publish(bare_remote, rendered)
    second = publish(bare_remote, rendered)

    assert (second.created, second.commit_sha) == (False, first.commit_sha)
    bare = str(bare_remote.path("fraud"))
    assert git("--git-dir", bare, "rev-list", "--count", "--all") == "1"


def test_a_remote_main_with_other_content_is_refused_not_overwritten(bare_remote, rendered, tmp_path) -> None:
    first = publish(bare_remote, rendered)
    (rendered / "README.md").write_text("# something else\n")

    with pytest.raises(DivergedRemoteError, match=r"fraud .* already has a main branch .*\(no force-push\)"):
        publish(bare_remote, rendered)

    assert git("--git-dir", str(bare_remote.path("fraud")), "rev-parse", "main") == first.commit_sha


def test_symlinks_in_the_tree_are_kept_if_they_stay_inside(bare_remote, rendered, tmp_path) -> None:
    os.symlink("README.md", rendered / "README.link")
    result = publish(bare_remote, rendered)
    listing = git("--git-dir", str(bare_remote.path("fraud")), "ls-tree", result.commit_sha, "README.link")
    assert listing.startswith("120000 blob")


def test_a_tree_linking_outside_is_refused_before_any_repo_exists(bare_remote, rendered) -> None:
    os.symlink("/etc/passwd", rendered / "passwd")
    with pytest.raises(EscapingPathError, match="passwd"):
        publish(bare_remote, rendered)
    assert not bare_remote.path("fraud").exists()


def test_a_clone_is_not_a_rendered_tree(bare_remote, rendered) -> None:
    git("init", "-q", cwd=rendered)
    with pytest.raises(ScaffoldError, match="already contains .git"):
        publish(bare_remote, rendered)


def test_an_empty_tree_is_refused(bare_remote, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScaffoldError, match="nothing to publish"):
        publish(bare_remote, tmp_path / "empty")


@pytest.mark.parametrize(
    "co_author",
    [("Eve\nSigned-off-by: CEO", "eve@example.com"), ("Eve", "eve@example.com>\nX"), ("", "e@x.io")],
)
def test_identities_cannot_inject_trailers(bare_remote, rendered, co_author) -> None:
    with pytest.raises(ScaffoldError, match="not a usable git identity"):
        publish_repo(bare_remote, "fraud", rendered, author=PORTAL, co_author=co_author, message="m")
    assert not bare_remote.path("fraud").exists()


def test_the_rendered_dir_is_left_as_it_was(bare_remote, rendered, tmp_path) -> None:
    before = sorted(p.relative_to(rendered) for p in rendered.rglob("*"))
    publish(bare_remote, rendered)
    assert sorted(p.relative_to(rendered) for p in rendered.rglob("*")) == before
    shutil.rmtree(rendered)  # nothing in the repo depends on it
    assert git("--git-dir", str(bare_remote.path("fraud")), "show", "main:train.py").startswith('"""Training')


def test_a_push_the_remote_rejects_is_an_error_not_a_silent_success(bare_remote, rendered) -> None:
    bare_remote.ensure_repo("fraud", "")
    hook = bare_remote.path("fraud") / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected by policy' >&2\nexit 1\n")
    hook.chmod(0o755)

    with pytest.raises(
        PushError, match=r"push of main to .*fraud.git was rejected: .*pre-receive hook declined"
    ):
        publish(bare_remote, rendered)

    assert git("--git-dir", str(bare_remote.path("fraud")), "for-each-ref") == ""
