"""Thin task interfaces: fetch by id, call a service. Light work: the ``default`` queue."""

from celery import shared_task


@shared_task(name="notifications.deliver_webhook", bind=True, acks_late=True, max_retries=None)
def deliver_webhook_task(self, delivery_pk: int) -> None:
    from .services import attempt_delivery

    wait = attempt_delivery(delivery_pk=delivery_pk)
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task(name="notifications.resend_stalled_deliveries", ignore_result=True)
def resend_stalled_deliveries_task() -> list[int]:
    """Every few minutes: pending deliveries whose task was lost are sent again."""
    from .services import resend_stalled_deliveries

    return resend_stalled_deliveries()
