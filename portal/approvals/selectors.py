"""Reads for approvers: the stages a person may decide (their queue), filtered, sorted, decorated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from portal.teams.models import Membership, Team

from .delegations import delegator_ids
from .facts import CONFIDENTIAL_CLASSES, risk_markers
from .models import ApprovalStage, Decision
from .sla import sla_state

SORTS = {
    "age": ("opened_at", "id"),  # oldest first
    "-age": ("-opened_at", "-id"),
    "cost": ("-request__estimated_monthly_cost", "opened_at", "id"),  # most expensive first
    "-cost": ("request__estimated_monthly_cost", "opened_at", "id"),
}
RISKS = {"gpu": "GPU", "confidential": "Confidential data", "high_cost": "High cost", "low": "Low risk only"}


def _decided_requests(person_id: int):
    return Decision.objects.filter(status=Decision.Status.VALID).filter(
        Q(actor_id=person_id) | Q(on_behalf_of_id=person_id)).values("stage__request_id")


def _teams_of(person_id: int):
    return Membership.objects.filter(user_id=person_id).values("team_id")


def decidable_stages(user, *, at: datetime | None = None):
    """Open stages ``user`` may decide, as themselves or for someone away — the same rules as
    ``services.check_may_decide``: not their request nor their team's (nor the away member's), one stage
    per request per person."""
    eligible = Q(team_id__in=_teams_of(user.pk)) & (Q(approver__isnull=True) | Q(approver_id=user.pk))
    for principal in delegator_ids(user, at=at):
        eligible |= (Q(team_id__in=_teams_of(principal)) & (Q(approver__isnull=True) | Q(approver_id=principal))
                     & ~Q(request__requester_id=principal)
                     & ~Q(request__team_id__in=_teams_of(principal))
                     & ~Q(request_id__in=_decided_requests(principal)))
    return (ApprovalStage.objects.filter(eligible, status=ApprovalStage.Status.PENDING)
            .exclude(request__requester_id=user.pk).exclude(request__team_id__in=_teams_of(user.pk))
            .exclude(request_id__in=_decided_requests(user.pk)))


def queue_for(user):
    """The decidable stages with what a queue row shows, oldest first."""
    return (decidable_stages(user).select_related("team", "request__team", "request__requester")
            .order_by(*SORTS["age"]))


def high_cost_threshold() -> Decimal:
    return Decimal(str(settings.PORTAL_HIGH_COST_MONTHLY))


def filtered_queue(user, *, team: str = "", risk: str = "", overdue: bool = False, sort: str = "age",
                   now: datetime | None = None):
    now = now or timezone.now()
    high = high_cost_threshold()
    risky = {
        "gpu": Q(request__routing_facts__any_gpu=True),
        "confidential": Q(request__data_classification__in=CONFIDENTIAL_CLASSES),
        "high_cost": Q(request__estimated_monthly_cost__gt=high),
    }
    qs = queue_for(user).annotate(approvals=Count(
        "decisions", filter=Q(decisions__status=Decision.Status.VALID, decisions__outcome=Decision.Outcome.APPROVE)))
    if team:
        qs = qs.filter(team__slug=team)
    if risk in risky:
        qs = qs.filter(risky[risk])
    elif risk == "low":
        qs = qs.exclude(risky["gpu"]).exclude(risky["confidential"]).exclude(risky["high_cost"])
    if overdue:
        qs = qs.filter(due_at__lte=now)
    return qs.order_by(*SORTS.get(sort, SORTS["age"])).prefetch_related(
        "request__items__template_version__template",
        Prefetch("request__items__runs", queryset=_plan_runs(), to_attr="plan_runs"))


def _changed_items(request) -> list:
    """A change request's items: those it changes, each with the newest plan of the change."""
    items = []
    for change in request.changes.select_related("request", "resource__item__template_version__template"):
        item = change.item
        item.change = change
        item.plan = _plan_runs().filter(change=change).first()
        items.append(item)
    return items


def _plan_runs():
    from provisioning.models import Run

    return Run.objects.filter(action=Run.Action.PLAN).order_by("-created_at", "-id")


def queue_teams(user) -> list[Team]:
    """The teams whose stages can reach ``user``'s queue, for the filter."""
    people = [user.pk, *delegator_ids(user)]
    return list(Team.objects.filter(kind=Team.Kind.STEERING, memberships__user_id__in=people).distinct()
                .order_by("name"))


@dataclass
class QueueRow:
    stage: ApprovalStage
    sla: str
    risks: list[str]
    items: list  # each with .plan (the newest plan run, or None)

    @property
    def low_risk(self) -> bool:
        return not self.risks


def decorate(stages, *, now: datetime | None = None) -> list[QueueRow]:
    now, high = now or timezone.now(), high_cost_threshold()
    rows = []
    for stage in stages:
        items = list(stage.request.items.all()) if stage.request.kind == "new" else _changed_items(stage.request)
        for item in items:
            if not hasattr(item, "plan"):
                item.plan = item.plan_runs[0] if getattr(item, "plan_runs", None) else None
        rows.append(QueueRow(stage=stage, sla=sla_state(stage, now),
                             risks=risk_markers(stage.request, high_cost=high), items=items))
    return rows
