"""Work on what already exists, outside any request: lifetimes ending, drift checks, reconciles, repo
upgrades. Each is a run queued with its snapshot through the same path as a request's runs, and
settled by the fulfilment loop (services.fulfilment.settle_run), which calls the settlers here.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition
from portal.inventory.drift import (
    Drift,
    due_for_drift_check,
    locked_for_drift,
    record_drift_check,
    record_reconcile,
    refuse_when_busy,
)
from portal.inventory.models import POWER_TRANSITIONS, PowerState, ProvisionedResource
from portal.teams.permissions import may_act_for_team
from provisioning.models import ACTIVE_RUN_STATES, Run, RunStatus

from ..models import RequestKind
from ..snapshots import queue_item_run

Active = ProvisionedResource.Status.ACTIVE


# -- lifetimes ---------------------------------------------------------------------------------------------
@transaction.atomic
def destroy_expired(*, now=None) -> list[Run]:
    """Queue a destroy run for each expired resource that may go now (no run going, no extension in
    review, no recent failed expiry); returns those runs."""
    from .changes import open_change_for

    now, runs = now or timezone.now(), []
    retry_after = now - timedelta(hours=settings.PORTAL_EXPIRY_RETRY_HOURS)
    expired = (ProvisionedResource.objects.select_for_update(of=("self",))
               .select_related("team", "item__request__team", "item__template_version__template")
               .filter(status=Active, expires_at__lte=now))
    for resource in expired:
        item = resource.item
        if Run.objects.filter(item=item, status__in=ACTIVE_RUN_STATES).exclude(action=Run.Action.PLAN).exists():
            continue
        if Run.objects.filter(item=item, purpose=Run.Purpose.EXPIRY, status=RunStatus.FAILED,
                              finished_at__gt=retry_after).exists():
            continue  # it failed lately: a person looks at it (the event says why); try again later
        pending = open_change_for(resource)
        if pending is not None and pending.kind == RequestKind.EXTEND:
            continue  # the team asked for more time; the approvers decide first
        run = queue_item_run(item=item, action=Run.Action.DESTROY, purpose=Run.Purpose.EXPIRY, actor=None)
        record_event(actor=None, verb="resource.expired", target=item.request,
                     data={"name": resource.name, "run": run.pk, "expired_at": resource.expires_at.isoformat()})
        runs.append(run)
    return runs


@transaction.atomic
def end_lifetime(*, resource: ProvisionedResource, actor, why: str) -> Run | None:
    """End ``resource``'s lifetime now (a dataset grant revoked in an access review; the caller decided who may):
    it expires now and its destroy is queued as the expiry's would be. None when a run of it is going: the
    periodic expiry check queues the destroy once that run ends."""
    resource = (ProvisionedResource.objects.select_for_update(of=("self",))
                .select_related("item__request__team", "item__template_version__template").get(pk=resource.pk))
    if resource.status != Active:
        raise ApplicationError(f"{resource.name} is gone already.")
    was, now = resource.expires_at, timezone.now()
    ProvisionedResource.objects.filter(pk=resource.pk).update(expires_at=now, updated_at=now)
    item = resource.item
    busy = Run.objects.filter(item=item, status__in=ACTIVE_RUN_STATES).exclude(action=Run.Action.PLAN).exists()
    run = None if busy else queue_item_run(item=item, action=Run.Action.DESTROY, purpose=Run.Purpose.EXPIRY,
                                           actor=actor)
    record_event(actor=actor, verb="resource.lifetime_ended", target=item.request, data={
        "name": resource.name, "why": why, "was": was.isoformat() if was else None, "run": run.pk if run else None})
    return run


def settle_expiry(run: Run) -> None:
    from .fulfilment import item_destroyed

    if run.status == RunStatus.SUCCEEDED:
        item_destroyed(run.item, actor=None)
    elif run.status == RunStatus.FAILED:
        record_event(actor=None, verb="resource.expiry_failed", target=run.item.request,
                     data={"run": run.pk, "name": str(run.item), "error": run.error})


# -- drift ---------------------------------------------------------------------------------------------------
@transaction.atomic
def request_drift_check(*, resource: ProvisionedResource, actor) -> Run:
    """Queue a drift check now ("Check drift now"; ``actor`` None: the periodic check)."""
    resource = locked_for_drift(resource, actor, verb="check")
    refuse_when_busy(resource)
    return queue_item_run(item=resource.item, action=Run.Action.DRIFT_CHECK, actor=actor)


def queue_due_drift_checks(*, now=None, every: timedelta | None = None, limit: int | None = None) -> list[Run]:
    """Queue a drift check for each resource due one (beat, ``manage.py check_drift``); one that became
    busy meanwhile is skipped. Returns the runs."""
    queued = []
    for resource in due_for_drift_check(now=now, every=every)[:limit]:
        try:
            queued.append(request_drift_check(resource=resource, actor=None))
        except ApplicationError:
            continue  # a run started or the resource went away since the query
    return queued


@transaction.atomic
def reconcile_drift(*, resource: ProvisionedResource, actor) -> Run:
    """Queue an apply of the item with its declared values: the cloud goes back to them."""
    resource = locked_for_drift(resource, actor, verb="reconcile")
    if resource.drift_status not in (Drift.DRIFTED, Drift.ACCEPTED):
        raise ApplicationError(f"{resource.name} has no drift to reconcile.")
    refuse_when_busy(resource)
    run = queue_item_run(item=resource.item, action=Run.Action.APPLY, purpose=Run.Purpose.RECONCILE, actor=actor)
    record_event(actor=actor, verb="resource.reconcile_requested", target=resource.item.request,
                 data={"run": run.pk, "resource": resource.pk, "name": resource.name})
    return run


def settle_drift_check(run: Run) -> None:
    record_drift_check(run=run)


def settle_reconcile(run: Run) -> None:
    record_reconcile(run=run)


# -- repos behind their template --------------------------------------------------------------------------------
@transaction.atomic
def request_repo_upgrade(*, resource: ProvisionedResource, actor) -> Run:
    """Queue an ``upgrade`` run that pushes a branch moving a repo behind its template to the newest
    published version; the team merges it (or resolves the listed conflicts) itself."""
    from portal.inventory.selectors import repos_behind

    if not may_act_for_team(actor, resource.team):
        raise PermissionDenied("Only the owning team or an admin can upgrade this repository.")
    resource = ProvisionedResource.objects.select_for_update(of=("self",)).select_related(
        "template_version__template", "item__request__team", "item__template_version__template").get(pk=resource.pk)
    if resource.status != Active or not repos_behind([resource]):
        raise ApplicationError(f"{resource.name} is not behind its template: there is nothing to upgrade.")
    if Run.objects.filter(item=resource.item, action=Run.Action.UPGRADE, status__in=ACTIVE_RUN_STATES).exists():
        raise ApplicationError(f"An upgrade of {resource.name} is already queued or running.")
    run = queue_item_run(item=resource.item, action=Run.Action.UPGRADE, actor=actor)
    record_event(actor=actor, verb="resource.upgrade_requested", target=resource.item.request,
                 data={"run": run.pk, "resource": resource.pk, "name": resource.name,
                       "from": resource.outputs.get("scaffold_version")})
    return run


# -- stopping and starting VMs (idle GPUs, office hours) ---------------------------------------------------------
POWERED_KINDS = ("cpu_vm", "gpu_vm")


@transaction.atomic
def queue_power_run(*, resource: ProvisionedResource, state: str, actor, reason: str) -> Run:
    """Queue an apply of the VM declaring ``instance_state`` = ``state``: stopping and starting are declared
    state applied by the engine (drift stays honest), never a side call to the cloud. ``actor`` None: the portal
    (idle policy, schedule)."""
    if state not in PowerState.values:
        raise ApplicationError("A machine is either running or stopped.")
    resource = ProvisionedResource.objects.select_for_update(of=("self",)).select_related(
        "team", "item__request__team", "item__template_version__template").get(pk=resource.pk)
    if actor is not None and not may_act_for_team(actor, resource.team):
        raise PermissionDenied("Only the owning team or an admin can stop or start this machine.")
    if resource.status != Active or resource.kind not in POWERED_KINDS:
        raise ApplicationError(f"{resource.name} is not a machine that can be stopped or started.")
    if resource.power_state == state:
        raise ApplicationError(f"{resource.name} is already {state}.")
    if Run.objects.filter(item=resource.item, status__in=ACTIVE_RUN_STATES).exclude(action=Run.Action.PLAN).exists():
        raise ApplicationError(f"{resource.name} has a run queued or going; try again when it ends.")
    run = queue_item_run(item=resource.item, action=Run.Action.APPLY, purpose=Run.Purpose.POWER, actor=actor,
                         values={**resource.item.values, "instance_state": state})
    record_event(actor=actor, verb="resource.stop_requested" if state == "stopped" else "resource.start_requested",
                 target=resource.item.request, data={"run": run.pk, "resource": resource.pk, "name": resource.name,
                                                     "reason": reason})
    return run


def settle_power(run: Run) -> None:
    """A power run ended: on success the machine declares the new state (later applies and drift checks keep it)."""
    state = run.variables.get("instance_state", PowerState.RUNNING)
    resource = ProvisionedResource.objects.select_for_update().filter(item=run.item).first()
    if run.status == RunStatus.SUCCEEDED and resource is not None:
        transition(resource, state, transitions=POWER_TRANSITIONS, field="power_state", actor=None,
                   verb="resource.stopped" if state == "stopped" else "resource.started", target=run.item.request,
                   data={"run": run.pk, "name": resource.name}, strict=False)
    elif run.status == RunStatus.FAILED:
        record_event(actor=None, verb="resource.power_failed", target=run.item.request,
                     data={"run": run.pk, "name": str(run.item), "state": state, "error": run.error})
