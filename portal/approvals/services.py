"""Approval stages and decisions; segregation of duties is enforced here, not in views.

Every decision locks the request row first, so decisions on one request are serial: N-of-M
counting, opening the next group and the final transition each happen exactly once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.teams.selectors import is_member

from . import notifications
from .delegations import delegator_ids
from .facts import as_json, facts_for
from .models import ApprovalStage, Decision
from .routing import stages_for

Stage, Outcome = ApprovalStage.Status, Decision.Outcome
STAGE_AFTER = {Outcome.APPROVE: Stage.APPROVED, Outcome.REJECT: Stage.REJECTED,
               Outcome.REQUEST_CHANGES: Stage.CHANGES_REQUESTED}
COMMENT_NEEDED = {Outcome.REJECT: "Say why you reject the request.",
                  Outcome.REQUEST_CHANGES: "Say what should change."}


def open_review(*, request, actor) -> list[ApprovalStage]:
    """Route a just-submitted request: freeze its facts, cost and stages; open the first group."""
    from portal.onboarding.models import OnboardingRequest

    facts = facts_for(request)
    OnboardingRequest.objects.filter(pk=request.pk).update(
        routing_facts=as_json(facts), estimated_monthly_cost=facts["monthly_cost"])
    request.routing_facts, request.estimated_monthly_cost = as_json(facts), facts["monthly_cost"]
    round_ = (request.stages.aggregate(Max("round"))["round__max"] or 0) + 1
    specs = stages_for(request, facts)
    stages = [
        ApprovalStage.objects.create(
            request=request, team=spec.team, position=i, reason=spec.reason, round=round_, group=spec.group,
            required_approvals=spec.required_approvals, sla_hours=spec.sla_hours, status=Stage.WAITING)
        for i, spec in enumerate(specs)
    ]
    for stage, spec in zip(stages, specs, strict=True):
        record_event(actor=actor, verb="stage.created", target=request, data={
            "stage": stage.pk, "team": stage.team.slug, "reason": stage.reason, "rules": spec.rules,
            "group": stage.group, "required_approvals": stage.required_approvals})
    notifications.review_opened(request, stages)
    _open_next_group(request, round_, actor=actor)
    _queue_plan_previews(request, actor=actor)
    return stages


def _queue_plan_previews(request, *, actor) -> None:
    """A plan run per Terraform item, so approvers see what would be created (apply never waits on it)."""
    from portal.onboarding.changes import plan_previews
    from provisioning.services import queue_run

    plan_previews(request, actor=actor)  # a change request: the plan of its changes
    for item in request.items.select_related("template_version"):
        if item.template_version.engine == "terraform":
            queue_run(item=item, action="plan", actor=actor)


def _open_next_group(request, round_: int, *, actor) -> list[ApprovalStage]:
    waiting = ApprovalStage.objects.filter(request=request, round=round_, status=Stage.WAITING)
    group = waiting.order_by("group").values_list("group", flat=True).first()
    now, opened = timezone.now(), []
    for stage in waiting.filter(group=group).select_related("team", "request__requester"):
        due = now + timedelta(hours=stage.sla_hours)
        stage.status, stage.opened_at, stage.due_at = Stage.PENDING, now, due
        stage.remind_at = due - timedelta(hours=stage.sla_hours * settings.PORTAL_SLA_DUE_SOON_FRACTION)
        stage.save(update_fields=["status", "opened_at", "due_at", "remind_at", "updated_at"])
        record_event(actor=actor, verb="stage.opened", target=request, data={
            "stage": stage.pk, "team": stage.team.slug, "due_at": due.isoformat()})
        notifications.stage_opened(stage)
        opened.append(stage)
    return opened


def check_may_decide(*, stage: ApprovalStage, actor):
    """Refuse unless ``actor`` may decide ``stage``; returns the away member a delegate acts for, or None.

    Segregation of duties: neither the requester nor any member of the requesting team decides a
    stage, as themselves or for someone else, and nobody decides for them; one person decides one
    stage of a request."""
    request = stage.request
    if request.requester_id == actor.pk:
        raise PermissionDenied("You cannot decide on your own request.")
    if is_member(actor, request.team):
        raise PermissionDenied(f"You are in {request.team}, the requesting team: someone outside it decides.")
    member = is_member(actor, stage.team)
    principal = None if member else _principal_for(actor, stage)
    if not member and principal is None:
        raise PermissionDenied(f"Only members of {stage.team} (or their delegates) can decide this stage.")
    people = [actor.pk] + ([principal.pk] if principal else [])
    earlier = Decision.objects.filter(stage__request=request, status=Decision.Status.VALID).filter(
        Q(actor_id__in=people) | Q(on_behalf_of_id__in=people))
    if earlier.filter(stage=stage).exists():
        raise PermissionDenied("You already decided this stage.")
    if earlier.exists():
        raise PermissionDenied("You already decided another stage of this request.")
    return principal


def _principal_for(actor, stage: ApprovalStage):
    """A member of the stage's team who delegated to ``actor`` and may still decide, or None: never
    the requester nor a member of the requesting team."""
    from django.contrib.auth import get_user_model

    decided = Decision.objects.filter(stage__request=stage.request, status=Decision.Status.VALID)
    acted_for = decided.filter(on_behalf_of__isnull=False).values("on_behalf_of_id")  # NOT IN (NULL) is never true
    return (get_user_model().objects
            .filter(pk__in=delegator_ids(actor), memberships__team=stage.team)
            .exclude(pk=stage.request.requester_id).exclude(memberships__team_id=stage.request.team_id)
            .exclude(pk__in=decided.values("actor_id")).exclude(pk__in=acted_for)
            .order_by("username").first())


@transaction.atomic
def record_decision(*, stage: ApprovalStage, actor, outcome: str, comment: str = "") -> Decision:
    from portal.onboarding.models import OnboardingRequest, RequestStatus

    request = (OnboardingRequest.objects.select_for_update(of=("self",)).select_related("requester")
               .get(pk=stage.request_id))  # lock the request row only, not its requester's
    stage = ApprovalStage.objects.select_related("team").get(pk=stage.pk)
    stage.request = request
    principal = check_may_decide(stage=stage, actor=actor)
    if outcome not in Outcome.values:
        raise ApplicationError("Choose approve, reject or request changes.")
    comment = (comment or "").strip()
    if outcome in COMMENT_NEEDED and not comment:
        raise ApplicationError(COMMENT_NEEDED[outcome], field="comment")
    if stage.status != Stage.PENDING or request.status != RequestStatus.IN_REVIEW:
        from .stage_states import why_not_open

        raise ApplicationError(why_not_open(stage, request))
    decision = Decision.objects.create(stage=stage, actor=actor, on_behalf_of=principal, outcome=outcome,
                                       comment=comment)
    record_event(actor=actor, verb=f"stage.{outcome}", target=request, data={
        "stage": stage.pk, "team": stage.team.slug, "comment": comment,
        **({"on_behalf_of": principal.username} if principal else {})})
    if outcome == Outcome.APPROVE:
        approvals = stage.decisions.filter(status=Decision.Status.VALID, outcome=Outcome.APPROVE).count()
        if approvals >= stage.required_approvals:
            _settle_stage(stage, Stage.APPROVED)
            _advance(request, stage.round, actor=actor)
    else:
        _settle_stage(stage, STAGE_AFTER[outcome])
        _conclude(request, RequestStatus.REJECTED if outcome == Outcome.REJECT else RequestStatus.CHANGES_REQUESTED,
                  actor=actor)
    notifications.decision_recorded(decision, concluded=request.status != RequestStatus.IN_REVIEW)
    return decision


def _settle_stage(stage: ApprovalStage, status: str) -> None:
    ApprovalStage.objects.filter(pk=stage.pk, status=Stage.PENDING).update(status=status, updated_at=timezone.now())
    stage.status = status


def _advance(request, round_: int, *, actor) -> None:
    from portal.onboarding.models import RequestStatus

    current = ApprovalStage.objects.filter(request=request, round=round_)
    if not current.exclude(status=Stage.APPROVED).exists():
        _conclude(request, RequestStatus.APPROVED, actor=actor)
    elif not current.filter(status=Stage.PENDING).exists():
        _open_next_group(request, round_, actor=actor)


def _conclude(request, outcome: str, *, actor) -> None:
    from portal.onboarding.services import conclude_review
    from provisioning.services import cancel_queued_runs

    cancel_queued_runs(request=request, action="plan", actor=actor)  # the apply never waits behind a preview
    conclude_review(request=request, outcome=outcome, actor=actor)


def void_review(*, request, actor, why: str) -> int:
    """The request was edited: its decisions and stages stop counting (kept, marked void)."""
    from provisioning.services import cancel_queued_runs

    decisions = Decision.objects.filter(stage__request=request, status=Decision.Status.VALID).update(
        status=Decision.Status.VOID, updated_at=timezone.now())
    stages = ApprovalStage.objects.filter(request=request).exclude(status=Stage.VOID).update(
        status=Stage.VOID, updated_at=timezone.now())
    cancel_queued_runs(request=request, action="plan", actor=actor)
    record_event(actor=actor, verb="approvals.voided", target=request,
                 data={"decisions": decisions, "stages": stages, "why": why})
    return decisions
