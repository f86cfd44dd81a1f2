"""A directory of bare repos served read/write over git:// on loopback, stopped without leftovers."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from provisioning.scaffold import BareDirectoryRemote, ScaffoldError
from provisioning.scaffold.remotes import serving, start_git_daemon
from provisioning.scaffold.remotes.daemon import _group_alive

from .conftest import git


def test_clone_and_push_through_git_daemon_then_nothing_is_left(tmp_path: Path) -> None:
    remote = BareDirectoryRemote(tmp_path / "remotes")
    remote.ensure_repo("notes", "team notes")
    with serving(remote.root) as daemon:
        pgid = daemon.process.pid
        clone = tmp_path / "clone"
        git("clone", "-q", f"{daemon.url}/notes.git", str(clone))
        (clone / "hello.txt").write_text("hi\n")
        git("add", "hello.txt", cwd=clone)
        git("commit", "-q", "-m", "hello", cwd=clone)
        git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=clone)
        assert _group_alive(pgid)
    assert git("--git-dir", str(remote.path("notes")), "show", "main:hello.txt") == "hi"
    assert daemon.process.returncode is not None
    assert not _group_alive(pgid)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", daemon.port)) != 0


def group_members(pgid: int) -> set[int]:
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.add(int(stat.parent.name))
    return members


def test_a_daemon_child_serving_a_connection_is_stopped_too(tmp_path: Path) -> None:
    remote = BareDirectoryRemote(tmp_path / "remotes")
    remote.ensure_repo("idle", "")
    daemon = start_git_daemon(remote.root)
    pgid = daemon.process.pid
    idle = group_members(pgid)
    # A connection that never sends its request keeps a forked child waiting (no --init-timeout).
    hanging = socket.create_connection(("127.0.0.1", daemon.port))
    try:
        deadline = time.monotonic() + 10
        while group_members(pgid) <= idle and time.monotonic() < deadline:
            time.sleep(0.02)
        children = group_members(pgid) - idle
        assert children, "git daemon did not fork a child for the connection"
        daemon.stop()
        assert not _group_alive(pgid)
        assert not group_members(pgid) & children
    finally:
        hanging.close()


def test_only_loopback_listens(tmp_path: Path) -> None:
    with serving(tmp_path / "remotes") as daemon:
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        rows += [line.split() for line in Path("/proc/net/tcp6").read_text().splitlines()[1:]]
        port = f":{daemon.port:04X}"
        listeners = [row[1] for row in rows if row[3] == "0A" and row[1].endswith(port)]  # 0A = LISTEN
        assert listeners == [f"0100007F{port}"]


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with (
        serving(tmp_path / "remotes") as daemon,
        pytest.raises(ScaffoldError, match=f"git daemon did not start.*port {daemon.port} is already in use"),
    ):
        start_git_daemon(tmp_path / "other", port=daemon.port, timeout=2).stop()


def test_bare_remote_clone_url_follows_the_served_url(tmp_path: Path) -> None:
    remote = BareDirectoryRemote(tmp_path / "remotes", public_url="git://127.0.0.1:9418/")
    info = remote.ensure_repo("fraud", "fraud detection")
    again = remote.ensure_repo("fraud", "fraud detection")
    assert info == again
    assert info.clone_url == "git://127.0.0.1:9418/fraud.git"
    assert remote.push_url("fraud") == (tmp_path / "remotes" / "fraud.git").as_uri()
    assert (tmp_path / "remotes" / "fraud.git" / "description").read_text() == "fraud detection\n"
    assert os.path.isdir(tmp_path / "remotes" / "fraud.git" / "refs")


@pytest.mark.parametrize("name", ["../escape", "a/b", "x.git", ".hidden", "", "-rf", "a..b"])
def test_bare_remote_refuses_names_that_are_not_one_segment(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScaffoldError, match="invalid repository name"):
        BareDirectoryRemote(tmp_path / "remotes").ensure_repo(name, "")
    assert not (tmp_path / "escape.git").exists()
