"""Run bookkeeping: queue, claim, heartbeat, finish, fail, retry, cancel. Tasks call these; views never run work."""

from __future__ import annotations

import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event

from .models import ACTIVE_RUN_STATES, Run, RunLogLine, RunStatus


def worker_name() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


def queue_run(*, item, action: str, actor, purpose: str = Run.Purpose.PROVISION, change=None) -> Run:
    """Create a queued run and enqueue its task once the transaction commits. A run that carries
    out a change request (``change``) is also told on that request's page."""
    run = Run.objects.create(item=item, action=action, purpose=purpose, change=change, enqueued_at=timezone.now())
    record_event(actor=actor, verb="run.queued", target=item.request, data={"run": run.pk, "action": action})
    if change is not None:
        record_event(actor=actor, verb="run.queued", target=change.request, data={"run": run.pk, "action": action})
    _enqueue_on_commit(run)
    return run


def _enqueue_on_commit(run: Run, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: send_run_task(run.pk, countdown=countdown))


def send_run_task(run_pk: int, *, countdown: float | None = None) -> None:
    """Hand the run to the broker. Safe to repeat: only one worker can claim a queued run."""
    from .tasks import execute_run_task

    if countdown:
        execute_run_task.apply_async((run_pk,), countdown=countdown)
    else:
        execute_run_task.delay(run_pk)


def claim_run(*, run_pk: int, worker: str) -> Run | None:
    """Take a queued run for this worker; ``None`` if another worker has it or it ended."""
    now = timezone.now()
    won = Run.objects.filter(pk=run_pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, worker=worker, started_at=now, heartbeat_at=now
    )
    if won != 1:
        return None
    run = Run.objects.select_related("item__request__team", "item__template_version__template", "change").get(
        pk=run_pk)
    record_event(actor=None, verb="run.started", target=run.item.request,
                 data={"run": run.pk, "worker": worker, "attempt": run.attempt})
    return run


class RunLost(Exception):
    """The run is no longer ours (cancelled or reaped); stop working on it."""


def heartbeat(*, run: Run, phase: str | None = None) -> None:
    fields = {"heartbeat_at": timezone.now()}
    if phase is not None:
        fields["phase"] = phase
    if Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING, worker=run.worker).update(**fields) != 1:
        raise RunLost(f"run {run.pk} is no longer held by {run.worker}")


def record_process(*, run: Run, pgid: int) -> None:
    """Remember the process group the run's external command runs in (for the reaper)."""
    Run.objects.filter(pk=run.pk, worker=run.worker).update(pgid=pgid)


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
def fail_run(*, run: Run, error: str, transient: bool = False) -> Run:
    """End the run as failed; a transient failure with attempts left queues the next attempt
    (``run.retried_by``) instead of failing the item."""
    _end(run, RunStatus.FAILED, error=error)
    record_event(actor=None, verb="run.failed", target=run.item.request, data={"run": run.pk, "error": error})
    if transient:
        schedule_retry(run=run)
    return run


def schedule_retry(*, run: Run) -> Run | None:
    """Queue attempt ``run.attempt + 1`` after an exponential backoff, if attempts are left.

    A new run, not a Celery retry: each attempt keeps its own log, worker and error, and the
    reaper (which has no task to retry) uses the same path. The delay is kept on the run
    (``not_before``) so a lost broker message costs the reaper's next round, not the
    broker's visibility timeout.
    """
    if run.attempt >= settings.RUN_MAX_ATTEMPTS:
        note = f" Not retried: {run.attempt} of {settings.RUN_MAX_ATTEMPTS} attempts used."
        Run.objects.filter(pk=run.pk).update(error=run.error + note)
        run.error += note
        return None
    delay = min(settings.RUN_RETRY_BASE_SECONDS * 2 ** (run.attempt - 1), settings.RUN_RETRY_MAX_SECONDS)
    now = timezone.now()
    retry = Run.objects.create(item=run.item, action=run.action, purpose=run.purpose, change=run.change,
                               attempt=run.attempt + 1,
                               retry_of=run, not_before=now + timedelta(seconds=delay), enqueued_at=now)
    note = f" Retrying as attempt {retry.attempt} of {settings.RUN_MAX_ATTEMPTS} in {delay:.0f} s."
    Run.objects.filter(pk=run.pk).update(error=run.error + note)
    run.error += note
    record_event(actor=None, verb="run.retry_scheduled", target=run.item.request,
                 data={"run": retry.pk, "attempt": retry.attempt, "delay_seconds": delay})
    _enqueue_on_commit(retry, countdown=delay)
    return retry


@transaction.atomic
def cancel_run(*, run: Run, actor) -> bool:
    """Cancel a queued or running run; whether this call did. A running run's worker notices at
    its next heartbeat (RunLost) and stops Terraform's process group."""
    reason = f"Cancelled by {actor}." if actor else "Cancelled."
    cancelled = Run.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATES).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now(), error=reason)
    if cancelled:
        run.refresh_from_db()
        record_event(actor=actor, verb="run.cancelled", target=run.item.request, data={"run": run.pk})
    return bool(cancelled)


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
