"""The bare-repo directory served read-only over git's smart HTTP: real git clones it, nothing pushes."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from provisioning.cloud.sandbox import free_port
from provisioning.scaffold import BareDirectoryRemote, ScaffoldError
from provisioning.scaffold.remotes.http_server import (
    GitHttpBackend,
    parse_addr,
    serving_over_http,
    start_git_http_server,
)

from .conftest import GIT_IDENTITY, git

UPLOAD_REFS = "info/refs?service=git-upload-pack"


def push_a_commit(remote: BareDirectoryRemote, name: str, work: Path, text: str) -> str:
    """Commit ``text`` to hello.txt and push it to ``main`` over the remote's push URL (file://)."""
    if not work.exists():
        git("init", "-q", "-b", "main", str(work))
    (work / "hello.txt").write_text(text)
    git("add", "hello.txt", cwd=work)
    git("commit", "-q", "-m", f"say {text.strip()}", cwd=work)
    git("push", "-q", remote.push_url(name), "HEAD:refs/heads/main", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def attempt(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run git expecting it may fail; never asks for credentials."""
    env = {**os.environ, **GIT_IDENTITY, "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def get(base_url: str, path: str, method: str = "GET") -> tuple[int, str]:
    """One request with ``path`` sent exactly as written (no client-side normalising of ``..``)."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_child_server_serves_the_pushed_commit_refuses_a_push_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    remote = BareDirectoryRemote(tmp_path / "git", public_url=f"http://127.0.0.1:{port}")
    info = remote.ensure_repo("fraud", "fraud detection")
    pushed = push_a_commit(remote, "fraud", tmp_path / "work", "hello\n")
    log = tmp_path / "git-http.log"

    server = start_git_http_server(remote.root, f"127.0.0.1:{port}", log_path=log)
    try:
        assert info.clone_url == f"http://127.0.0.1:{port}/fraud.git"
        clone = tmp_path / "clone"
        git("clone", "-q", info.clone_url, str(clone))
        assert git("rev-parse", "HEAD", cwd=clone) == pushed
        assert (clone / "hello.txt").read_text() == "hello\n"

        (clone / "hello.txt").write_text("overwritten\n")
        git("commit", "-q", "-am", "try to push", cwd=clone)
        refused = attempt("push", "origin", "HEAD:refs/heads/main", cwd=clone)
        assert refused.returncode != 0
        assert "read-only" in refused.stderr and "403" in refused.stderr
        assert git("--git-dir", str(remote.path("fraud")), "rev-parse", "main") == pushed
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # what runportal does to its children
        server.wait(timeout=30)

    assert server.returncode == 0
    assert not answers(port)
    assert "stopped" in log.read_text()


def test_a_second_push_is_what_the_next_clone_gets(tmp_path: Path) -> None:
    remote = BareDirectoryRemote(tmp_path / "git")
    remote.ensure_repo("fraud", "")
    push_a_commit(remote, "fraud", tmp_path / "work", "one\n")
    with serving_over_http(GitHttpBackend(remote.root)) as url:
        git("clone", "-q", f"{url}/fraud.git", str(tmp_path / "first"))
        second = push_a_commit(remote, "fraud", tmp_path / "work", "two\n")
        git("pull", "-q", "--ff-only", cwd=tmp_path / "first")
    assert git("rev-parse", "HEAD", cwd=tmp_path / "first") == second
    assert (tmp_path / "first" / "hello.txt").read_text() == "two\n"


@pytest.fixture
def served(tmp_path: Path):
    """``root`` with repo ``fraud``, a repo ``outside`` next to root, and a symlink to it in root."""
    remote = BareDirectoryRemote(tmp_path / "git")
    remote.ensure_repo("fraud", "")
    push_a_commit(remote, "fraud", tmp_path / "work", "hello\n")
    outside = BareDirectoryRemote(tmp_path)
    outside.ensure_repo("outside", "")
    push_a_commit(outside, "outside", tmp_path / "work-outside", "secret\n")
    (remote.root / "linked.git").symlink_to(outside.path("outside"))
    with serving_over_http(GitHttpBackend(remote.root)) as url:
        yield url


@pytest.mark.parametrize("path", [
    f"/../outside.git/{UPLOAD_REFS}",
    f"/%2e%2e/outside.git/{UPLOAD_REFS}",
    f"/%2E%2E%2Foutside.git/{UPLOAD_REFS}",
    f"/fraud.git/../../outside.git/{UPLOAD_REFS}",
    f"/git/fraud.git/{UPLOAD_REFS}",
    f"/linked.git/{UPLOAD_REFS}",
    f"/nope.git/{UPLOAD_REFS}",
    f"/fraud/{UPLOAD_REFS}",
    f"/.git/{UPLOAD_REFS}",
    "/fraud.git/HEAD",
    "/fraud.git/config",
    "/fraud.git/objects/info/packs",
    "/fraud.git/info/refs",  # the dumb protocol: not served
    "/",
])
def test_only_repos_directly_under_the_root_are_served(served: str, path: str) -> None:
    status, body = get(served, path)
    assert status == 404
    assert "secret" not in body


def test_git_is_told_an_unknown_repo_is_not_found(served: str, tmp_path: Path) -> None:
    missing = attempt("clone", f"{served}/nope.git", str(tmp_path / "nope"))
    assert missing.returncode != 0
    assert "not found" in missing.stderr
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/fraud.git/info/refs?service=git-receive-pack"),
    ("POST", "/fraud.git/git-receive-pack"),
])
def test_the_push_service_is_forbidden(served: str, method: str, path: str) -> None:
    status, body = get(served, path, method)
    assert status == 403
    assert "read-only" in body


def test_a_served_repo_answers_the_smart_protocol(served: str) -> None:
    status, body = get(served, f"/fraud.git/{UPLOAD_REFS}")
    assert status == 200
    assert "# service=git-upload-pack" in body
    assert get(served, "/fraud.git/git-upload-pack", "GET")[0] == 405


@pytest.mark.parametrize("addr", ["0.0.0.0:5056", "10.0.0.5:5056", "example.org:80", "::1:5056",
                                  "127.0.0.1", "127.0.0.1:http", "localhost.example.org:5056"])
def test_it_listens_on_loopback_only(addr: str) -> None:
    with pytest.raises(ScaffoldError, match="loopback only"):
        parse_addr(addr)


def test_loopback_addresses_are_understood() -> None:
    assert parse_addr("127.0.0.1:5056") == ("127.0.0.1", 5056)
    assert parse_addr("localhost:5056") == ("localhost", 5056)
    assert parse_addr("[::1]:5056") == ("::1", 5056)


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with serving_over_http(GitHttpBackend(tmp_path)) as url:
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(ScaffoldError, match=f"127.0.0.1:{port}: the port is already in use"):
            start_git_http_server(tmp_path, f"127.0.0.1:{port}")
