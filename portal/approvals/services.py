"""Approval decisions; segregation of duties is enforced here, not in views."""

from __future__ import annotations

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.teams.selectors import is_member

from .models import ApprovalStage, Decision
from .routing import stages_for

OUTCOME_TO_STAGE = {
    Decision.Outcome.APPROVE: ApprovalStage.Status.APPROVED,
    Decision.Outcome.REJECT: ApprovalStage.Status.REJECTED,
}


def open_review(*, request, actor) -> list[ApprovalStage]:
    """Freeze the stages of a just-submitted request."""
    stages = [
        ApprovalStage.objects.create(request=request, team=spec.team, position=i, reason=spec.reason)
        for i, spec in enumerate(stages_for(request))
    ]
    for stage in stages:
        record_event(actor=actor, verb="stage.opened", target=request,
                     data={"stage": stage.pk, "team": stage.team.slug, "reason": stage.reason})
    return stages


def check_may_decide(*, stage: ApprovalStage, actor) -> None:
    request = stage.request
    if request.requester_id == actor.pk:
        raise PermissionDenied("You cannot decide on your own request.")
    if not is_member(actor, stage.team):
        raise PermissionDenied(f"Only members of {stage.team} can decide this stage.")
    if Decision.objects.filter(stage__request=request, actor=actor).exclude(stage=stage).exists():
        raise PermissionDenied("You already decided another stage of this request.")


@transaction.atomic
def record_decision(*, stage: ApprovalStage, actor, outcome: str, comment: str = "") -> Decision:
    from portal.onboarding.models import RequestStatus
    from portal.onboarding.services import conclude_review

    stage = ApprovalStage.objects.select_for_update().select_related("request", "team").get(pk=stage.pk)
    check_may_decide(stage=stage, actor=actor)
    if outcome not in OUTCOME_TO_STAGE:
        raise ApplicationError("Choose approve or reject.")
    if outcome == Decision.Outcome.REJECT and not comment.strip():
        raise ApplicationError("Say why you reject the request.", field="comment")
    if stage.status != ApprovalStage.Status.PENDING or stage.request.status != RequestStatus.IN_REVIEW:
        raise ApplicationError("This stage has already been decided.")
    decision = Decision.objects.create(stage=stage, actor=actor, outcome=outcome, comment=comment.strip())
    ApprovalStage.objects.filter(pk=stage.pk).update(status=OUTCOME_TO_STAGE[outcome])
    record_event(actor=actor, verb=f"stage.{outcome}", target=stage.request,
                 data={"stage": stage.pk, "team": stage.team.slug, "comment": decision.comment})
    request = stage.request
    if outcome == Decision.Outcome.REJECT:
        conclude_review(request=request, outcome=RequestStatus.REJECTED, actor=actor)
    elif not request.stages.exclude(status=ApprovalStage.Status.APPROVED).exists():
        conclude_review(request=request, outcome=RequestStatus.APPROVED, actor=actor)
    return decision
