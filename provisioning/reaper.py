"""The reaper: runs whose worker stopped heartbeating are failed and retried (or announced as ended),
queued runs whose task message was lost are sent again, and ended runs the portal never settled (the
worker died between the two commits, or the database was away) are announced again. Beat calls it
periodically (``provisioning.reap_runs``); ``manage.py reap_runs`` runs it once.

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
from django.utils import timezone

from .models import LOST_WORKER_CAUSE, TERMINAL_RUN_STATES, Run, RunStatus
from .queues import queue_length
from .runners.terraform import kill_process_group, terraform_processes
from .services import _move, _send_next_of_workspace, announce_end, head_of_workspace, schedule_retry, send_run_task

log = logging.getLogger(__name__)


@dataclass
class Reaped:
    lost: list[int] = field(default_factory=list)  # runs whose worker died
    retried: list[int] = field(default_factory=list)  # new attempts queued for them
    resent: list[int] = field(default_factory=list)  # queued runs whose task was sent again
    killed_groups: list[int] = field(default_factory=list)  # leftover process groups killed here
    settled: list[int] = field(default_factory=list)  # ended runs announced again (never settled)


def reap_runs(*, now=None) -> Reaped:
    now = now or timezone.now()
    reaped = Reaped()
    stale = now - timedelta(seconds=settings.RUN_STALE_SECONDS)
    for run in Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=stale):
        _fail_lost_run(run, stale=stale, now=now, reaped=reaped)
    _resend_lost_messages(now, reaped)
    unsettled = Run.objects.filter(status__in=TERMINAL_RUN_STATES, settled_at__isnull=True, finished_at__lt=stale)
    for run in unsettled.order_by("pk"):
        announce_end(run)  # the portal claims the settlement: a second announce does nothing
        reaped.settled.append(run.pk)
    if reaped.lost or reaped.resent or reaped.settled:
        log.warning("reaper: %s", reaped)
    return reaped


def _resend_lost_messages(now, reaped: Reaped) -> None:
    """A queued run that may start now (first of its workspace, backoff over) whose task has waited
    ``RUN_QUEUE_STALE_SECONDS`` while its queue is empty lost its message (e.g. a broker restart): send it
    again. Whatever the queue holds, one waiting ``RUN_QUEUE_RESEND_SECONDS`` is sent again. The claim
    makes a second delivery harmless."""
    stale = now - timedelta(seconds=settings.RUN_QUEUE_STALE_SECONDS)
    overdue = now - timedelta(seconds=settings.RUN_QUEUE_RESEND_SECONDS)
    lengths: dict[str, int | None] = {}
    waiting = Run.objects.filter(status=RunStatus.QUEUED, enqueued_at__lt=stale).order_by("pk")
    for run in waiting:
        if run.not_before and run.not_before > now:
            continue
        head = head_of_workspace(run.workspace_id)
        if head is None or head.pk != run.pk:
            continue  # it waits for an older run of its workspace, which sends it when it ends
        if run.queue not in lengths:
            lengths[run.queue] = queue_length(run.queue)
        if lengths[run.queue] != 0 and run.enqueued_at >= overdue:
            continue
        if Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED, enqueued_at=run.enqueued_at).update(enqueued_at=now):
            send_run_task(run.pk, queue=run.queue)
            reaped.resent.append(run.pk)


@transaction.atomic
def _fail_lost_run(run: Run, *, stale, now, reaped: Reaped) -> None:
    """Fail a run whose worker is gone (unless it beat meanwhile), then retry or announce it."""
    error = (f"The worker {run.worker} stopped answering during {run.phase or 'start-up'} "
             f"(last heartbeat {run.heartbeat_at:%H:%M:%S} UTC); Terraform there was stopped with it.")
    if not _move(run, RunStatus.FAILED, where={"heartbeat_at__lt": stale}, finished_at=now, error=error,
                 failure_cause=LOST_WORKER_CAUSE):
        return
    reaped.lost.append(run.pk)
    if run.pgid and _kill_leftovers(run):  # before a new attempt may start
        reaped.killed_groups.append(run.pgid)
    retry = schedule_retry(run=run)
    if retry is None:
        transaction.on_commit(lambda: announce_end(run))
        _send_next_of_workspace(run.workspace_id)
    else:
        reaped.retried.append(retry.pk)


def _kill_leftovers(run: Run) -> bool:
    """Kill what is left of the run's process group if it ran on this host and is Terraform's."""
    host = run.worker.rsplit(":", 1)[0]
    if host != socket.gethostname() or not terraform_processes(run.pgid):
        return False
    log.warning("reaper: killing leftover Terraform process group %s of run %s", run.pgid, run.pk)
    return kill_process_group(run.pgid)
