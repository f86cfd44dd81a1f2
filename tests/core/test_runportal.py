"""The embedded run (``./scripts/run`` → ``manage.py runportal``) serves its bare repos over HTTP on
loopback, so the clone URLs it reports really clone — and the CI pipeline accepts them."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings

from portal.catalog.seed.team_tools import CI_PIPELINE_SCHEMA
from portal.catalog.validation import validate_values
from portal.core.management.commands.runportal import _stop, portal_children
from provisioning.cloud.sandbox import free_port
from provisioning.scaffold import BareDirectoryRemote

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
                "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}


def git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_IDENTITY}, capture_output=True,
                            text=True, check=True, timeout=60)
    return result.stdout.strip()


def embedded_env(tmp_path: Path, **environ: str) -> dict[str, str]:
    """The environment of ``./scripts/run`` on a machine with nothing set, plus ``environ``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "DJANGO_", "PYTHON")) and k not in ("DATABASE_URL", "REDIS_URL")}
    return env | {"DJANGO_SETTINGS_MODULE": "portal.settings.local", "PORTAL_DATA_DIR": str(tmp_path / "data"),
                  **environ}


def embedded_settings(tmp_path: Path, **environ: str) -> dict:
    """Settings of ``portal.settings.local`` as ``./scripts/run`` loads them, with only ``environ`` set."""
    env = embedded_env(tmp_path, **environ)
    names = ["PORTAL_GIT_REMOTE", "PORTAL_GIT_HTTP_ADDR", "PORTAL_GIT_PUBLIC_URL", "PORTAL_GIT_ROOT"]
    code = ("import json, sys; from django.conf import settings as s; "
            "print(json.dumps({n: str(getattr(s, n)) for n in sys.argv[1:]}))")
    result = subprocess.run([sys.executable, "-c", code, *names], cwd=django_settings.BASE_DIR, env=env,
                            capture_output=True, text=True, check=True, timeout=60)
    return json.loads(result.stdout)


def test_the_embedded_default_reports_loopback_http_clone_urls_the_ci_pipeline_accepts(tmp_path):
    embedded = embedded_settings(tmp_path)
    assert embedded["PORTAL_GIT_REMOTE"] == "bare"
    assert embedded["PORTAL_GIT_HTTP_ADDR"] == "127.0.0.1:5056"
    assert embedded["PORTAL_GIT_ROOT"] == str(tmp_path / "data" / "git")

    remote = BareDirectoryRemote(embedded["PORTAL_GIT_ROOT"], public_url=embedded["PORTAL_GIT_PUBLIC_URL"])
    info = remote.ensure_repo("churn-modelling-churn", "Churn model")

    assert info.clone_url == "http://127.0.0.1:5056/churn-modelling-churn.git"
    bare_repo = tmp_path / "data" / "git" / "churn-modelling-churn.git"
    assert remote.push_url("churn-modelling-churn") == bare_repo.as_uri()  # pushes still go to the files
    pipeline = {"name": "churn-ci", "repo_url": info.clone_url, "branch": "main",
                "compute_type": "BUILD_GENERAL1_SMALL", "build_minutes_per_month": 300, "purpose": "CI for churn."}
    assert validate_values(CI_PIPELINE_SCHEMA, pipeline) == {}


def test_the_git_server_address_can_be_moved_or_turned_off(tmp_path):
    moved = embedded_settings(tmp_path, PORTAL_GIT_HTTP_ADDR="[::1]:6066")
    assert moved["PORTAL_GIT_PUBLIC_URL"] == "http://[::1]:6066"
    off = embedded_settings(tmp_path, PORTAL_GIT_HTTP_ADDR="")
    assert off["PORTAL_GIT_PUBLIC_URL"] == "None"  # clone URLs are the repos' file:// URLs again


@pytest.fixture
def embedded(settings, tmp_path):
    """The embedded settings, on ports of this test's own."""
    addr = f"127.0.0.1:{free_port()}"
    settings.PORTAL_CLOUD = "sandbox"
    settings.PORTAL_SANDBOX_URL = f"http://127.0.0.1:{free_port()}"  # nothing answers: runportal would start it
    settings.PORTAL_GIT_REMOTE = "bare"
    settings.PORTAL_GIT_ROOT = tmp_path / "git"
    settings.PORTAL_GIT_HTTP_ADDR = addr
    settings.PORTAL_GIT_PUBLIC_URL = f"http://{addr}"
    return settings


def test_runportal_starts_the_git_server_before_the_worker_and_its_clone_urls_clone(embedded, tmp_path):
    children = portal_children("127.0.0.1:8000", tmp_path)
    assert [c.name for c in children] == ["sandbox cloud", "git server", "runs worker", "previews worker",
                                          "default worker", "beat", "web server"]

    remote = BareDirectoryRemote(embedded.PORTAL_GIT_ROOT, public_url=embedded.PORTAL_GIT_PUBLIC_URL)
    info = remote.ensure_repo("churn", "Churn model")
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("# Churn\n")
    git("add", "README.md", cwd=work)
    git("commit", "-q", "-m", "Create", cwd=work)
    git("push", "-q", remote.push_url("churn"), "main", cwd=work)  # as the worker publishes

    [git_server] = [c for c in children if c.name == "git server"]
    process = git_server.start()
    try:
        git("clone", "-q", info.clone_url, str(tmp_path / "clone"))
    finally:
        _stop(process)

    assert (tmp_path / "clone" / "README.md").read_text() == "# Churn\n"
    assert git("rev-parse", "HEAD", cwd=tmp_path / "clone") == git("rev-parse", "HEAD", cwd=work)
    assert process.returncode == 0
    assert f"http://{embedded.PORTAL_GIT_HTTP_ADDR}/<name>.git" in git_server.note


def test_no_git_server_for_a_hosted_remote_or_without_an_address(embedded, tmp_path):
    embedded.PORTAL_GIT_REMOTE = "github"
    assert "git server" not in [c.name for c in portal_children("127.0.0.1:8000", tmp_path)]
    embedded.PORTAL_GIT_REMOTE, embedded.PORTAL_GIT_HTTP_ADDR = "bare", ""
    assert "git server" not in [c.name for c in portal_children("127.0.0.1:8000", tmp_path)]


class Lines:
    """The lines a process prints into a pipe, as they arrive."""

    def __init__(self, stream):
        self.seen: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self._queue.put(line) for line in stream], daemon=True).start()

    def until(self, text: str, *, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            try:
                self.seen.append(self._queue.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail(f"no line with {text!r} within {timeout:.0f} s; printed:\n" + "".join(self.seen))
        return self.seen


def test_runportal_piped_prints_each_line_at_once_and_serves_through_gunicorn(tmp_path):
    """As a newcomer runs it with the output into a file: the demo logins and the address are there while it
    runs (not only after Ctrl-C); the web server is gunicorn, static files are served with DEBUG off."""
    addr = f"127.0.0.1:{free_port()}"
    env = embedded_env(tmp_path, PORTAL_ADDR=addr, PORTAL_SANDBOX_URL=f"http://127.0.0.1:{free_port()}",
                       PORTAL_GIT_HTTP_ADDR=f"127.0.0.1:{free_port()}")  # PYTHONUNBUFFERED unset, as by hand
    portal = subprocess.Popen([sys.executable, "manage.py", "runportal"], cwd=django_settings.BASE_DIR, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        printed = "".join(Lines(portal.stdout).until("Portal running at", timeout=240))
        assert "requester" in printed and "requester-demo" in printed  # the demo logins, before the address
        assert f"Portal running at http://{addr}/" in printed
        assert "Celery worker for 'runs'" in printed and "Celery worker for 'default'" in printed
        with httpx.Client(base_url=f"http://{addr}", timeout=30) as http:
            login = http.get("/login/")
            css = http.get("/static/core/portal.css")
            missing = http.get("/static/core/nothing-here.css")
        assert login.status_code == 200 and "gunicorn" in login.headers["server"]
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")  # WhiteNoise, no DEBUG
        assert missing.status_code == 404
    finally:
        os.kill(portal.pid, signal.SIGINT)  # Ctrl-C
        portal.wait(timeout=90)
    assert portal.returncode == 0
    logs = tmp_path / "data" / "logs"
    worker_logs = "".join(path.read_text() for path in logs.glob("worker-*.log"))
    assert "ready." in worker_logs
    assert "No hostname was supplied" not in worker_logs  # Kombu's file broker warning looked like an error
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://{addr}/login/", timeout=5)  # Ctrl-C stopped the web server too
