"""The reaper: runs whose worker stopped heartbeating are failed and retried (or settled),
queued runs whose task message was lost are sent again, and runs that ended while their item
never heard of it (the worker died between the two commits) are settled. Beat calls it periodically
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

from .models import TERMINAL_RUN_STATES, Run, RunStatus
from .runners.terraform import kill_process_group, terraform_processes
from .services import schedule_retry, send_run_task

log = logging.getLogger(__name__)


@dataclass
class Reaped:
    lost: list[int] = field(default_factory=list)  # runs whose worker died
    retried: list[int] = field(default_factory=list)  # new attempts queued for them
    resent: list[int] = field(default_factory=list)  # queued runs whose task was sent again
    killed_groups: list[int] = field(default_factory=list)  # leftover process groups killed here
    settled: list[int] = field(default_factory=list)  # ended runs whose outcome was never recorded


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
    for run in _forgotten_runs(ended_before=stale):
        _settle(run, reaped)
    if reaped.lost or reaped.resent or reaped.settled:
        log.warning("reaper: %s", reaped)
    return reaped


def _forgotten_runs(*, ended_before):
    """Applies that ended for good while their item still says provisioning, destroys (clean-up,
    decommission, expiry) that succeeded while their item still says it exists, and steps of change
    requests still marked running — unless a later run of the item took over; drift checks and
    reconciles their resource never heard of."""
    from portal.inventory.drift import forgotten_drift_runs
    from portal.onboarding.models import RequestItem

    ended = Run.objects.filter(finished_at__lt=ended_before, retried_by__isnull=True).select_related("item")
    applies = ended.filter(action=Run.Action.APPLY, status__in=TERMINAL_RUN_STATES,
                           item__status=RequestItem.Status.PROVISIONING)
    destroys = ended.filter(action=Run.Action.DESTROY, status=RunStatus.SUCCEEDED,
                            purpose__in=[Run.Purpose.COMPENSATION, Run.Purpose.DECOMMISSION, Run.Purpose.EXPIRY],
                            item__status__in=[RequestItem.Status.ACTIVE, RequestItem.Status.FAILED])
    changes = ended.filter(action__in=[Run.Action.APPLY, Run.Action.DESTROY], status__in=TERMINAL_RUN_STATES,
                           change__status="running")  # a change request's step nobody went on from
    for run in {run.pk: run for run in [*applies, *destroys, *changes]}.values():
        if not Run.objects.filter(item=run.item, pk__gt=run.pk).exclude(action=Run.Action.PLAN).exists():
            yield run
    yield from forgotten_drift_runs(ended_before=ended_before)  # drift checks and reconciles


@transaction.atomic
def _settle(run: Run, reaped: Reaped) -> None:
    from portal.onboarding.services import record_item_outcome

    record_item_outcome(run=run)  # idempotent: a second settle of the same run does nothing
    reaped.settled.append(run.pk)


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
