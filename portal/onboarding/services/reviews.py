"""Decisions on a request's stages, and what follows them: approvals answer with an outcome, the request moves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from portal.approvals import notifications
from portal.approvals.facts import risk_markers
from portal.approvals.models import ApprovalStage, Decision
from portal.approvals.selectors import high_cost_threshold
from portal.approvals.services import ReviewOutcome, check_may_decide, decide
from portal.core.errors import ApplicationError, PermissionDenied

from ..models import OnboardingRequest, RequestKind, RequestStatus
from .requests import move_request

MAX_BULK = 100


@transaction.atomic
def record_decision(*, stage: ApprovalStage, actor, outcome: str, comment: str = "") -> Decision:
    """``actor`` approves, rejects or sends back ``stage``; the request follows the outcome (approved:
    fulfilment starts in the same transaction). Decisions on one request are serial (its row lock)."""
    request = (OnboardingRequest.objects.select_for_update(of=("self",)).select_related("requester")
               .get(pk=stage.request_id))  # lock the request row only, not its requester's
    stage = ApprovalStage.objects.select_related("team").get(pk=stage.pk)
    stage.request = request
    decision, result = decide(stage=stage, actor=actor, outcome=outcome, comment=comment,
                              in_review=request.status == RequestStatus.IN_REVIEW)
    if result != ReviewOutcome.PENDING:
        conclude_review(request=request, outcome=str(result), actor=actor)
    notifications.decision_recorded(decision, concluded=request.status != RequestStatus.IN_REVIEW)
    return decision


@transaction.atomic
def conclude_review(*, request: OnboardingRequest, outcome: str, actor) -> OnboardingRequest:
    """The last decision of a review: approved (fulfilment starts) or rejected / sent back (previews stop)."""
    from .fulfilment import cancel_previews, start_fulfilment

    move_request(request, outcome, actor=actor)
    if request.kind == RequestKind.TRIAGE:  # a migration triage: the product follows; nothing to provision
        from .migration_requests import settle_triage_request

        settle_triage_request(request=request, outcome=outcome, actor=actor)
    elif request.kind == RequestKind.DATASET_CHANGE:  # the dataset follows (portal.datasets); nothing to provision
        from ..signals import review_concluded

        review_concluded.send(sender=OnboardingRequest, request=request, outcome=outcome, actor=actor)
        if outcome == RequestStatus.APPROVED:
            move_request(request, RequestStatus.COMPLETED, actor=actor)
    elif outcome == RequestStatus.APPROVED:
        start_fulfilment(request=request, actor=actor)  # an approved apply waits for its item's preview
    else:
        cancel_previews(request, actor=actor)
    return request


@dataclass
class BulkResult:
    stage_id: int
    request_id: int | None
    ok: bool
    message: str


def bulk_approve(*, actor, stage_ids: list[int], may_see: Callable[[ApprovalStage], bool],
                 comment: str = "") -> list[BulkResult]:
    """Approve each low-risk stage in its own transaction; a refusal of one does not stop the others.

    A stage whose request ``actor`` may not see answers exactly like one that does not exist, and who
    may decide is checked before anything else is said about a stage (its risks, its state)."""
    if len(stage_ids) > MAX_BULK:
        raise ApplicationError(f"Approve at most {MAX_BULK} requests at once.")
    stages = ApprovalStage.objects.select_related("request__team", "team").in_bulk(stage_ids)
    high, results = high_cost_threshold(), []
    for stage_id in stage_ids:
        stage = stages.get(stage_id)
        if stage is None or not may_see(stage):
            results.append(BulkResult(stage_id, None, False, "No such approval stage."))
            continue
        try:
            check_may_decide(stage=stage, actor=actor)
        except PermissionDenied as error:
            results.append(BulkResult(stage_id, stage.request_id, False, error.message))
            continue
        risks = risk_markers(stage.request, high_cost=high)
        if risks:
            results.append(BulkResult(stage_id, stage.request_id, False, "Not low risk ("
                                      + ", ".join(r.replace("_", " ") for r in risks) + "); decide it on its own."))
            continue
        try:
            record_decision(stage=stage, actor=actor, outcome=Decision.Outcome.APPROVE, comment=comment)
        except ApplicationError as error:
            results.append(BulkResult(stage_id, stage.request_id, False, error.message))
        else:
            results.append(BulkResult(stage_id, stage.request_id, True, "Approved."))
    return results
