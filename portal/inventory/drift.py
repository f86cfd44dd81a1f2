"""Drift of provisioned resources: periodic checks, what they found, reconcile or accept.

A ``drift_check`` run plans the item against the cloud (provisioning.drift) and changes nothing;
a drift check that finds drift still succeeds — what it found lives here, on the resource
(``drift_status``, ``drift_summary``). The team then either *reconciles* (an apply of the item
with purpose ``reconcile``: the cloud goes back to the declared values; the request's status is
never touched and a failure compensates nothing) or *accepts* the drift (kept, audited; a later
check that finds a different drift flags it again).

Only Terraform resources are checked (the directory engine reconciles its groups itself).
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from .models import ProvisionedResource

Drift = ProvisionedResource.DriftStatus
DRIFT_ENGINES = ("terraform",)


def has_drift_check(resource: ProvisionedResource) -> bool:
    return resource.template_version.engine in DRIFT_ENGINES


# -- reads ------------------------------------------------------------------------------------
def due_for_drift_check(*, now=None, every: timedelta | None = None):
    """Active Terraform resources not checked (nor created) within ``every`` and with no run
    queued or running on their item, longest unchecked first."""
    from provisioning.models import ACTIVE_RUN_STATES, Run

    now = now or timezone.now()
    every = every if every is not None else timedelta(hours=settings.PORTAL_DRIFT_CHECK_HOURS)
    busy = Run.objects.filter(status__in=ACTIVE_RUN_STATES).values("item_id")
    return (ProvisionedResource.objects.filter(status=ProvisionedResource.Status.ACTIVE,
                                               template_version__engine__in=DRIFT_ENGINES)
            .annotate(checked=Coalesce("last_drift_check_at", "created_at"))
            .filter(checked__lt=now - every).exclude(item_id__in=busy)
            .order_by(F("last_drift_check_at").asc(nulls_first=True), "pk"))


def drift_runs(resource: ProvisionedResource) -> tuple:
    """``(active run on the item or None, newest drift check or None)`` for the drift panel."""
    from provisioning.models import ACTIVE_RUN_STATES, Run

    runs = Run.objects.filter(item_id=resource.item_id)
    return (runs.filter(status__in=ACTIVE_RUN_STATES).order_by("-pk").first(),
            runs.filter(action=Run.Action.DRIFT_CHECK).order_by("-pk").first())


def drift_runs_of(resources) -> dict[int, tuple]:
    """:func:`drift_runs` for many resources in two queries (a page of the team dashboard)."""
    from provisioning.models import ACTIVE_RUN_STATES, Run

    items = {r.item_id: r.pk for r in resources}
    found = dict.fromkeys(items.values(), (None, None))
    active = {}
    for run in Run.objects.filter(item_id__in=items, status__in=ACTIVE_RUN_STATES).order_by("pk"):
        active[run.item_id] = run  # the newest wins
    checks = {}
    for run in Run.objects.filter(item_id__in=items, action=Run.Action.DRIFT_CHECK).order_by("pk"):
        checks[run.item_id] = run
    for item_id, pk in items.items():
        found[pk] = (active.get(item_id), checks.get(item_id))
    return found


def drift_key(summary: dict | None) -> str:
    """What makes two drifts the same: the resources, their actions and the attributes that differ."""
    resources = [{k: r.get(k) for k in ("address", "actions", "attributes")}
                 for r in (summary or {}).get("resources", [])]
    return json.dumps(sorted(resources, key=lambda r: r["address"]), sort_keys=True)


# -- writes -----------------------------------------------------------------------------------
def locked_for_drift(resource: ProvisionedResource, actor, *, verb: str) -> ProvisionedResource:
    """The resource, row-locked, after checking ``actor`` may operate it (the owning team's rule)."""
    from portal.teams.permissions import may_act_for_team

    resource = ProvisionedResource.objects.select_for_update(of=("self",)).select_related(
        "team", "item__request__team", "template_version").get(pk=resource.pk)
    if actor is not None and not may_act_for_team(actor, resource.team):
        raise PermissionDenied(f"Only the owning team or an admin can {verb} {resource.name}.")
    if resource.status != ProvisionedResource.Status.ACTIVE:
        raise ApplicationError(f"{resource.name} does not exist any more.")
    if not has_drift_check(resource):
        raise ApplicationError(f"{resource.name} is not managed by Terraform: the portal does not check it for drift.")
    return resource


def refuse_when_busy(resource: ProvisionedResource) -> None:
    from provisioning.models import ACTIVE_RUN_STATES, Run

    run = Run.objects.filter(item_id=resource.item_id, status__in=ACTIVE_RUN_STATES).first()
    if run is not None:
        raise ApplicationError(f"A {run.get_action_display().lower()} run of {resource.name} is already queued or "
                               "running; try again when it has finished.")


@transaction.atomic
def accept_drift(*, resource: ProvisionedResource, actor) -> ProvisionedResource:
    """The team keeps the cloud as it is now; a different drift found later is flagged again."""
    resource = locked_for_drift(resource, actor, verb="accept the drift of")
    if resource.drift_status != Drift.DRIFTED:
        raise ApplicationError(f"{resource.name} has no drift to accept"
                               + (" (it is accepted already)." if resource.drift_status == Drift.ACCEPTED else "."))
    refuse_when_busy(resource)
    resource.drift_status = Drift.ACCEPTED
    resource.drift_accepted_by, resource.drift_accepted_at = actor, timezone.now()
    resource.save(update_fields=["drift_status", "drift_accepted_by", "drift_accepted_at", "updated_at"])
    record_event(actor=actor, verb="resource.drift_accepted", target=resource.item.request,
                 data={"resource": resource.pk, "name": resource.name, "summary": resource.drift_summary})
    return resource


# -- outcomes (the fulfilment loop settles drift checks and reconciles here) ----------------------------
def record_drift_check(*, run) -> None:
    """A drift check ended for good: record what it found on the resource. An outcome older than what
    the resource already knows changes nothing."""
    from provisioning.models import RunStatus

    resource = _resource_of(run)
    if resource is None:
        return
    request = run.item.request
    if run.status != RunStatus.SUCCEEDED or run.plan_summary is None:  # failed, or an engine without a check
        _set(resource, last_drift_check_at=run.finished_at)
        return
    summary = run.plan_summary
    drifted = bool(summary.get("add") or summary.get("change") or summary.get("destroy"))
    if not drifted:
        was = resource.drift_status
        _set(resource, last_drift_check_at=run.finished_at, **_in_sync())
        if was in (Drift.DRIFTED, Drift.ACCEPTED):
            record_event(actor=None, verb="resource.drift_gone", target=request,
                         data={"run": run.pk, "resource": resource.pk, "name": resource.name})
        return
    known = resource.drift_status in (Drift.DRIFTED, Drift.ACCEPTED)
    if known and drift_key(resource.drift_summary) == drift_key(summary):  # the same drift: accepted stays so
        _set(resource, last_drift_check_at=run.finished_at, drift_summary=summary)
        return
    _set(resource, last_drift_check_at=run.finished_at, drift_status=Drift.DRIFTED, drift_summary=summary,
         drift_detected_at=run.finished_at, drift_accepted_by=None, drift_accepted_at=None)
    record_event(actor=None, verb="resource.drift_detected", target=request,
                 data={"run": run.pk, "resource": resource.pk, "name": resource.name,
                       "resources": ", ".join(r["address"] for r in summary.get("resources", []))})


def record_reconcile(*, run) -> None:
    """A reconcile apply ended for good: back to the declared values (in sync), or why not."""
    from provisioning.models import RunStatus

    from .services import record_resource

    resource = _resource_of(run)
    if resource is None:
        return
    request = run.item.request
    if run.status != RunStatus.SUCCEEDED:
        if run.status == RunStatus.FAILED:
            record_event(actor=None, verb="resource.reconcile_failed", target=request,
                         data={"run": run.pk, "resource": resource.pk, "name": resource.name, "error": run.error})
        return
    record_resource(item=run.item, outputs=run.outputs)
    _set(resource, last_drift_check_at=run.finished_at, **_in_sync())
    record_event(actor=None, verb="resource.reconciled", target=request,
                 data={"run": run.pk, "resource": resource.pk, "name": resource.name})


def _resource_of(run) -> ProvisionedResource | None:
    """The run's active resource, locked; None when it is gone, the run was cancelled, or a later check
    already knows better."""
    from provisioning.models import RunStatus

    resource = ProvisionedResource.objects.select_for_update().filter(
        item_id=run.item_id, status=ProvisionedResource.Status.ACTIVE).first()
    if resource is None or run.status == RunStatus.CANCELLED or run.finished_at is None:
        return None
    if resource.last_drift_check_at and resource.last_drift_check_at >= run.finished_at:
        return None
    return resource


def applied_as_declared(*, item, at) -> None:
    """An apply of the item's declared values succeeded (a change of values): the cloud matches them."""
    ProvisionedResource.objects.filter(item=item, status=ProvisionedResource.Status.ACTIVE).update(
        updated_at=timezone.now(), last_drift_check_at=at, **_in_sync())


def _in_sync() -> dict:
    return {"drift_status": Drift.IN_SYNC, "drift_summary": None, "drift_detected_at": None,
            "drift_accepted_by": None, "drift_accepted_at": None}


def _set(resource: ProvisionedResource, **fields) -> None:
    ProvisionedResource.objects.filter(pk=resource.pk).update(updated_at=timezone.now(), **fields)
