"""The reaper: runs whose worker stopped heartbeating are failed and retried (or settled), and
queued runs whose task message was lost are sent again. Beat calls it periodically
(``provisioning.reap_runs``); ``manage.py reap_runs`` runs it once.

A worker killed with -9 takes Terraform with it (the kernel interrupts Terraform, which saves
its state and frees the pg lock, see runners/terraform.py). If Terraform or a provider is still
alive on this host, the recorded process group is killed here as a last resort.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.audit.services import record_event

from .models import Run, RunStatus
from .runners.terraform import kill_process_group, terraform_processes
from .services import schedule_retry, send_run_task

log = logging.getLogger(__name__)


@dataclass
class Reaped:
    lost: list[int] = field(default_factory=list)  # runs whose worker died
    retried: list[int] = field(default_factory=list)  # new attempts queued for them
    resent: list[int] = field(default_factory=list)  # queued runs whose task was sent again
    killed_groups: list[int] = field(default_factory=list)  # leftover process groups killed here


def reap_runs(*, now=None) -> Reaped:
    now = now or timezone.now()
    reaped = Reaped()
    stale = now - timedelta(seconds=settings.RUN_STALE_SECONDS)
    for run in Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=stale).select_related("item"):
        _fail_lost_run(run, stale=stale, now=now, reaped=reaped)
    overdue = now - timedelta(seconds=settings.RUN_QUEUE_STALE_SECONDS)
    waiting = Run.objects.filter(status=RunStatus.QUEUED, enqueued_at__lt=overdue).filter(
        Q(not_before__isnull=True) | Q(not_before__lt=overdue))
    for run_pk in waiting.values_list("pk", flat=True):
        if Run.objects.filter(pk=run_pk, status=RunStatus.QUEUED, enqueued_at__lt=overdue).update(enqueued_at=now):
            send_run_task(run_pk)
            reaped.resent.append(run_pk)
    if reaped.lost or reaped.resent:
        log.warning("reaper: %s", reaped)
    return reaped


@transaction.atomic
def _fail_lost_run(run: Run, *, stale, now, reaped: Reaped) -> None:
    """Fail a run whose worker is gone (unless it beat meanwhile), then retry or settle it."""
    from portal.onboarding.services import record_item_outcome

    error = (f"The worker {run.worker} stopped answering during {run.phase or 'start-up'} "
             f"(last heartbeat {run.heartbeat_at:%H:%M:%S} UTC); Terraform there was stopped with it.")
    lost = Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING, heartbeat_at__lt=stale).update(
        status=RunStatus.FAILED, finished_at=now, error=error)
    if not lost:
        return
    run.refresh_from_db()
    reaped.lost.append(run.pk)
    record_event(actor=None, verb="run.lost", target=run.item.request, data={"run": run.pk, "error": error})
    if run.pgid and _kill_leftovers(run):  # before a new attempt may start
        reaped.killed_groups.append(run.pgid)
    retry = schedule_retry(run=run)
    if retry is None:
        record_item_outcome(run=run)
    else:
        reaped.retried.append(retry.pk)


def _kill_leftovers(run: Run) -> bool:
    """Kill what is left of the run's process group if it ran on this host and is Terraform's."""
    host = run.worker.rsplit(":", 1)[0]
    if host != socket.gethostname() or not terraform_processes(run.pgid):
        return False
    log.warning("reaper: killing leftover Terraform process group %s of run %s", run.pgid, run.pk)
    return kill_process_group(run.pgid)
