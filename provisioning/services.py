"""Run bookkeeping: queue, claim, heartbeat, finish, fail. Tasks call these; views never run work."""

from __future__ import annotations

import socket

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event

from .models import Run, RunLogLine, RunStatus


def worker_name() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


def queue_run(*, item, action: str, actor) -> Run:
    """Create a queued run and enqueue its task once the transaction commits."""
    from .tasks import execute_run_task

    run = Run.objects.create(item=item, action=action)
    record_event(actor=actor, verb="run.queued", target=item.request, data={"run": run.pk, "action": action})
    transaction.on_commit(lambda: execute_run_task.delay(run.pk))
    return run


def claim_run(*, run_pk: int, worker: str) -> Run | None:
    """Take a queued run for this worker; ``None`` if another worker has it or it ended."""
    now = timezone.now()
    won = Run.objects.filter(pk=run_pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, worker=worker, started_at=now, heartbeat_at=now
    )
    if won != 1:
        return None
    run = Run.objects.select_related("item__request__team", "item__template_version__template").get(pk=run_pk)
    record_event(actor=None, verb="run.started", target=run.item.request, data={"run": run.pk, "worker": worker})
    return run


class RunLost(Exception):
    """The run is no longer ours (cancelled or reaped); stop working on it."""


def heartbeat(*, run: Run, phase: str | None = None) -> None:
    fields = {"heartbeat_at": timezone.now()}
    if phase is not None:
        fields["phase"] = phase
    if Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING, worker=run.worker).update(**fields) != 1:
        raise RunLost(f"run {run.pk} is no longer held by {run.worker}")


class LogWriter:
    """Stores a run's output line by line as it is printed."""

    def __init__(self, run: Run):
        self.run = run
        last = run.log_lines.order_by("-seq").values_list("seq", flat=True).first()
        self.seq = (last or 0)

    def __call__(self, text: str) -> None:
        self.seq += 1
        RunLogLine.objects.create(run=self.run, seq=self.seq, text=text)


@transaction.atomic
def finish_run(*, run: Run, outputs: dict, plan_summary: dict | None = None) -> Run:
    _end(run, RunStatus.SUCCEEDED, outputs=outputs, plan_summary=plan_summary)
    record_event(actor=None, verb="run.succeeded", target=run.item.request, data={"run": run.pk})
    return run


@transaction.atomic
def fail_run(*, run: Run, error: str) -> Run:
    _end(run, RunStatus.FAILED, error=error)
    record_event(actor=None, verb="run.failed", target=run.item.request, data={"run": run.pk, "error": error})
    return run


def _end(run: Run, status: str, **fields) -> None:
    ended = Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING, worker=run.worker).update(
        status=status, finished_at=timezone.now(), **fields
    )
    if ended != 1:
        raise RunLost(f"run {run.pk} is no longer held by {run.worker}")
    run.refresh_from_db()


def cancel_queued_runs(*, request, action: str, actor) -> int:
    """Queued ``action`` runs of ``request``'s items will never start (a worker claims only queued runs)."""
    pks = list(Run.objects.filter(item__request=request, action=action, status=RunStatus.QUEUED)
               .values_list("pk", flat=True))
    if not pks:
        return 0
    cancelled = Run.objects.filter(pk__in=pks, status=RunStatus.QUEUED).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now())
    record_event(actor=actor, verb="run.cancelled", target=request, data={"runs": pks, "action": action})
    return cancelled
