"""Approval stages and decisions; segregation of duties is enforced here, not in views.

Approvals never call onboarding back: ``decide`` returns a :class:`ReviewOutcome` and the caller
(``portal.onboarding.services.record_decision``, which holds the request's row lock, so decisions on
one request are serial) acts on it. Every stage status change goes through ``portal.core.transitions``.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition
from portal.teams.selectors import is_member

from . import notifications
from .delegations import delegator_ids
from .facts import as_json, facts_for
from .models import ApprovalStage, Decision
from .routing import stages_for
from .stage_states import why_not_open

Stage, Outcome = ApprovalStage.Status, Decision.Outcome
STAGE_AFTER = {Outcome.APPROVE: Stage.APPROVED, Outcome.REJECT: Stage.REJECTED,
               Outcome.REQUEST_CHANGES: Stage.CHANGES_REQUESTED}
COMMENT_NEEDED = {Outcome.REJECT: "Say why you reject the request.",
                  Outcome.REQUEST_CHANGES: "Say what should change."}


class ReviewOutcome(enum.StrEnum):
    """What a decision means for the request."""

    PENDING = "pending"  # more decisions are needed
    APPROVED = "approved"  # every stage of the round is approved
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


def move_stage(stage: ApprovalStage, to: str, *, actor, data: dict | None = None, strict: bool = True,
               verb: str = "", **fields) -> bool:
    """The stage door (audited on the request as ``stage.<status>`` unless ``verb`` says otherwise)."""
    return transition(stage, to, transitions=ApprovalStage.TRANSITIONS, actor=actor, verb=verb or f"stage.{to}",
                      target=stage.request, data={"stage": stage.pk, "team": stage.team.slug, **(data or {})},
                      strict=strict, **fields)


def open_review(*, request, actor, pairs) -> list[ApprovalStage]:
    """Route a just-submitted request from what it asks for (``pairs``: [(version, values)]): freeze its
    facts, cost and stages; open the first group."""
    facts = facts_for(request, pairs)
    type(request).objects.filter(pk=request.pk).update(
        routing_facts=as_json(facts), estimated_monthly_cost=facts["monthly_cost"])
    request.routing_facts, request.estimated_monthly_cost = as_json(facts), facts["monthly_cost"]
    round_ = (request.stages.aggregate(Max("round"))["round__max"] or 0) + 1
    specs = stages_for(request, facts)
    stages = [
        ApprovalStage.objects.create(
            request=request, team=spec.team, approver=spec.approver, position=i, reason=spec.reason, round=round_,
            group=spec.group, required_approvals=spec.required_approvals, sla_hours=spec.sla_hours,
            status=Stage.WAITING)
        for i, spec in enumerate(specs)
    ]
    for stage, spec in zip(stages, specs, strict=True):
        record_event(actor=actor, verb="stage.created", target=request, data={
            "stage": stage.pk, "team": stage.team.slug, "reason": stage.reason, "rules": spec.rules,
            "group": stage.group, "required_approvals": stage.required_approvals,
            **({"approver": spec.approver.username} if spec.approver is not None else {})})
    notifications.review_opened(request, stages)
    _open_next_group(request, round_, actor=actor)
    return stages


def _open_next_group(request, round_: int, *, actor) -> list[ApprovalStage]:
    waiting = ApprovalStage.objects.filter(request=request, round=round_, status=Stage.WAITING)
    group = waiting.order_by("group").values_list("group", flat=True).first()
    now, opened = timezone.now(), []
    for stage in waiting.filter(group=group).select_related("team", "request__requester"):
        stage.request = request
        due = now + timedelta(hours=stage.sla_hours)
        remind = due - timedelta(hours=stage.sla_hours * settings.PORTAL_SLA_DUE_SOON_FRACTION)
        move_stage(stage, Stage.PENDING, actor=actor, data={"due_at": due.isoformat()}, verb="stage.opened",
                   opened_at=now, due_at=due, remind_at=remind)
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
    member = is_member(actor, stage.team) and stage.approver_id in (None, actor.pk)
    principal = None if member else _principal_for(actor, stage)
    if not member and principal is None:
        if stage.approver_id is not None:
            raise PermissionDenied(f"Only {stage.approver} (or their delegate) decides this stage.")
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
    people = get_user_model().objects
    if stage.approver_id is not None:
        people = people.filter(pk=stage.approver_id)
    return (people
            .filter(pk__in=delegator_ids(actor), memberships__team=stage.team)
            .exclude(pk=stage.request.requester_id).exclude(memberships__team_id=stage.request.team_id)
            .exclude(pk__in=decided.values("actor_id")).exclude(pk__in=acted_for)
            .order_by("username").first())


def decide(*, stage: ApprovalStage, actor, outcome: str, comment: str = "", in_review: bool) -> tuple[
        Decision, ReviewOutcome]:
    """Record ``actor``'s decision on ``stage``; the caller holds the request's lock (``stage.request``)
    and says whether the request is in review. Returns the decision and what it means for the request."""
    request = stage.request
    principal = check_may_decide(stage=stage, actor=actor)
    if outcome not in Outcome.values:
        raise ApplicationError("Choose approve, reject or request changes.")
    comment = (comment or "").strip()
    if outcome in COMMENT_NEEDED and not comment:
        raise ApplicationError(COMMENT_NEEDED[outcome], field="comment")
    if stage.status != Stage.PENDING or not in_review:
        raise ApplicationError(why_not_open(stage, request))
    decision = Decision.objects.create(stage=stage, actor=actor, on_behalf_of=principal, outcome=outcome,
                                       comment=comment)
    record_event(actor=actor, verb=f"stage.{outcome}", target=request, data={
        "stage": stage.pk, "team": stage.team.slug, "comment": comment,
        **({"on_behalf_of": principal.username} if principal else {})})
    if outcome == Outcome.APPROVE:
        approvals = stage.decisions.filter(status=Decision.Status.VALID, outcome=Outcome.APPROVE).count()
        if approvals < stage.required_approvals:
            return decision, ReviewOutcome.PENDING
        move_stage(stage, Stage.APPROVED, actor=None)
        current = ApprovalStage.objects.filter(request=request, round=stage.round)
        if not current.exclude(status=Stage.APPROVED).exists():
            return decision, ReviewOutcome.APPROVED
        if not current.filter(status=Stage.PENDING).exists():
            _open_next_group(request, stage.round, actor=actor)
        return decision, ReviewOutcome.PENDING
    move_stage(stage, STAGE_AFTER[outcome], actor=None)
    close_review(request=request, actor=None)
    return decision, (ReviewOutcome.REJECTED if outcome == Outcome.REJECT else ReviewOutcome.CHANGES_REQUESTED)


def close_review(*, request, actor) -> int:
    """The request was rejected or sent back: its other open or waiting stages are not needed."""
    closed = 0
    for stage in ApprovalStage.objects.filter(request=request, status__in=[Stage.WAITING, Stage.PENDING]) \
            .select_related("team"):
        stage.request = request
        closed += move_stage(stage, Stage.CLOSED, actor=actor, strict=False)
    return closed


def void_review(*, request, actor, why: str) -> int:
    """The request was edited or withdrawn: its decisions and stages stop counting (kept, marked void)."""
    decisions = Decision.objects.filter(stage__request=request, status=Decision.Status.VALID).update(
        status=Decision.Status.VOID, updated_at=timezone.now())
    stages = 0
    for stage in ApprovalStage.objects.filter(request=request).exclude(status=Stage.VOID).select_related("team"):
        stage.request = request
        stages += move_stage(stage, Stage.VOID, actor=actor, strict=False)
    record_event(actor=actor, verb="approvals.voided", target=request,
                 data={"decisions": decisions, "stages": stages, "why": why})
    return decisions
