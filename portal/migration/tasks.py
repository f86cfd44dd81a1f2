"""Thin task interfaces: call a service."""

from celery import shared_task


@shared_task(name="migration.remind_revisits")
def remind_revisits_task() -> int:
    """Periodic (beat, daily): tell teams whose retained products are due for a new look."""
    from .services import remind_revisits

    return remind_revisits()
