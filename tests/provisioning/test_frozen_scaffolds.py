"""A scaffold version's files are frozen when it is published, nested paths and all, and any worker re-makes
the version from them; what is not a text scaffold, or would write outside it, is refused."""

from pathlib import Path

import pytest

from provisioning.scaffold import ScaffoldError, materialise_frozen, read_scaffold

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_scaffold_is_read_with_its_nested_paths():
    files = read_scaffold(REPO / "templates" / "ml-project")
    assert "copier.yml" in files
    assert "template/{{ package_name }}/train.py.jinja" in files
    assert not any(path.startswith((".git/", "__pycache__")) for path in files)


def test_a_frozen_scaffold_becomes_the_same_tag_as_its_directory(tmp_path):
    scaffold = REPO / "templates" / "ml-project"
    from provisioning.scaffold import materialise_scaffold

    from_disk = materialise_scaffold(scaffold, version=1, cache_dir=tmp_path / "a")
    frozen = materialise_frozen("ml-project", read_scaffold(scaffold), version=1, cache_dir=tmp_path / "b")
    import git

    trees = [git.Repo(source.src_path).git.rev_parse(f"{source.ref}^{{tree}}") for source in (from_disk, frozen)]
    assert trees[0] == trees[1]
    # Re-made on a cache that already has the tag: the same content is a no-op.
    assert materialise_frozen("ml-project", read_scaffold(scaffold), version=1, cache_dir=tmp_path / "a").ref == "v1"


def test_not_a_scaffold_reads_as_nothing_and_binary_files_are_refused(tmp_path):
    assert read_scaffold(tmp_path) == {}
    (tmp_path / "copier.yml").write_text("name: {type: str}\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ScaffoldError, match="logo.png is not UTF-8"):
        read_scaffold(tmp_path)


@pytest.mark.parametrize("path", ["../escape.txt", "template/../../escape.txt", "/etc/escape.txt"])
def test_a_frozen_path_leading_outside_is_refused(tmp_path, path):
    with pytest.raises(ScaffoldError, match="leads outside"):
        materialise_frozen("mini", {"copier.yml": "x: 1\n", path: "boom"}, version=1, cache_dir=tmp_path)
    assert not (tmp_path.parent / "escape.txt").exists()
