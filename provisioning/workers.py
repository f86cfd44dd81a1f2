"""The Celery workers a deployment runs: one per queue, so one kind of work never waits behind another.

- ``runs``: Terraform applies and destroys, repo upgrades — minutes each, one at a time per process;
- ``previews``: plan previews for approvers and drift checks — never behind a 20-minute apply;
- ``default``: light work — webhooks, directory sync, repo version checks, expiry, SLA checks (their
  e-mails), the reaper.

Which task goes where is ``CELERY_TASK_ROUTES`` (settings); a run's task names its queue itself
(``Run.queue``: ``previews`` for plans and drift checks). ``manage.py runportal`` starts one worker per
queue with :func:`worker_argv`; a deployment runs the same command per queue (``-n <queue>@%h``) and
scales by adding hosts: nothing a run needs lives on one worker's disk (see provisioning/workspace.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .models import PREVIEW_QUEUE, RUN_QUEUE

DEFAULT_QUEUE = "default"


@dataclass(frozen=True)
class WorkerKind:
    queue: str
    concurrency: int  # processes of the prefork pool (the run time limits need prefork, not solo)
    work: str  # what it does, for people


WORKERS = (
    WorkerKind(RUN_QUEUE, 1, "Terraform applies and destroys, repo upgrades"),
    WorkerKind(PREVIEW_QUEUE, 1, "plan previews and drift checks"),
    WorkerKind(DEFAULT_QUEUE, 2, "webhooks, directory sync, version checks, expiry, SLA checks, the reaper"),
)
QUEUES = tuple(kind.queue for kind in WORKERS)


def worker_argv(kind: WorkerKind, *, python: str = sys.executable, loglevel: str = "INFO") -> list[str]:
    """The command of the worker for ``kind``'s queue (run it from the project's directory)."""
    return [python, "-m", "celery", "-A", "portal", "worker", "-Q", kind.queue, "-n", f"{kind.queue}@%h",
            "--pool=prefork", f"--concurrency={kind.concurrency}", f"--loglevel={loglevel}"]
