"""Thin task interfaces: fetch by id, call a service. Callers fire them on commit."""

from celery import shared_task


@shared_task(name="approvals.check_slas")
def check_slas_task() -> dict:
    """Periodic (beat): remind approvers of stages due soon, escalate overdue ones to the team lead."""
    from .sla import remind_and_escalate

    return remind_and_escalate()
