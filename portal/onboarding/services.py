"""Every write to a request goes through here, with its audit row in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.catalog.models import TemplateVersion
from portal.catalog.validation import validate_values
from portal.core.errors import ApplicationError, Conflict, PermissionDenied
from portal.teams.quotas import check_quota, reserve_quota
from portal.teams.selectors import is_member

from .models import EDITABLE_STATES, TRANSITIONS, OnboardingRequest, RequestItem, RequestKind, RequestStatus


class InvalidValues(ApplicationError):
    def __init__(self, errors: dict[str, list[str]], position: int = 0):
        super().__init__("Some values are not valid.")
        self.errors, self.position = errors, position


def _transition(request: OnboardingRequest, to: str, *, actor, **fields) -> OnboardingRequest:
    """Move ``request`` to ``to`` if allowed; exactly one of two racing callers wins."""
    old = request.status
    if to not in TRANSITIONS[old]:
        raise ApplicationError(f"A request that is {request.get_status_display().lower()} cannot become {to}.")
    won = OnboardingRequest.objects.filter(pk=request.pk, status=old).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if won != 1:
        raise Conflict("The request changed meanwhile; reload the page.")
    request.refresh_from_db()
    record_event(actor=actor, verb=f"request.{to}", target=request, data={"from": old})
    return request


def _validated_items(items) -> list[tuple[TemplateVersion, dict]]:
    checked = []
    for position, (version, values) in enumerate(items):
        if version.status != TemplateVersion.Status.PUBLISHED:
            raise ApplicationError(f"{version} is not offered any more; start from the catalog again.")
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
    from .details import clean_details

    if not is_member(actor, team):
        raise PermissionDenied("You can only request resources for a team you belong to.")
    checked = _validated_items(items)
    request = OnboardingRequest.objects.create(team=team, requester=actor, title=title, **clean_details(details))
    record_event(actor=actor, verb="request.created", target=request)
    for position, (version, values) in enumerate(checked):
        RequestItem.objects.create(request=request, template_version=version, position=position, values=values)
    return submit_request(request=request, actor=actor)


@transaction.atomic
def submit_request(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    from portal.approvals.services import open_review

    from .changes import check_changes

    if actor != request.requester:
        raise PermissionDenied("Only the requester can submit this request.")
    if request.kind == RequestKind.NEW:
        checked = _validated_items((item.template_version, item.values) for item in request.items.all())
        check_quota(team=request.team, items=checked)
    else:
        check_changes(request)
    _transition(request, RequestStatus.SUBMITTED, actor=actor, submitted_at=timezone.now())
    open_review(request=request, actor=actor)
    return _transition(request, RequestStatus.IN_REVIEW, actor=actor)


@transaction.atomic
def conclude_review(*, request: OnboardingRequest, outcome: str, actor) -> OnboardingRequest:
    """Called by approvals when the last stage is decided (``approved`` or ``rejected``)."""
    _transition(request, outcome, actor=actor)
    if outcome == RequestStatus.APPROVED:
        start_provisioning(request=request, actor=actor)
    return request


@transaction.atomic
def start_provisioning(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    if request.kind != RequestKind.NEW:
        from .changes import carry_out

        carry_out(request=request, actor=actor)
        return request
    reserve_quota(request=request)  # locks the team's quota row until this transaction ends
    _transition(request, RequestStatus.PROVISIONING, actor=actor)
    _provision_next_item(request, actor=actor)
    return request


def _provision_next_item(request: OnboardingRequest, *, actor) -> bool:
    from .rollout import provision_next_item

    return provision_next_item(request, actor=actor)


@transaction.atomic
def record_item_outcome(*, run) -> None:
    """A worker's run for an item ended for good: go on with the next item, clean up after a
    failure, or settle the request (see onboarding.rollout)."""
    from portal.inventory.drift import is_drift_run, settle_drift_run

    from .rollout import settle_run

    if run.action in (run.Action.PLAN, run.Action.UPGRADE):
        return  # a preview for approvers, or a review branch for the team: the item is unchanged
    if is_drift_run(run):
        settle_drift_run(run=run)  # drift check or reconcile: the resource learns; the request is unchanged
        return
    settle_run(run=run)


@transaction.atomic
def withdraw_request(*, request: OnboardingRequest, actor) -> OnboardingRequest:
    """The requester takes a request back before it is decided (its decisions become void)."""
    from portal.approvals.services import void_review

    request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)  # decisions wait for us
    if actor.pk != request.requester_id:
        raise PermissionDenied("Only the requester can withdraw this request.")
    if not withdrawable(request):
        raise ApplicationError(f"A request that is {request.get_status_display().lower()} cannot be withdrawn.")
    void_review(request=request, actor=actor, why="the requester withdrew it")
    return _transition(request, RequestStatus.WITHDRAWN, actor=actor)


def withdrawable(request: OnboardingRequest) -> bool:
    """Before a decision; or a change request that failed and is given up (its failed change stays
    recorded, and the resource is free for another change). A failed new request is retried or
    decommissioned instead, since it may hold resources."""
    from .rollout import is_cleaning_up

    if request.status in EDITABLE_STATES:
        return True
    return request.status == RequestStatus.FAILED and request.kind != RequestKind.NEW and not is_cleaning_up(request)
