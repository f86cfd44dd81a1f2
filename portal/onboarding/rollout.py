"""Provisioning an approved request: items one at a time in dependency order, and what happens
when one fails — compensation (destroy what this request made, in reverse order) unless
``PORTAL_KEEP_FAILED_RESOURCES``, cancel, and retry from the failed item.

The request is ``failed`` as soon as an item fails; the clean-up then runs while it is failed
(``cleaning_up``), and retry waits until it has finished.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from .bundles import in_provisioning_order
from .models import OnboardingRequest, RequestItem, RequestKind, RequestStatus
from .permissions import can_operate_request

Item = RequestItem.Status


def _items(request) -> list[RequestItem]:
    return in_provisioning_order(request.items.select_related("template_version__template"))


def provision_next_item(request: OnboardingRequest, *, actor) -> bool:
    """Queue the apply of the first pending item in dependency order; False if none is left."""
    from provisioning.services import queue_run

    item = next((item for item in _items(request) if item.status == Item.PENDING), None)
    if item is None:
        return False
    RequestItem.objects.filter(pk=item.pk).update(status=Item.PROVISIONING)
    queue_run(item=item, action="apply", actor=actor)
    return True


def settle_run(*, run) -> None:
    """An apply or destroy run of an item ended for good (no retry follows): move on."""
    if run.change_id or run.purpose == run.Purpose.EXPIRY:
        from .changes import settle_change_run

        OnboardingRequest.objects.select_for_update().get(pk=run.item.request_id)  # the same lock order
        return settle_change_run(run=run)
    request = OnboardingRequest.objects.select_for_update().get(pk=run.item.request_id)
    if run.action == run.Action.APPLY:
        _settle_apply(request, run)
    elif run.action == run.Action.DESTROY:
        _settle_destroy(request, run)


def _settle_apply(request: OnboardingRequest, run) -> None:
    from portal.inventory.services import record_resource
    from provisioning.models import RunStatus

    from .services import _transition

    item, succeeded = run.item, run.status == RunStatus.SUCCEEDED
    if not RequestItem.objects.filter(pk=item.pk, status=Item.PROVISIONING).update(
            status=Item.ACTIVE if succeeded else Item.FAILED):
        return  # settled already (the reaper after a slow worker, or a cancel)
    if succeeded:
        record_resource(item=item, outputs=run.outputs)
        if request.status == RequestStatus.PROVISIONING and not provision_next_item(request, actor=None):
            _transition(request, RequestStatus.ACTIVE, actor=None)
        return
    if request.status != RequestStatus.PROVISIONING:
        return
    _transition(request, RequestStatus.FAILED, actor=None)
    record_event(actor=None, verb="request.item_failed", target=request,
                 data={"item": item.pk, "name": str(item), "error": run.error})
    if settings.PORTAL_KEEP_FAILED_RESOURCES:
        record_event(actor=None, verb="request.resources_kept", target=request,
                     data={"reason": "PORTAL_KEEP_FAILED_RESOURCES is on (keep for debugging)"})
    else:
        _compensate_next(request)


def _settle_destroy(request: OnboardingRequest, run) -> None:
    from portal.inventory.services import record_destroyed
    from provisioning.models import Run, RunStatus

    item = run.item
    if run.status != RunStatus.SUCCEEDED:
        record_event(actor=None, verb="request.cleanup_failed", target=request,
                     data={"item": item.pk, "name": str(item), "error": run.error})
        return  # stop here: what is left stays recorded as existing, for a person to look at
    if not RequestItem.objects.filter(pk=item.pk, status__in=[Item.ACTIVE, Item.FAILED]).update(
            status=Item.DESTROYED):
        return  # settled already
    record_destroyed(item=item)
    if run.purpose == Run.Purpose.COMPENSATION:
        _compensate_next(request)


def _compensate_next(request: OnboardingRequest) -> bool:
    """Queue the destroy of the last item (in dependency order) that may hold resources."""
    from provisioning.models import Run
    from provisioning.services import queue_run

    left = [item for item in reversed(_items(request)) if item.status in (Item.ACTIVE, Item.FAILED)]
    if not left:
        record_event(actor=None, verb="request.cleaned_up", target=request)
        return False
    queue_run(item=left[0], action=Run.Action.DESTROY, purpose=Run.Purpose.COMPENSATION, actor=None)
    return True


def _locked(request: OnboardingRequest, actor) -> OnboardingRequest:
    if not can_operate_request(actor, request):
        raise PermissionDenied("Only the requesting team or an admin can do this.")
    return OnboardingRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def cancel_provisioning(*, request: OnboardingRequest, actor) -> int:
    """Cancel the request's queued or running runs but plan previews: an apply or destroy counts as a
    failure of its item (so compensation follows unless resources are kept); a drift check or an
    upgrade branch just stops. Returns how many were cancelled."""
    from provisioning.models import ACTIVE_RUN_STATES, Run
    from provisioning.services import cancel_run

    request = _locked(request, actor)
    runs = Run.objects.filter(_runs_of(request), status__in=ACTIVE_RUN_STATES).exclude(
        action=Run.Action.PLAN).select_related("item")  # the same runs has_active_runs shows a cancel button for
    cancelled = [run for run in runs if cancel_run(run=run, actor=actor)]
    if not cancelled:
        raise ApplicationError("Nothing is running for this request any more.")
    for run in cancelled:
        settle_run(run=run)
    return len(cancelled)


@transaction.atomic
def retry_provisioning(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """Provision a failed request again, from its first item that does not exist (the failed one,
    or the first destroyed by the clean-up); existing items are kept."""
    from .services import _transition

    request = _locked(request, actor)
    if request.status != RequestStatus.FAILED:
        raise ApplicationError("Only a failed request can be retried.")
    if is_cleaning_up(request):
        raise ApplicationError("The clean-up of this request is still running; retry when it has finished.")
    if request.kind != RequestKind.NEW:
        from .changes import retry_changes

        return retry_changes(request=request, actor=actor)
    RequestItem.objects.filter(request=request, status__in=[Item.FAILED, Item.DESTROYED]).update(status=Item.PENDING)
    _transition(request, RequestStatus.PROVISIONING, actor=actor)
    record_event(actor=actor, verb="request.retried", target=request)
    if not provision_next_item(request, actor=actor):
        _transition(request, RequestStatus.ACTIVE, actor=actor)
    return request


# -- reads for the request page ---------------------------------------------------------------
def _runs_of(request: OnboardingRequest):
    """Runs on the request's own items, or (a change request) the runs carrying out its changes."""
    return Q(change__request=request) if request.kind != RequestKind.NEW else Q(item__request=request)


def has_active_runs(request: OnboardingRequest) -> bool:
    from provisioning.models import ACTIVE_RUN_STATES, Run

    return Run.objects.filter(_runs_of(request), status__in=ACTIVE_RUN_STATES).exclude(
        action=Run.Action.PLAN).exists()


def is_cleaning_up(request: OnboardingRequest) -> bool:
    """A destroy (or an apply) of the request is still going: a retry has to wait for it."""
    from provisioning.models import ACTIVE_RUN_STATES, Run

    return Run.objects.filter(_runs_of(request), status__in=ACTIVE_RUN_STATES,
                              action__in=[Run.Action.APPLY, Run.Action.DESTROY]).exists()


def failed_item(request: OnboardingRequest):
    """``(item, run)`` of the apply whose failure failed the request, or ``None``."""
    from provisioning.models import Run, RunStatus

    if request.status != RequestStatus.FAILED:
        return None
    actions = [Run.Action.APPLY] if request.kind == RequestKind.NEW else [Run.Action.APPLY, Run.Action.DESTROY]
    run = (Run.objects.filter(_runs_of(request), action__in=actions,
                              status__in=[RunStatus.FAILED, RunStatus.CANCELLED])
           .exclude(purpose=Run.Purpose.RECONCILE)
           .select_related("item__template_version__template").order_by("-finished_at", "-pk").first())
    return (run.item, run) if run else None
