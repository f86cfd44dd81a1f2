"""Run the whole portal on one machine: sandbox cloud, git server, worker, beat, web server.
Ctrl-C stops it all."""

import os
import signal
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


@dataclass(frozen=True)
class Child:
    """A process runportal starts: ``start()`` returns it once it runs; ``note`` is printed then."""

    name: str
    start: Callable[[], subprocess.Popen]
    note: str = ""


def portal_children(addr: str, logs: Path) -> list[Child]:
    """What runportal starts, in this order (and stops in the reverse one)."""
    children = []
    if settings.PORTAL_CLOUD == "sandbox" and not sandbox_is_up(settings.PORTAL_SANDBOX_URL):
        port = urlparse(settings.PORTAL_SANDBOX_URL).port
        children.append(Child("sandbox cloud", partial(start_sandbox, port, log_path=logs / "sandbox.log"),
                              f"Sandbox cloud (moto) on {settings.PORTAL_SANDBOX_URL}"))
    if settings.PORTAL_GIT_REMOTE == "bare" and settings.PORTAL_GIT_HTTP_ADDR:
        git_log = logs / "git-http.log"
        children.append(Child(
            "git server",
            partial(start_git_http_server, settings.PORTAL_GIT_ROOT, settings.PORTAL_GIT_HTTP_ADDR, log_path=git_log),
            f"Git repos in {settings.PORTAL_GIT_ROOT} served read-only on "
            f"http://{settings.PORTAL_GIT_HTTP_ADDR}/<name>.git; log: {git_log}"))
    for name, queues in (("worker", "runs,default"), ("preview worker", "previews")):
        # Plan previews and drift checks have a worker of their own: approvers see the plan while an apply runs.
        slug = name.replace(" ", "-")
        worker_log = logs / f"{slug}.log"
        children.append(Child(
            name,
            partial(_spawn, [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
                             "-Q", queues, "-n", f"{slug}@%h"], worker_log),
            f"Celery {name} for {queues} started (broker {settings.CELERY_BROKER_URL}); log: {worker_log}"))
    beat_log = logs / "beat.log"
    children.append(Child(
        "beat", partial(_spawn, [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"], beat_log)))
    children.append(Child("web", partial(_spawn, [sys.executable, "manage.py", "runserver", addr, "--noreload"], None)))
    return children


class Command(BaseCommand):
    help = "Migrate, seed the demo, start the sandbox cloud, the git server, a Celery worker and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("PORTAL_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, addr, **options):
        # Ctrl-C or a TERM from a service manager: stop the children we started, whatever
        # the signal disposition we inherited (a background job ignores SIGINT).
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _interrupt)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        logs = settings.DATA_DIR / "logs"
        logs.mkdir(exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        children: list[tuple[str, subprocess.Popen]] = []
        try:
            for child in portal_children(addr, logs):
                try:
                    children.append((child.name, child.start()))
                except (ScaffoldError, RuntimeError) as error:
                    raise CommandError(f"The {child.name} did not start: {error}") from None
                if child.note:
                    self.stdout.write(child.note)
            self.stdout.write(self.style.SUCCESS(f"\nPortal running at http://{addr}/  (Ctrl-C stops everything)\n"))
            self._wait(children)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for _name, proc in reversed(children):
                _stop(proc)

    def _wait(self, children):
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    self.stderr.write(f"The {name} stopped (exit {proc.returncode}); stopping the rest.")
                    return
            time.sleep(0.5)


def _spawn(argv, log_path):
    out = open(log_path, "ab") if log_path else None  # noqa: SIM115
    return subprocess.Popen(argv, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT if out else None,
                            start_new_session=True)


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
