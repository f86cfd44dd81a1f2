"""render_scaffold: answers are data, scaffolds cannot run code, output never leaves ``dest``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provisioning.scaffold import (
    AnswersError,
    EscapingPathError,
    RenderError,
    UnsafeScaffoldError,
    materialise_scaffold,
    render_scaffold,
)

from .conftest import FIXTURES, git


def scaffold_with(
    tmp_path: Path, extra_config: str = "", links: dict[str, str] | None = None
) -> tuple[str, str]:
    """The v1 fixture plus extra copier.yml lines and symlinks, committed and tagged v1 directly
    (bypassing ``materialise_scaffold``, which would refuse the links)."""
    work = tmp_path / "raw-scaffold"
    shutil.copytree(FIXTURES / "mini-v1", work)
    with open(work / "copier.yml", "a") as config:
        config.write(extra_config)
    for name, target in (links or {}).items():
        os.symlink(target, work / "template" / name)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "scaffold", cwd=work)
    git("tag", "v1", cwd=work)
    return str(work), "v1"


def test_answers_render_as_literal_text_never_as_template_code(scaffold_versions, tmp_path: Path) -> None:
    v1 = scaffold_versions(1)
    answers = {"project_name": "{{ 7*7 }}", "owner": "{% raw %}{{ cycler.__init__ }}"}

    out = render_scaffold(v1.src_path, v1.ref, answers, tmp_path / "out")

    readme = (out / "README.md").read_text()
    assert readme == "# {{ 7*7 }}\n\nOwned by {% raw %}{{ cycler.__init__ }}.\n"
    assert "49" not in readme
    assert "project_name: '{{ 7*7 }}'" in (out / ".copier-answers.yml").read_text()


def test_defaults_fill_unanswered_questions_and_answers_file_records_version(
    scaffold_versions, tmp_path
) -> None:
    v1 = scaffold_versions(1)
    out = render_scaffold(v1.src_path, v1.ref, {}, tmp_path / "out")
    assert (out / "README.md").read_text() == "# demo\n\nOwned by nobody.\n"
    answers = (out / ".copier-answers.yml").read_text()
    assert "_commit: v1\n" in answers
    assert f"_src_path: {v1.src_path}\n" in answers


@pytest.mark.parametrize(
    "answers, message",
    [
        ({"_src_path": "/etc"}, "not a question name"),
        ({"_copier_conf": {}}, "not a question name"),
        ({"project name": "x"}, "not a question name"),
        ({"project_name": object()}, "plain data"),
        ({"project_name": ["ok", {"nested": Path("/")}]}, "plain data"),
    ],
)
def test_answers_that_are_not_plain_data_are_refused(scaffold_versions, tmp_path, answers, message) -> None:
    v1 = scaffold_versions(1)
    with pytest.raises(AnswersError, match=message):
        render_scaffold(v1.src_path, v1.ref, answers, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "extra, feature",
    [
        ("_tasks:\n  - touch {marker}\n", "tasks"),
        ("_jinja_extensions:\n  - jinja2_time.TimeExtension\n", "jinja_extensions"),
    ],
)
def test_scaffolds_that_run_code_are_refused(tmp_path, monkeypatch, extra, feature) -> None:
    marker = tmp_path / "task-ran"
    # Even a user-level copier settings file trusting everything must not let it through.
    settings = tmp_path / "copier-settings.yml"
    settings.write_text("trust:\n  - /\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    src, ref = scaffold_with(tmp_path, extra.format(marker=marker))

    with pytest.raises(UnsafeScaffoldError, match=rf"{feature}.*never runs scaffold code") as caught:
        render_scaffold(src, ref, {"project_name": "x"}, tmp_path / "out")

    assert "remove them from copier.yml" in str(caught.value)
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_an_answer_cannot_steer_a_path_out_of_dest(tmp_path: Path) -> None:
    scaffold = tmp_path / "pathy"
    shutil.copytree(FIXTURES / "mini-v1", scaffold)
    (scaffold / "template" / "{{ project_name }}.txt.jinja").write_text("hello\n")
    src = materialise_scaffold(scaffold, version=1, cache_dir=tmp_path / "cache")
    dest = tmp_path / "deep" / "out"

    with pytest.raises(EscapingPathError, match="outside"):
        render_scaffold(src.src_path, src.ref, {"project_name": "../../escaped"}, dest)

    assert not (tmp_path / "escaped.txt").exists()
    assert not any(dest.iterdir()) if dest.exists() else True


def test_a_preserved_symlink_pointing_outside_is_refused_and_removed(tmp_path: Path) -> None:
    src, ref = scaffold_with(tmp_path, "_preserve_symlinks: true\n", {"hosts": "/etc/hosts"})
    dest = tmp_path / "out"
    dest.mkdir()  # an existing empty directory is an acceptable destination

    with pytest.raises(EscapingPathError, match="hosts"):
        render_scaffold(src, ref, {"project_name": "x"}, dest)

    assert list(dest.iterdir()) == []
    assert Path("/etc/hosts").exists()  # cleaning up unlinked the link, not its target


def test_a_preserved_symlink_inside_dest_is_fine(tmp_path: Path) -> None:
    src, ref = scaffold_with(tmp_path, "_preserve_symlinks: true\n", {"README.link": "README.md"})
    out = render_scaffold(src, ref, {"project_name": "x"}, tmp_path / "out")
    assert (out / "README.link").is_symlink()
    assert (out / "README.link").read_text().startswith("# x")


def test_a_followed_symlink_to_outside_the_scaffold_is_refused(tmp_path: Path) -> None:
    src, ref = scaffold_with(tmp_path, "", {"passwd": "/etc/passwd"})
    with pytest.raises(EscapingPathError, match="passwd"):
        render_scaffold(src, ref, {"project_name": "x"}, tmp_path / "out")
    assert not (tmp_path / "out" / "passwd").exists()


def test_dest_must_be_new_or_empty(scaffold_versions, tmp_path: Path) -> None:
    v1 = scaffold_versions(1)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(RenderError, match="new or empty"):
        render_scaffold(v1.src_path, v1.ref, {}, dest)
    assert (dest / "keep.txt").read_text() == "mine"


def test_an_unknown_ref_is_a_clear_render_error(scaffold_versions, tmp_path: Path) -> None:
    v1 = scaffold_versions(1)
    with pytest.raises(RenderError, match="could not render .*@v9"):
        render_scaffold(v1.src_path, "v9", {}, tmp_path / "out")
