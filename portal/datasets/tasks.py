"""Thin task interfaces: call a service."""

from celery import shared_task


@shared_task(name="datasets.open_access_reviews")
def open_access_reviews_task() -> int:
    """Periodic (beat, daily): open the access reviews that are due (quarterly by default)."""
    from .services import open_due_reviews

    return len(open_due_reviews())


@shared_task(name="datasets.remind_access_reviews")
def remind_access_reviews_task() -> int:
    """Periodic (beat, every few hours): remind data owners before a review's deadline, and once it passed."""
    from .services import remind_reviews

    return remind_reviews()
