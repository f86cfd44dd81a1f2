"""Thin task interfaces for the fulfilment loop's periodic work; beat fires them (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="onboarding.expire_resources", ignore_result=True)
def expire_resources_task() -> None:
    """Hourly: warn owners of resources about to expire, destroy the expired ones."""
    from portal.inventory.expiry import warn_expiring

    from .services import destroy_expired

    warn_expiring()
    destroy_expired()


@shared_task(name="onboarding.check_drift", ignore_result=True)
def check_drift_task() -> int:
    """Periodic: queue a drift check for each active Terraform resource due one; how many were queued."""
    from django.conf import settings

    from .services import queue_due_drift_checks

    return len(queue_due_drift_checks(limit=settings.PORTAL_DRIFT_CHECKS_PER_ROUND))


@shared_task(name="onboarding.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys_task() -> int:
    """Daily: forget Idempotency-Keys past their retention."""
    from .idempotency import purge_old_keys

    return purge_old_keys()
