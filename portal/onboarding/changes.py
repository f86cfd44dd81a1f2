"""Change requests: decommission, lifetime extension and day-2 changes of resources that exist.

A change request is an OnboardingRequest of another kind whose ResourceChange rows say what
happens to which resource. It is routed, reviewed and decided like a new request (rules can tell
kinds apart with the ``request_kind`` fact); approvers see a plan of what would change or be
destroyed. Once approved it is carried out here, one change at a time:

- decommission: destroy runs in reverse dependency order (a directory group only after the repo and
  machines that use it); a request whose items are all gone becomes decommissioned.
- modify: an apply run with the new values; the item keeps them once it succeeds.
- extend: the expiry date moves on; no run.

A failed change fails the request; retry resumes from the failed change.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.catalog.validation import validate_values
from portal.core.errors import ApplicationError, PermissionDenied
from portal.teams.selectors import is_member

from .bundles import provisioning_rank
from .models import TRANSITIONS, OnboardingRequest, RequestItem, RequestKind, RequestStatus, ResourceChange
from .services import InvalidValues, _transition, submit_request

Change = ResourceChange.Status
# A change request still under way: a resource in one of them takes no second change.
OPEN_STATES = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.CHANGES_REQUESTED,
               RequestStatus.APPROVED, RequestStatus.PROVISIONING, RequestStatus.FAILED)
CLASSIFICATION_ORDER = ("public", "internal", "confidential", "restricted")


def may_change(user, team) -> bool:
    """Who may ask to change, extend or remove a team's resources: its members and platform admins."""
    from portal.accounts.roles import is_platform_admin

    return bool(getattr(user, "is_authenticated", False)) and (is_platform_admin(user) or is_member(user, team))


def open_change_for(resource) -> OnboardingRequest | None:
    change = (ResourceChange.objects.filter(resource=resource, request__status__in=OPEN_STATES)
              .exclude(status=Change.DONE).select_related("request").first())
    return change.request if change else None


# -- asking ---------------------------------------------------------------------------------
def _check_resources(actor, resources) -> None:
    from portal.inventory.models import ProvisionedResource

    if not resources:
        raise ApplicationError("There is nothing active to change.")
    for resource in resources:
        if not may_change(actor, resource.team):
            raise PermissionDenied(f"Only members of {resource.team} or an admin can change {resource.name}.")
        if resource.status != ProvisionedResource.Status.ACTIVE:
            raise ApplicationError(f"{resource.name} was destroyed already.")
        busy = open_change_for(resource)
        if busy is not None:
            raise ApplicationError(f"{resource.name} already has a change under way: request #{busy.pk} "
                                   f"({busy.get_kind_display().lower()}, {busy.get_status_display().lower()}).")


def _create(*, actor, kind: str, title: str, reason: str, resources, **change_fields) -> OnboardingRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why (the approvers read it).", field="reason")
    team = resources[0].team
    if any(resource.team_id != team.pk for resource in resources):
        raise ApplicationError("One change request covers the resources of one team.")
    origins = [resource.item.request for resource in resources]
    classification = max((origin.data_classification for origin in origins), key=CLASSIFICATION_ORDER.index)
    request = OnboardingRequest.objects.create(
        team=team, requester=actor, title=title[:200], kind=kind, business_justification=reason[:5000],
        data_classification=classification, cost_centre=origins[0].cost_centre)
    record_event(actor=actor, verb="request.created", target=request, data={"kind": kind})
    ordered = sorted(resources, key=lambda r: provisioning_rank(r.item), reverse=kind == RequestKind.DECOMMISSION)
    for position, resource in enumerate(ordered):
        ResourceChange.objects.create(request=request, resource=resource, position=position, **change_fields)
        record_event(actor=actor, verb="resource.change_requested", target=resource.item.request,
                     data={"request": request.pk, "kind": kind, "what": request.get_kind_display().lower(),
                           "resource": resource.pk, "name": resource.name})
    return submit_request(request=request, actor=actor)


def _active(resources) -> list:
    from portal.inventory.models import ProvisionedResource

    pks = [resource.pk for resource in resources]
    return list(ProvisionedResource.objects.select_for_update(of=("self",))
                .select_related("team", "item__request", "item__template_version__template")
                .filter(pk__in=pks).order_by("pk"))


@transaction.atomic
def request_decommission(*, actor, resources, reason: str, title: str = "") -> OnboardingRequest:
    """Ask to destroy ``resources`` (one team's) — one resource, a whole request, or a team's project."""
    resources = _active(resources)
    _check_resources(actor, resources)
    names = ", ".join(resource.name for resource in resources[:3]) + ("…" if len(resources) > 3 else "")
    return _create(actor=actor, kind=RequestKind.DECOMMISSION, title=title or f"Decommission {names}",
                   reason=reason, resources=resources)


@transaction.atomic
def request_offboarding(*, actor, team, reason: str) -> OnboardingRequest:
    """Offboard a team's project in one request: decommission everything it owns."""
    from portal.inventory.models import ProvisionedResource

    if not may_change(actor, team):
        raise PermissionDenied(f"Only members of {team} or an admin can offboard it.")
    resources = list(ProvisionedResource.objects.filter(team=team, status=ProvisionedResource.Status.ACTIVE))
    if not resources:
        raise ApplicationError(f"{team} owns nothing active: there is nothing to offboard.")
    return request_decommission(actor=actor, resources=resources, reason=reason, title=f"Offboard {team}")


@transaction.atomic
def request_extension(*, actor, resource, days, reason: str) -> OnboardingRequest:
    """Ask for ``days`` more of a resource's lifetime (a small request through approval)."""
    limit = settings.PORTAL_MAX_EXTENSION_DAYS
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ApplicationError("Give the number of days to add.", field="days") from None
    if not 1 <= days <= limit:
        raise ApplicationError(f"An extension adds between 1 and {limit} days.", field="days")
    [resource] = _active([resource])
    _check_resources(actor, [resource])
    if resource.expires_at is None:
        raise ApplicationError(f"{resource.name} does not expire: there is nothing to extend.")
    return _create(actor=actor, kind=RequestKind.EXTEND, title=f"Extend {resource.name} by {days} days",
                   reason=reason, resources=[resource], extend_days=days)


@transaction.atomic
def request_modification(*, actor, resource, values: dict, reason: str) -> OnboardingRequest:
    """Ask to change a resource's values (day-2); approvers see the plan of the change."""
    [resource] = _active([resource])
    _check_resources(actor, [resource])
    item = resource.item
    if item.template_version.engine != "terraform":
        raise ApplicationError(f"{item.template_version.template.name} resources cannot be changed in place; "
                               "request a new one and decommission this one.")
    errors = validate_values(item.template_version.parameter_schema, values)
    if errors:
        raise InvalidValues(errors)
    if values.get("name", item.values.get("name")) != item.values.get("name"):
        raise InvalidValues({"name": ["The name of an existing resource cannot change."]})
    if values == item.values:
        raise ApplicationError("Nothing changes: these are the values it has now.")
    return _create(actor=actor, kind=RequestKind.MODIFY, title=f"Change {resource.name}", reason=reason,
                   resources=[resource], values=values, previous_values=item.values)


def check_changes(request: OnboardingRequest) -> None:
    """At submit: the changes still make sense (modify: values valid, quota not exceeded)."""
    from portal.teams.quotas import check_quota

    changes = list(request.changes.select_related("resource__item__template_version__template"))
    if not changes:
        raise ApplicationError("A change request needs at least one resource.")
    for change in changes:
        if change.values is not None:
            errors = validate_values(change.item.template_version.parameter_schema, change.values)
            if errors:
                raise InvalidValues(errors)
            check_quota(team=request.team, items=[(change.item.template_version, change.values)],
                        exclude_items=[change.item.pk])


def plan_previews(request: OnboardingRequest, *, actor) -> None:
    """For approvers: a plan of each modify (new values) or decommission (destroy) of a Terraform item."""
    from provisioning.models import Run
    from provisioning.services import queue_run

    purpose = {RequestKind.MODIFY: Run.Purpose.MODIFY, RequestKind.DECOMMISSION: Run.Purpose.DECOMMISSION}
    if request.kind not in purpose:
        return
    for change in request.changes.select_related("resource__item__template_version"):
        if change.item.template_version.engine == "terraform":
            queue_run(item=change.item, action=Run.Action.PLAN, purpose=purpose[request.kind], change=change,
                      actor=actor)


# -- carrying out ---------------------------------------------------------------------------
def carry_out(*, request: OnboardingRequest, actor) -> None:
    """The change request was approved (inside that transaction): start its first change."""
    if request.kind == RequestKind.MODIFY:
        from portal.teams.quotas import reserve_quota

        reserve_quota(request=request)
    _transition(request, RequestStatus.PROVISIONING, actor=actor)
    if request.kind == RequestKind.DECOMMISSION:
        _mark_origins_decommissioning(request, actor=actor)
    if not _start_next_change(request, actor=actor):
        _transition(request, RequestStatus.COMPLETED, actor=actor)


def _mark_origins_decommissioning(request: OnboardingRequest, *, actor) -> None:
    """A request all of whose remaining items go away with this one is decommissioning."""
    targeted = set(request.changes.values_list("resource__item_id", flat=True))
    origins = OnboardingRequest.objects.filter(items__pk__in=targeted).distinct()
    for origin in origins:
        left = set(origin.items.filter(status=RequestItem.Status.ACTIVE).values_list("pk", flat=True))
        if left <= targeted and RequestStatus.DECOMMISSIONING in TRANSITIONS[origin.status]:
            _transition(origin, RequestStatus.DECOMMISSIONING, actor=actor)


def _start_next_change(request: OnboardingRequest, *, actor) -> bool:
    """Start the first pending change; extensions happen at once. False when none is left."""
    from provisioning.models import Run
    from provisioning.services import queue_run

    for change in request.changes.filter(status=Change.PENDING).select_related("resource__item"):
        if request.kind == RequestKind.EXTEND:
            _extend(change, actor=actor)
            continue
        ResourceChange.objects.filter(pk=change.pk).update(status=Change.RUNNING, error="")
        change.status = Change.RUNNING
        if request.kind == RequestKind.DECOMMISSION:
            queue_run(item=change.item, action=Run.Action.DESTROY, purpose=Run.Purpose.DECOMMISSION, change=change,
                      actor=actor)
        else:
            queue_run(item=change.item, action=Run.Action.APPLY, purpose=Run.Purpose.MODIFY, change=change,
                      actor=actor)
        return True
    return False


def _extend(change: ResourceChange, *, actor) -> None:
    from portal.inventory.models import ProvisionedResource

    resource = ProvisionedResource.objects.select_for_update().get(pk=change.resource_id)
    start = max(resource.expires_at or timezone.now(), timezone.now())
    previous, resource.expires_at = resource.expires_at, start + timedelta(days=change.extend_days)
    resource.expiry_warned_days = None  # warn again before the new date
    resource.save(update_fields=["expires_at", "expiry_warned_days", "updated_at"])
    ResourceChange.objects.filter(pk=change.pk).update(status=Change.DONE, previous_expires_at=previous)
    record_event(actor=actor, verb="resource.extended", target=resource.item.request, data={
        "request": change.request_id, "name": resource.name, "days": change.extend_days,
        "expires_at": resource.expires_at.isoformat()})


def settle_change_run(*, run) -> None:
    """An apply or destroy run that carried out a change (or ended a lifetime) ended for good."""
    from provisioning.models import Run, RunStatus

    if run.action not in (Run.Action.APPLY, Run.Action.DESTROY):
        return
    succeeded = run.status == RunStatus.SUCCEEDED
    if run.change_id is None:  # an expiry: nobody asked, the lifetime ended
        if succeeded:
            item_destroyed(run.item, actor=None)
        else:
            record_event(actor=None, verb="resource.expiry_failed", target=run.item.request,
                         data={"run": run.pk, "name": str(run.item), "error": run.error})
        return
    change = ResourceChange.objects.select_for_update().get(pk=run.change_id)
    request = OnboardingRequest.objects.select_for_update().get(pk=change.request_id)
    if change.status != Change.RUNNING:
        return  # settled already (the reaper after a slow worker, or a cancel)
    if succeeded:
        _change_done(change, run)
        if request.status == RequestStatus.PROVISIONING and not _start_next_change(request, actor=None):
            _transition(request, RequestStatus.COMPLETED, actor=None)
        return
    _change_failed(request, change, run)


def _change_done(change: ResourceChange, run) -> None:
    from portal.inventory.drift import applied_as_declared
    from portal.inventory.services import record_resource

    item = change.item
    ResourceChange.objects.filter(pk=change.pk).update(status=Change.DONE)
    if run.action == run.Action.DESTROY:
        item_destroyed(item, actor=None)
        return
    RequestItem.objects.filter(pk=item.pk).update(values=change.values, updated_at=timezone.now())
    item.values = change.values
    record_resource(item=item, outputs=run.outputs)
    applied_as_declared(item=item, at=run.finished_at)  # an accepted drift is undone by this apply
    record_event(actor=None, verb="resource.modified", target=item.request, data={
        "request": change.request_id, "name": str(item), "from": change.previous_values, "to": change.values})


def _change_failed(request: OnboardingRequest, change: ResourceChange, run) -> None:
    ResourceChange.objects.filter(pk=change.pk).update(status=Change.FAILED, error=run.error)
    if request.status == RequestStatus.PROVISIONING:
        _transition(request, RequestStatus.FAILED, actor=None)
    record_event(actor=None, verb="request.change_failed", target=request,
                 data={"run": run.pk, "name": str(change.item), "error": run.error})
    origin = OnboardingRequest.objects.select_for_update().get(pk=change.item.request_id)
    if origin.status == RequestStatus.DECOMMISSIONING:
        _transition(origin, RequestStatus.ACTIVE, actor=None)  # what is left stays, and is shown as such


def item_destroyed(item: RequestItem, *, actor) -> None:
    """An item's resources are gone for good (decommission or expiry); its request is
    decommissioned once nothing of it is left."""
    from portal.inventory.services import record_destroyed

    if not RequestItem.objects.filter(pk=item.pk).exclude(status=RequestItem.Status.DESTROYED).update(
            status=RequestItem.Status.DESTROYED, updated_at=timezone.now()):
        return
    record_destroyed(item=item)
    origin = OnboardingRequest.objects.select_for_update().get(pk=item.request_id)
    if origin.items.filter(status__in=[RequestItem.Status.ACTIVE, RequestItem.Status.PROVISIONING]).exists():
        return
    if origin.status in (RequestStatus.ACTIVE, RequestStatus.FAILED):
        origin = _transition(origin, RequestStatus.DECOMMISSIONING, actor=actor)
    if origin.status == RequestStatus.DECOMMISSIONING:
        _transition(origin, RequestStatus.DECOMMISSIONED, actor=actor)


@transaction.atomic
def retry_changes(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """Carry out a failed change request again, from its failed change."""
    ResourceChange.objects.filter(request=request, status=Change.FAILED).update(status=Change.PENDING, error="")
    _transition(request, RequestStatus.PROVISIONING, actor=actor)
    record_event(actor=actor, verb="request.retried", target=request)
    if request.kind == RequestKind.DECOMMISSION:
        _mark_origins_decommissioning(request, actor=actor)
    if not _start_next_change(request, actor=actor):
        _transition(request, RequestStatus.COMPLETED, actor=actor)
    return request
