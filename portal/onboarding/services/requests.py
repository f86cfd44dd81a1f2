"""Asking for resources: submit, route to review, withdraw. Every write with its audit row in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.catalog.models import COMPOSED_KINDS, TemplateVersion
from portal.catalog.validation import validate_values
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition
from portal.teams.selectors import is_member

from ..models import EDITABLE_STATES, TRANSITIONS, OnboardingRequest, RequestItem, RequestKind, RequestStatus
from ..quotas import check_quota


class InvalidValues(ApplicationError):
    def __init__(self, errors: dict[str, list[str]], position: int = 0):
        super().__init__("Some values are not valid.")
        self.errors, self.position = errors, position


def move_request(request: OnboardingRequest, to: str, *, actor, strict: bool = True, **fields) -> bool:
    """The request's door: ``to`` if TRANSITIONS allows it; of two racing callers exactly one wins. A
    migrated product's environment request tells the product when it is active or given up."""
    moved = transition(request, to, transitions=TRANSITIONS, actor=actor, verb=f"request.{to}", strict=strict,
                       **fields)
    if moved and request.migration_product_id is not None:
        from .migration_requests import environment_moved

        environment_moved(request, to, actor=actor)
    if moved and to == RequestStatus.WITHDRAWN and request.kind == RequestKind.TRIAGE:
        from .migration_requests import triage_withdrawn

        triage_withdrawn(request, actor=actor)
    return moved


def validated_items(items, *, composed: bool = False) -> list[tuple[TemplateVersion, dict]]:
    """``composed``: the portal composed the request (a dataset access request), so its kinds may be
    ``COMPOSED_KINDS``; a request made or edited by hand may not hold them."""
    checked = []
    for position, (version, values) in enumerate(items):
        if version.status != TemplateVersion.Status.PUBLISHED:
            raise ApplicationError(f"{version} is not offered any more; start from the catalog again.")
        if version.kind in COMPOSED_KINDS and not composed:
            raise ApplicationError(f"{version.template.name} is not requested here: ask on the dataset's page.")
        errors = validate_values(version.parameter_schema, values)
        if errors:
            raise InvalidValues(errors, position)
        checked.append((version, values))
    if not checked:
        raise ApplicationError("A request needs at least one item.")
    return checked


@transaction.atomic
def submit_new_request(*, actor, team, title: str, items, details: dict | None = None) -> OnboardingRequest:
    """Create a request with ``items`` ([(version, values)]) and ``details`` (see onboarding.details),
    and submit it for review."""
    from ..details import clean_details

    if not is_member(actor, team):
        raise PermissionDenied("You can only request resources for a team you belong to.")
    checked = validated_items(items)
    request = OnboardingRequest.objects.create(team=team, requester=actor, title=title, **clean_details(details))
    record_event(actor=actor, verb="request.created", target=request)
    for position, (version, values) in enumerate(checked):
        RequestItem.objects.create(request=request, template_version=version, position=position, values=values)
    return submit_request(request=request, actor=actor)


@transaction.atomic
def submit_composed_request(*, actor, team, title: str, version, values: dict, lifetime_days: int, details: dict,
                            data_owner, data_owner_team) -> OnboardingRequest:
    """A request the portal composes for ``actor`` (a dataset access request, portal.datasets): one item of a
    composed kind with the values the caller set, living ``lifetime_days``; its data owner decides the first
    stage. ``details``: data_classification, business_justification, expected_duration_days."""
    if not is_member(actor, team):
        raise PermissionDenied("You can only ask for a team you belong to.")
    if version.kind not in COMPOSED_KINDS:
        raise ApplicationError(f"{version.template.name} is requested from the catalog.")
    [(version, values)] = validated_items([(version, values)], composed=True)
    request = OnboardingRequest.objects.create(
        team=team, requester=actor, title=title[:200], data_owner=data_owner, data_owner_team=data_owner_team,
        data_classification=details["data_classification"],
        business_justification=details.get("business_justification", "")[:4000],
        expected_duration_days=details.get("expected_duration_days"))
    record_event(actor=actor, verb="request.created", target=request, data={
        "composed": version.kind, "data_owner": data_owner.username})
    RequestItem.objects.create(request=request, template_version=version, values=values, lifetime_days=lifetime_days)
    return submit_request(request=request, actor=actor)


@transaction.atomic
def submit_dataset_change(*, actor, team, title: str, justification: str, classification: str) -> OnboardingRequest:
    """A dataset's data owner asks to change its classification (now ``classification``) or retention: reviewed
    like any request (portal.datasets composed and checked it, and hears the outcome)."""
    if not is_member(actor, team):
        raise PermissionDenied("Only a member of the owning team asks to change its dataset.")
    request = OnboardingRequest.objects.create(
        team=team, requester=actor, kind=RequestKind.DATASET_CHANGE, title=title[:200],
        business_justification=justification[:4000], data_classification=classification)
    record_event(actor=actor, verb="request.created", target=request, data={"kind": RequestKind.DATASET_CHANGE})
    return submit_request(request=request, actor=actor)


@transaction.atomic
def submit_request(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """Route the request to its reviewers and queue the plan previews they will look at."""
    from portal.approvals.services import open_review

    from ..selectors import values_asked
    from .changes import check_changes
    from .fulfilment import queue_previews

    if actor != request.requester:
        raise PermissionDenied("Only the requester can submit this request.")
    if request.kind == RequestKind.NEW:
        checked = validated_items(((item.template_version, item.values) for item in request.items.all()),
                                  composed=request.data_owner_id is not None)
        check_quota(team=request.team, items=checked)
    elif request.kind == RequestKind.TRIAGE:
        if request.triage_id is None:
            raise ApplicationError("A triage review needs the triage it reviews.")
    elif request.kind == RequestKind.DATASET_CHANGE:
        pass  # checked by portal.datasets, which composed it
    else:
        check_changes(request)
    move_request(request, RequestStatus.SUBMITTED, actor=actor, submitted_at=timezone.now())
    open_review(request=request, actor=actor, pairs=values_asked(request))
    queue_previews(request, actor=actor)
    move_request(request, RequestStatus.IN_REVIEW, actor=actor)
    request.refresh_from_db()  # what was stored (e.g. the cost, rounded to cents)
    return request


@transaction.atomic
def withdraw_request(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """The requester takes a request back before it is decided (its decisions become void)."""
    from portal.approvals.services import void_review

    from .fulfilment import cancel_previews

    request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)  # decisions wait for us
    if actor.pk != request.requester_id:
        raise PermissionDenied("Only the requester can withdraw this request.")
    if not withdrawable(request):
        raise ApplicationError(f"A request that is {request.get_status_display().lower()} cannot be withdrawn.")
    void_review(request=request, actor=actor, why="the requester withdrew it")
    cancel_previews(request, actor=actor)
    move_request(request, RequestStatus.WITHDRAWN, actor=actor)
    return request


def withdrawable(request: OnboardingRequest) -> bool:
    """Before a decision; or a change request that failed and is given up (its failed change stays
    recorded, and the resource is free for another change). A failed new request is retried or
    decommissioned instead, since it may hold resources."""
    from .fulfilment import is_cleaning_up

    if request.status in EDITABLE_STATES:
        return True
    return request.status == RequestStatus.FAILED and request.kind != RequestKind.NEW and not is_cleaning_up(request)
