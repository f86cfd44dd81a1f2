"""Run the whole portal on one machine: sandbox cloud, git server, a worker per queue, beat, and the web
server (gunicorn, as in production). Ctrl-C stops it all."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from provisioning.cloud.sandbox import sandbox_is_up, start_sandbox
from provisioning.scaffold.errors import ScaffoldError
from provisioning.scaffold.remotes.http_server import start_git_http_server
from provisioning.workers import WORKERS, worker_argv

WEB_START_SECONDS = 60  # gunicorn imports Django in each process: a few seconds on a slow laptop


@dataclass(frozen=True)
class Child:
    """A process runportal starts: ``start()`` returns it once it runs; ``note`` is printed then;
    ``log`` is where its output goes (its last lines are shown if it stops)."""

    name: str
    start: Callable[[], subprocess.Popen]
    note: str = ""
    log: Path | None = None


def web_argv(python: str = sys.executable) -> list[str]:
    """The production web server's command (gunicorn with portal/gunicorn_conf.py; PORTAL_ADDR binds it)."""
    return [python, "-m", "gunicorn", "portal.wsgi", "-c", str(Path(settings.BASE_DIR) / "portal" / "gunicorn_conf.py")]


def portal_children(addr: str, logs: Path) -> list[Child]:
    """What runportal starts, in this order (and stops in the reverse one)."""
    children = []
    if settings.PORTAL_CLOUD == "sandbox" and not sandbox_is_up(settings.PORTAL_SANDBOX_URL):
        port = urlparse(settings.PORTAL_SANDBOX_URL).port
        children.append(Child("sandbox cloud", partial(start_sandbox, port, log_path=logs / "sandbox.log"),
                              f"Sandbox cloud (moto) on {settings.PORTAL_SANDBOX_URL}", logs / "sandbox.log"))
    if settings.PORTAL_GIT_REMOTE == "bare" and settings.PORTAL_GIT_HTTP_ADDR:
        git_log = logs / "git-http.log"
        children.append(Child(
            "git server",
            partial(start_git_http_server, settings.PORTAL_GIT_ROOT, settings.PORTAL_GIT_HTTP_ADDR, log_path=git_log),
            f"Git repos in {settings.PORTAL_GIT_ROOT} served read-only on "
            f"http://{settings.PORTAL_GIT_HTTP_ADDR}/<name>.git; log: {git_log}", git_log))
    for kind in WORKERS:  # one per queue: a webhook never waits behind an apply, a preview never behind either
        worker_log = logs / f"worker-{kind.queue}.log"
        children.append(Child(
            f"{kind.queue} worker", partial(_spawn, worker_argv(kind), worker_log),
            f"Celery worker for '{kind.queue}' ({kind.work}); log: {worker_log}", worker_log))
    beat_log = logs / "beat.log"
    children.append(Child(
        "beat", partial(_spawn, [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"], beat_log),
        log=beat_log))
    web_log = logs / "web.log"
    children.append(Child("web server", partial(_spawn, web_argv(), web_log, {"PORTAL_ADDR": addr}),
                          f"Web server (gunicorn) on {addr}; log: {web_log}", web_log))
    return children


class Command(BaseCommand):
    help = ("Migrate, seed the demo, start the sandbox cloud, the git server, a Celery worker per queue, beat and "
            "the web server (gunicorn). --addr (or PORTAL_ADDR) moves the web server.")

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("PORTAL_ADDR") or "127.0.0.1:8000",
                            help="host:port the web server listens on (default: PORTAL_ADDR or 127.0.0.1:8000)")

    def handle(self, *args, addr, **options):
        # Each line as it is printed, even into a pipe or a file (not only when Python exits).
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(line_buffering=True)
        # Ctrl-C or a TERM from a service manager: stop the children we started, whatever
        # the signal disposition we inherited (a background job ignores SIGINT).
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _interrupt)
        if _answers(addr):
            raise CommandError(f"Something already listens on {addr} (another portal?): stop it, or choose "
                               "another address with --addr or PORTAL_ADDR.")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        logs = settings.DATA_DIR / "logs"
        logs.mkdir(exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        children: list[tuple[Child, subprocess.Popen]] = []
        try:
            for child in portal_children(addr, logs):
                try:
                    children.append((child, child.start()))
                except (ScaffoldError, RuntimeError) as error:
                    raise CommandError(f"The {child.name} did not start: {error}") from None
                if child.note:
                    self.stdout.write(child.note)
            if not self._web_listens(addr, children):
                raise CommandError("The portal did not start (above: what stopped).")
            self.stdout.write(self.style.SUCCESS(f"\nPortal running at http://{addr}/  (Ctrl-C stops everything)\n"))
            self._wait(children)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for _child, proc in reversed(children):
                _stop(proc)

    def _web_listens(self, addr: str, children) -> bool:
        """Wait until the web server answers on ``addr``; False (said why) when a child stopped first."""
        deadline = time.monotonic() + WEB_START_SECONDS
        while time.monotonic() < deadline:
            if self._stopped(children):
                return False
            if _answers(addr):
                return True
            time.sleep(0.2)
        self.stderr.write(f"The web server did not listen on {addr} within {WEB_START_SECONDS} s; see its log.")
        return False

    def _wait(self, children):
        while not self._stopped(children):
            time.sleep(0.5)

    def _stopped(self, children) -> bool:
        """Whether a child stopped; if so, say which, with the end of its log, so the rest is stopped."""
        for child, proc in children:
            if proc.poll() is not None:
                self.stderr.write(f"The {child.name} stopped (exit {proc.returncode}); stopping the rest.")
                if child.log is not None and child.log.exists():
                    tail = child.log.read_text(errors="replace").splitlines()[-15:]
                    self.stderr.write(f"The end of its log ({child.log}):\n" + "\n".join(f"  {t}" for t in tail))
                return True
        return False


def _answers(addr: str) -> bool:
    """Whether something accepts connections on ``addr`` (host:port; an everywhere address is asked on loopback)."""
    host, _, port = addr.rpartition(":")
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host.strip("[]"), host.strip("[]"))  # noqa: S104
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except (OSError, ValueError):
        return False


def _spawn(argv, log_path, env: dict | None = None):
    out = open(log_path, "ab") if log_path else None  # noqa: SIM115
    return subprocess.Popen(argv, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT if out else None,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}, start_new_session=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
