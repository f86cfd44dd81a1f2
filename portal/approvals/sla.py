"""Stage SLAs: ok / due soon / overdue, reminders to approvers and escalation to the team's lead.

``remind_and_escalate`` runs periodically (Celery beat). Each reminder and escalation is claimed
with a conditional update, so two beats (or a retried task) never send one twice.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.teams.models import Membership

from . import notifications
from .models import ApprovalStage

OK, DUE_SOON, OVERDUE = "ok", "due_soon", "overdue"
SLA_LABELS = {OK: "on time", DUE_SOON: "due soon", OVERDUE: "overdue"}


def sla_state(stage: ApprovalStage, now: datetime) -> str:
    """"" for a stage that is not open, else ok / due_soon / overdue."""
    if stage.status != ApprovalStage.Status.PENDING or stage.due_at is None:
        return ""
    if now >= stage.due_at:
        return OVERDUE
    if stage.remind_at is not None and now >= stage.remind_at:
        return DUE_SOON
    return OK


def open_stages():
    """Stages waiting for a decision (a concluded request's other stages are closed or void)."""
    return ApprovalStage.objects.filter(status=ApprovalStage.Status.PENDING)


def escalation_recipients(stage: ApprovalStage) -> list:
    """The team's leads; when it has none, the platform admins (staff)."""
    User = get_user_model()
    leads = list(User.objects.filter(memberships__team=stage.team, memberships__role=Membership.Role.LEAD,
                                     is_active=True).order_by("username"))
    return leads or list(User.objects.filter(is_staff=True, is_active=True).order_by("username"))


def remind_and_escalate(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    overdue = open_stages().filter(escalated_at__isnull=True, due_at__lte=now).values_list("pk", flat=True)
    escalated = sum(_escalate(pk, now) for pk in list(overdue))
    due_soon = open_stages().filter(reminded_at__isnull=True, escalated_at__isnull=True, remind_at__lte=now,
                                    due_at__gt=now).values_list("pk", flat=True)
    reminded = sum(_remind(pk, now) for pk in list(due_soon))
    return {"reminded": reminded, "escalated": escalated}


def _claim(pk: int, field: str, now: datetime) -> ApprovalStage | None:
    won = ApprovalStage.objects.filter(pk=pk, status=ApprovalStage.Status.PENDING, **{f"{field}__isnull": True}
                                       ).update(**{field: now})
    if won != 1:
        return None
    return ApprovalStage.objects.select_related("team", "request__requester", "request__team").get(pk=pk)


@transaction.atomic
def _escalate(pk: int, now: datetime) -> bool:
    stage = _claim(pk, "escalated_at", now)
    if stage is None:
        return False
    recipients = escalation_recipients(stage)
    record_event(actor=None, verb="stage.escalated", target=stage.request, data={
        "stage": stage.pk, "team": stage.team.slug, "due_at": stage.due_at.isoformat(),
        "to": [user.username for user in recipients]})
    notifications.stage_escalated(stage, recipients)
    return True


@transaction.atomic
def _remind(pk: int, now: datetime) -> bool:
    stage = _claim(pk, "reminded_at", now)
    if stage is None:
        return False
    record_event(actor=None, verb="stage.reminded", target=stage.request,
                 data={"stage": stage.pk, "team": stage.team.slug, "due_at": stage.due_at.isoformat()})
    notifications.stage_reminder(stage)
    return True
