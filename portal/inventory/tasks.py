"""Thin task interfaces for the inventory; beat fires them (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="inventory.expire_resources", ignore_result=True)
def expire_resources_task() -> None:
    """Hourly: warn owners of resources about to expire, destroy the expired ones."""
    from .expiry import destroy_expired, warn_expiring

    warn_expiring()
    destroy_expired()
