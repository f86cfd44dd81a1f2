"""Run the whole portal on one machine: sandbox cloud, worker, beat, web server. Ctrl-C stops it all."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from provisioning.cloud.sandbox import sandbox_is_up, start_sandbox


class Command(BaseCommand):
    help = "Migrate, seed the demo, start the sandbox cloud, a Celery worker and the web server."

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
            if settings.PORTAL_CLOUD == "sandbox" and not sandbox_is_up(settings.PORTAL_SANDBOX_URL):
                port = urlparse(settings.PORTAL_SANDBOX_URL).port
                children.append(("sandbox cloud", start_sandbox(port, log_path=logs / "sandbox.log")))
                self.stdout.write(f"Sandbox cloud (moto) on {settings.PORTAL_SANDBOX_URL}")
            for name, queues in (("worker", "runs,default"), ("preview worker", "previews")):
                # Plan previews and drift checks have a worker of their own: approvers see the plan
                # while an apply runs.
                log_name = name.replace(" ", "-") + ".log"
                children.append((name, self._spawn(
                    [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
                     "-Q", queues, "-n", f"{name.replace(' ', '-')}@%h"], logs / log_name)))
            broker = settings.CELERY_BROKER_URL
            self.stdout.write(f"Celery workers started (broker {broker}); logs: {logs / 'worker.log'}, "
                              f"{logs / 'preview-worker.log'}")
            children.append(("beat", self._spawn(
                [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"], logs / "beat.log")))
            children.append(("web", self._spawn(
                [sys.executable, "manage.py", "runserver", addr, "--noreload"], None)))
            self.stdout.write(self.style.SUCCESS(f"\nPortal running at http://{addr}/  (Ctrl-C stops everything)\n"))
            self._wait(children)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for _name, proc in reversed(children):
                _stop(proc)

    def _spawn(self, argv, log_path):
        out = open(log_path, "ab") if log_path else None  # noqa: SIM115
        return subprocess.Popen(argv, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT if out else None,
                                start_new_session=True)

    def _wait(self, children):
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    self.stderr.write(f"The {name} stopped (exit {proc.returncode}); stopping the rest.")
                    return
            time.sleep(0.5)


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
