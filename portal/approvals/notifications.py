"""E-mails to requesters and approvers, and posts to the steering team's webhooks (its team webhooks that
take ``stage.waiting``) — all sent once the write commits."""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from portal.notifications.models import Event
from portal.notifications.services import deliver_mail, notify, post_to_team_webhooks

from .delegations import delegates_of

log = logging.getLogger(__name__)


def request_url(request) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/requests/{request.pk}/"


def send_on_commit(subject: str, body: str, users) -> None:
    addresses = sorted({user.email for user in users if user.email})
    if addresses:
        transaction.on_commit(partial(deliver_mail, f"[Portal] {subject}", body, addresses))


def tell_the_team(stage, title: str, text: str, *, moment: str) -> None:
    """The steering team's webhooks hear that ``stage`` waits (``moment``: opened, due soon, overdue)."""
    request = stage.request
    post_to_team_webhooks(team=stage.team, event=Event.STAGE_WAITING, title=title, body=text,
                          url=f"/requests/{request.pk}/",
                          data={"request": request.pk, "stage": stage.pk, "moment": moment,
                                "due_at": stage.due_at.isoformat() if stage.due_at else None})


def deciders_of(stage) -> list:
    """Members of the stage's team and whoever stands in for them — never the requester."""
    User = get_user_model()
    members = list(User.objects.filter(memberships__team=stage.team, is_active=True)
                   .exclude(pk=stage.request.requester_id))
    delegates = delegates_of([m.pk for m in members]).exclude(pk=stage.request.requester_id)
    return members + [d for d in delegates if d not in members]


def review_opened(request, stages) -> None:
    teams = ", ".join(f"{s.team} ({s.reason})" for s in stages)
    send_on_commit(f"Request #{request.pk} submitted for review",
                   f"Your request “{request.title}” is in review by: {teams}\n\n{request_url(request)}",
                   [request.requester])


def stage_opened(stage) -> None:
    request = stage.request
    text = (f"Request #{request.pk} “{request.title}” from {request.team} waits for {stage.team}: "
            f"{stage.reason} Decide by {stage.due_at:%Y-%m-%d %H:%M} UTC. {request_url(request)}")
    subject = f"Request #{request.pk} waits for your decision"
    send_on_commit(subject, text, deciders_of(stage))
    tell_the_team(stage, subject, text, moment="opened")


def decision_recorded(decision, *, concluded: bool) -> None:
    """Tell the requester; when the decision ended the review, say how it ended."""
    stage, request = decision.stage, decision.stage.request
    who = str(decision.actor) + (f" (for {decision.on_behalf_of})" if decision.on_behalf_of else "")
    verb = {"approve": "approved", "reject": "rejected", "request_changes": "asked for changes to"}[decision.outcome]
    comment = f"\n\nComment: {decision.comment}" if decision.comment else ""
    text = f"{who} {verb} your request “{request.title}” for {stage.team}.{comment}"
    subject = f"Request #{request.pk}: {stage.team} {verb.split()[0]}"
    if concluded:
        subject = f"Request #{request.pk} {request.status.replace('_', ' ')}"
        text = f"Your request “{request.title}” {CONCLUSIONS.get(request.status, 'was decided.')}\n\n{text}"
    notify(event=Event.STAGE_DECIDED, team=request.team, requester=request.requester, title=subject, body=text,
           url=f"/requests/{request.pk}/", data={"request": request.pk, "stage": stage.team.slug,
                                                 "outcome": decision.outcome, "request_status": request.status})


CONCLUSIONS = {
    "approved": "was approved by every steering team; provisioning has started.",
    "provisioning": "was approved by every steering team; provisioning has started.",
    "rejected": "was rejected.",
    "changes_requested": "needs changes: edit it and submit it again.",
    "completed": "was approved by every steering team and carried out.",
}


def stage_reminder(stage) -> None:
    request = stage.request
    text = (f"Reminder: request #{request.pk} “{request.title}” waits for {stage.team}; due "
            f"{stage.due_at:%Y-%m-%d %H:%M} UTC. {request_url(request)}")
    subject = f"Request #{request.pk} is due soon"
    send_on_commit(subject, text, deciders_of(stage))
    tell_the_team(stage, subject, text, moment="due soon")


def stage_escalated(stage, leads) -> None:
    request = stage.request
    text = (f"Overdue: request #{request.pk} “{request.title}” has waited for {stage.team} since "
            f"{stage.opened_at:%Y-%m-%d %H:%M} UTC (SLA {stage.sla_hours} h). {request_url(request)}")
    subject = f"Escalation: request #{request.pk} is overdue for {stage.team}"
    send_on_commit(subject, text, leads)
    tell_the_team(stage, subject, text, moment="overdue")
