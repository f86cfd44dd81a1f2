"""Asking to change what exists: decommission, lifetime extension, day-2 values, offboarding.

A change request is an OnboardingRequest of another kind whose ResourceChange rows say what happens
to which resource. It is routed, reviewed and decided like a new request (rules can tell kinds apart
with the ``request_kind`` fact); approvers see a plan of what would change or be destroyed. Once
approved it is carried out by the fulfilment loop (services.fulfilment), one change at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from portal.audit.services import record_event
from portal.catalog.models import COMPOSED_KINDS
from portal.catalog.validation import validate_values
from portal.core.errors import ApplicationError, PermissionDenied
from portal.teams.permissions import may_act_for_team

from ..bundles import provisioning_rank
from ..models import OnboardingRequest, RequestKind, RequestStatus, ResourceChange
from ..quotas import check_quota
from .requests import InvalidValues, submit_request

Change = ResourceChange.Status
# A change request still under way: a resource in one of them takes no second change.
OPEN_STATES = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.CHANGES_REQUESTED,
               RequestStatus.APPROVED, RequestStatus.PROVISIONING, RequestStatus.FAILED)
CLASSIFICATION_ORDER = ("public", "internal", "confidential", "restricted")


def may_change(user, team) -> bool:
    """Who may ask to change, extend or remove a team's resources: its members and platform admins."""
    return may_act_for_team(user, team)


def open_change_for(resource) -> OnboardingRequest | None:
    change = (ResourceChange.objects.filter(resource=resource, request__status__in=OPEN_STATES)
              .exclude(status=Change.DONE).select_related("request").first())
    return change.request if change else None


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
    # Extending a dataset grant is decided like the grant was: by the data owner (and InfoSec by class).
    owners = {(origin.data_owner_id, origin.data_owner_team_id) for origin in origins}
    owner_id, owner_team_id = next(iter(owners)) if kind == RequestKind.EXTEND and len(owners) == 1 else (None, None)
    request = OnboardingRequest.objects.create(
        team=team, requester=actor, title=title[:200], kind=kind, business_justification=reason[:5000],
        data_classification=classification, cost_centre=origins[0].cost_centre, data_owner_id=owner_id,
        data_owner_team_id=owner_team_id)
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
    if item.template_version.kind in COMPOSED_KINDS:
        raise ApplicationError(f"A {item.template_version.template.name.lower()} does not change in place: ask "
                               "for the access you need on the dataset's page (and let this one expire).")
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
