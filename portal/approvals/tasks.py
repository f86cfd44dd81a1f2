"""Thin task interfaces: fetch by id, call a service. Callers fire them on commit."""

import logging

from celery import shared_task
from django.conf import settings

log = logging.getLogger(__name__)


@shared_task(name="approvals.check_slas")
def check_slas_task() -> dict:
    """Periodic (beat): remind approvers of stages due soon, escalate overdue ones to the team lead."""
    from .sla import remind_and_escalate

    return remind_and_escalate()


@shared_task(name="approvals.post_webhook", bind=True, max_retries=3, acks_late=True)
def post_webhook_task(self, team_pk: int, text: str) -> None:
    from portal.teams.models import Team

    from .webhooks import WebhookFailed, post_text

    url = Team.objects.filter(pk=team_pk).values_list("webhook_url", flat=True).first()
    if not url:
        return
    try:
        post_text(url, text, timeout=settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS)
    except WebhookFailed as error:
        if self.request.retries >= self.max_retries:
            log.warning("webhook of team %s failed for good: %s", team_pk, error)
            return
        raise self.retry(exc=error, countdown=settings.PORTAL_WEBHOOK_RETRY_SECONDS * 2 ** self.request.retries)
