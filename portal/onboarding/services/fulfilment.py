"""The fulfilment loop: ONE place that starts work, takes the next step, settles a finished run,
compensates, retries and cancels — for new requests and change requests alike.

- A new request provisions its items one at a time in dependency order (onboarding.bundles); when
  one fails, what the request created is destroyed last-first (compensation) unless
  ``PORTAL_KEEP_FAILED_RESOURCES``; retry resumes from the first item that does not exist.
- A change request carries out its changes one at a time: decommission (destroy runs, a directory
  group after what uses it), modify (an apply with the new values), extend (no run).
- Runs on what exists without a request (expiry, drift checks, reconciles, repo upgrades) are queued
  by services.upkeep and settled here too.

How a run ended reaches the portal through ``provisioning.signals.run_ended`` (onboarding.receivers)
or, for a cancel, from here; :func:`settle_run` acts on it exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition
from provisioning.models import ACTIVE_RUN_STATES, Run, RunStatus
from provisioning.services import cancel_run, claim_settlement

from .. import notices
from ..bundles import MissingInput, in_provisioning_order
from ..models import TRANSITIONS, OnboardingRequest, RequestItem, RequestKind, RequestStatus, ResourceChange
from ..permissions import can_operate_request
from ..quotas import reserve_quota
from ..snapshots import queue_item_run
from .requests import move_request

Item, Change = RequestItem.Status, ResourceChange.Status


# -- the doors of items and changes -----------------------------------------------------------------
def move_item(item: RequestItem, to: str, *, actor=None, **fields) -> bool:
    """``item`` → ``to`` if its TRANSITIONS allow it and nobody moved it first (False: settled already)."""
    return transition(item, to, transitions=RequestItem.TRANSITIONS, actor=actor, verb=f"item.{to}",
                      target=item.request, data={"item": item.pk, "name": str(item)}, strict=False, **fields)


def move_change(change: ResourceChange, to: str, *, actor=None, **fields) -> bool:
    return transition(change, to, transitions=ResourceChange.TRANSITIONS, actor=actor, verb=f"change.{to}",
                      target=change.request, data={"change": change.pk, "name": str(change.item)}, strict=False,
                      **fields)


def _locked(request_pk: int) -> OnboardingRequest:
    return OnboardingRequest.objects.select_for_update(of=("self",)).get(pk=request_pk)


def _items(request) -> list[RequestItem]:
    return in_provisioning_order(request.items.select_related("template_version__template", "request__team"))


# -- previews for approvers ---------------------------------------------------------------------------
def queue_previews(request: OnboardingRequest, *, actor) -> list[Run]:
    """A plan per Terraform item (or per change of one), on the previews queue, so approvers see what
    would be created, changed or destroyed; the approved apply applies that plan. An item fed by an
    earlier item (a CI pipeline by its repo) is planned when that one exists."""
    runs = []
    if request.kind == RequestKind.NEW:
        for item in _items(request):
            if item.template_version.engine != "terraform":
                continue
            try:
                runs.append(queue_item_run(item=item, action=Run.Action.PLAN, actor=actor))
            except MissingInput as waiting:
                record_event(actor=None, verb="request.preview_later", target=request,
                             data={"item": item.pk, "name": str(item), "why": str(waiting)})
        return runs
    purpose = {RequestKind.MODIFY: Run.Purpose.MODIFY, RequestKind.DECOMMISSION: Run.Purpose.DECOMMISSION}
    if request.kind in purpose:
        for change in request.changes.select_related("resource__item__template_version__template"):
            if change.item.template_version.engine == "terraform":
                runs.append(queue_item_run(item=change.item, action=Run.Action.PLAN, purpose=purpose[request.kind],
                                           change=change, values=change.values, actor=actor))
    return runs


def cancel_previews(request: OnboardingRequest, *, actor) -> int:
    """Previews nobody will look at (rejected, sent back, withdrawn, edited) that have not started."""
    queued = Run.objects.filter(_runs_of(request), action=Run.Action.PLAN, status=RunStatus.QUEUED)
    return sum(cancel_run(run=run, actor=actor, reason="Not needed any more: the review ended.") for run in queued)


# -- starting and the next step -------------------------------------------------------------------------
@transaction.atomic
def start_fulfilment(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """The request was approved (inside that transaction): reserve its quota and queue its first run."""
    if request.kind in (RequestKind.NEW, RequestKind.MODIFY):
        reserve_quota(request=request)  # locks the team's quota row until this transaction ends
    move_request(request, RequestStatus.PROVISIONING, actor=actor)
    if request.kind == RequestKind.DECOMMISSION:
        _mark_origins_decommissioning(request, actor=actor)
    _next_step(request, actor=actor)
    return request


def _next_step(request: OnboardingRequest, *, actor) -> None:
    """Queue the request's next run, or conclude the request when nothing is left to do."""
    if request.kind == RequestKind.NEW:
        item = next((item for item in _items(request) if item.status == Item.PENDING), None)
        if item is None:
            if move_request(request, RequestStatus.ACTIVE, actor=actor):
                notices.request_active(request)
            return
        move_item(item, Item.PROVISIONING, actor=actor)
        try:
            queue_item_run(item=item, action=Run.Action.APPLY, actor=actor)
        except MissingInput as missing:  # nothing to run: the item fails as its apply would
            move_item(item, Item.FAILED, actor=None)
            _provisioning_failed(request, item, str(missing))
        return
    for change in request.changes.filter(status=Change.PENDING).select_related(
            "request", "resource__item__template_version__template", "resource__item__request__team"):
        if request.kind == RequestKind.EXTEND:
            _extend(change, actor=actor)
            continue
        move_change(change, Change.RUNNING, actor=actor, error="")
        if request.kind == RequestKind.DECOMMISSION:
            queue_item_run(item=change.item, action=Run.Action.DESTROY, purpose=Run.Purpose.DECOMMISSION,
                           change=change, actor=actor)
        else:
            queue_item_run(item=change.item, action=Run.Action.APPLY, purpose=Run.Purpose.MODIFY, change=change,
                           values=change.values, actor=actor)
        return
    move_request(request, RequestStatus.COMPLETED, actor=actor)


def _mark_origins_decommissioning(request: OnboardingRequest, *, actor) -> None:
    """A request all of whose remaining items go away with this one is decommissioning."""
    targeted = set(request.changes.values_list("resource__item_id", flat=True))
    for origin in OnboardingRequest.objects.filter(items__pk__in=targeted).distinct():
        left = set(origin.items.filter(status=Item.ACTIVE).values_list("pk", flat=True))
        if left <= targeted and RequestStatus.DECOMMISSIONING in TRANSITIONS[origin.status]:
            move_request(origin, RequestStatus.DECOMMISSIONING, actor=actor)


def _extend(change: ResourceChange, *, actor) -> None:
    from datetime import timedelta

    from portal.inventory.models import ProvisionedResource

    resource = ProvisionedResource.objects.select_for_update().get(pk=change.resource_id)
    start = max(resource.expires_at or timezone.now(), timezone.now())
    previous, resource.expires_at = resource.expires_at, start + timedelta(days=change.extend_days)
    resource.expiry_warned_days = None  # warn again before the new date
    resource.save(update_fields=["expires_at", "expiry_warned_days", "updated_at"])
    move_change(change, Change.DONE, actor=actor, previous_expires_at=previous)
    record_event(actor=actor, verb="resource.extended", target=resource.item.request, data={
        "request": change.request_id, "name": resource.name, "days": change.extend_days,
        "expires_at": resource.expires_at.isoformat()})


# -- settling a finished run: the one function ---------------------------------------------------------
def settle_run(run: Run) -> None:
    """Act on how ``run`` ended — exactly once, whoever calls (the worker's announcement, the reaper's,
    a cancel): go on with the next step, record what exists or was found, clean up, or stop."""
    with transaction.atomic():
        run = Run.objects.select_related("item__request__team", "item__template_version__template",
                                         "change").get(pk=run.pk)
        _locked(run.change.request_id if run.change_id else run.item.request_id)  # lock order: the request first
        if not claim_settlement(run):
            return
        _settler(run)(run)


def _settler(run: Run):
    from .upkeep import settle_drift_check, settle_expiry, settle_power, settle_reconcile

    if run.action in (Run.Action.PLAN, Run.Action.UPGRADE):
        return lambda run: None  # a preview (the queue reads it) or a review branch: nothing changes
    if run.action == Run.Action.DRIFT_CHECK:
        return settle_drift_check
    if run.purpose == Run.Purpose.RECONCILE:
        return settle_reconcile
    if run.purpose == Run.Purpose.EXPIRY:
        return settle_expiry
    if run.purpose == Run.Purpose.POWER:
        return settle_power
    if run.change_id:
        return _settle_change
    if run.purpose == Run.Purpose.COMPENSATION:
        return _settle_compensation
    return _settle_provisioning


def _settle_provisioning(run: Run) -> None:
    from portal.inventory.services import record_resource

    item, request = run.item, _locked(run.item.request_id)
    if run.status == RunStatus.SUCCEEDED:
        if move_item(item, Item.ACTIVE):
            record_resource(item=item, outputs=run.outputs)
            if request.status == RequestStatus.PROVISIONING:
                _next_step(request, actor=None)
        return
    if move_item(item, Item.FAILED):
        _provisioning_failed(request, item, run.error)


def _provisioning_failed(request: OnboardingRequest, item: RequestItem, error: str) -> None:
    if request.status != RequestStatus.PROVISIONING:
        return
    move_request(request, RequestStatus.FAILED, actor=None)
    record_event(actor=None, verb="request.item_failed", target=request,
                 data={"item": item.pk, "name": str(item), "error": error})
    notices.request_failed(request, name=str(item), error=error)
    if settings.PORTAL_KEEP_FAILED_RESOURCES:
        record_event(actor=None, verb="request.resources_kept", target=request,
                     data={"reason": "PORTAL_KEEP_FAILED_RESOURCES is on (keep for debugging)"})
    else:
        _compensate_next(request)


def _settle_compensation(run: Run) -> None:
    from portal.inventory.services import record_destroyed

    item, request = run.item, _locked(run.item.request_id)
    if run.status != RunStatus.SUCCEEDED:
        record_event(actor=None, verb="request.cleanup_failed", target=request,
                     data={"item": item.pk, "name": str(item), "error": run.error})
        return  # stop here: what is left stays recorded as existing, for a person to look at
    if move_item(item, Item.DESTROYED):
        record_destroyed(item=item)
        _compensate_next(request)


def _compensate_next(request: OnboardingRequest) -> bool:
    """Queue the destroy of the last item (in dependency order) that may hold resources."""
    left = [item for item in reversed(_items(request)) if item.status in (Item.ACTIVE, Item.FAILED)]
    if not left:
        record_event(actor=None, verb="request.cleaned_up", target=request)
        notices.request_cleaned_up(request)
        return False
    queue_item_run(item=left[0], action=Run.Action.DESTROY, purpose=Run.Purpose.COMPENSATION, actor=None)
    return True


def _settle_change(run: Run) -> None:
    change = ResourceChange.objects.select_related("request", "resource__item__request").get(pk=run.change_id)
    request = change.request
    if change.status != Change.RUNNING:
        return  # a cancel or a retry moved on
    if run.status == RunStatus.SUCCEEDED:
        _change_done(change, run)
        if request.status == RequestStatus.PROVISIONING:
            _next_step(request, actor=None)
        return
    move_change(change, Change.FAILED, error=run.error)
    if move_request(request, RequestStatus.FAILED, actor=None, strict=False):
        notices.request_failed(request, name=str(change.item), error=run.error)
    record_event(actor=None, verb="request.change_failed", target=request,
                 data={"run": run.pk, "name": str(change.item), "error": run.error})
    origin = _locked(change.item.request_id)
    if origin.status == RequestStatus.DECOMMISSIONING:
        move_request(origin, RequestStatus.ACTIVE, actor=None)  # what is left stays, and is shown as such


def _change_done(change: ResourceChange, run: Run) -> None:
    from portal.inventory.drift import applied_as_declared
    from portal.inventory.services import record_resource

    item = change.item
    move_change(change, Change.DONE)
    if run.action == Run.Action.DESTROY:
        item_destroyed(item, actor=None)
        return
    RequestItem.objects.filter(pk=item.pk).update(values=change.values, updated_at=timezone.now())
    item.values = change.values
    record_resource(item=item, outputs=run.outputs)
    applied_as_declared(item=item, at=run.finished_at)  # an accepted drift is undone by this apply
    record_event(actor=None, verb="resource.modified", target=item.request, data={
        "request": change.request_id, "name": str(item), "from": change.previous_values, "to": change.values})


def item_destroyed(item: RequestItem, *, actor) -> None:
    """An item's resources are gone for good (decommission or expiry); its request is decommissioned
    once nothing of it is left."""
    from portal.inventory.services import record_destroyed

    if not move_item(item, Item.DESTROYED, actor=actor):
        return
    record_destroyed(item=item)
    origin = _locked(item.request_id)
    if origin.items.filter(status__in=[Item.ACTIVE, Item.PROVISIONING]).exists():
        return
    if origin.status in (RequestStatus.ACTIVE, RequestStatus.FAILED):
        move_request(origin, RequestStatus.DECOMMISSIONING, actor=actor)
    if origin.status == RequestStatus.DECOMMISSIONING and move_request(origin, RequestStatus.DECOMMISSIONED,
                                                                       actor=actor):
        notices.request_decommissioned(origin)


# -- what people do on the request page: cancel and retry --------------------------------------------------
def _operated(request: OnboardingRequest, actor) -> OnboardingRequest:
    if not can_operate_request(actor, request):
        raise PermissionDenied("Only the requesting team or an admin can do this.")
    return _locked(request.pk)


@transaction.atomic
def cancel_fulfilment(*, request: OnboardingRequest, actor) -> int:
    """Cancel the request's queued or running runs but previews: an apply or destroy counts as a failure
    of its step (so compensation follows unless resources are kept); a drift check or an upgrade
    branch just stops. Returns how many were cancelled."""
    request = _operated(request, actor)
    runs = Run.objects.filter(_runs_of(request), status__in=ACTIVE_RUN_STATES).exclude(action=Run.Action.PLAN)
    cancelled = [run for run in runs.order_by("pk") if cancel_run(run=run, actor=actor)]
    if not cancelled:
        raise ApplicationError("Nothing is running for this request any more.")
    for run in cancelled:
        settle_run(run)
    return len(cancelled)


@transaction.atomic
def retry_fulfilment(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """Carry out a failed request again: a new request from its first item that does not exist (the
    failed one, or the first one the clean-up destroyed; existing items are kept), a change request
    from its failed change."""
    request = _operated(request, actor)
    if request.status != RequestStatus.FAILED:
        raise ApplicationError("Only a failed request can be retried.")
    if is_cleaning_up(request):
        raise ApplicationError("The clean-up of this request is still running; retry when it has finished.")
    if request.kind == RequestKind.NEW:
        for item in request.items.filter(status__in=[Item.FAILED, Item.DESTROYED]).select_related("request"):
            move_item(item, Item.PENDING, actor=actor)
    else:
        for change in request.changes.filter(status=Change.FAILED).select_related("request", "resource__item"):
            move_change(change, Change.PENDING, actor=actor, error="")
    move_request(request, RequestStatus.PROVISIONING, actor=actor)
    record_event(actor=actor, verb="request.retried", target=request)
    if request.kind == RequestKind.DECOMMISSION:
        _mark_origins_decommissioning(request, actor=actor)
    _next_step(request, actor=actor)
    return request


# -- reads the request page needs -----------------------------------------------------------------------------
def _runs_of(request: OnboardingRequest):
    """Runs on the request's own items, or (a change request) the runs carrying out its changes."""
    from django.db.models import Q

    return Q(change__request=request) if request.kind != RequestKind.NEW else Q(item__request=request)


def has_active_runs(request: OnboardingRequest) -> bool:
    return Run.objects.filter(_runs_of(request), status__in=ACTIVE_RUN_STATES).exclude(
        action=Run.Action.PLAN).exists()


def is_cleaning_up(request: OnboardingRequest) -> bool:
    """A destroy (or an apply) of the request is still going: a retry has to wait for it."""
    return Run.objects.filter(_runs_of(request), status__in=ACTIVE_RUN_STATES,
                              action__in=[Run.Action.APPLY, Run.Action.DESTROY]).exists()


@dataclass(frozen=True)
class StepFailure:
    """Why a step failed when no run could say it (e.g. an input an earlier item never gave)."""

    error: str
    status: str = RunStatus.FAILED
    purpose: str = ""

    def get_purpose_display(self) -> str:
        return "Provision"


def failed_item(request: OnboardingRequest):
    """``(item, run)`` of the step whose failure failed the request, or ``None``."""
    if request.status != RequestStatus.FAILED:
        return None
    actions = [Run.Action.APPLY] if request.kind == RequestKind.NEW else [Run.Action.APPLY, Run.Action.DESTROY]
    run = (Run.objects.filter(_runs_of(request), action__in=actions,
                              status__in=[RunStatus.FAILED, RunStatus.CANCELLED])
           .exclude(purpose__in=[Run.Purpose.RECONCILE, Run.Purpose.COMPENSATION])
           .select_related("item__template_version__template").order_by("-finished_at", "-pk").first())
    if run is not None:
        return run.item, run
    from portal.audit.selectors import events_for

    event = events_for(request).filter(verb="request.item_failed").order_by("-created_at").first()
    if event is not None:
        item = request.items.filter(pk=event.data.get("item")).select_related("template_version__template").first()
        if item is not None:
            return item, StepFailure(event.data.get("error", ""))
    return None
