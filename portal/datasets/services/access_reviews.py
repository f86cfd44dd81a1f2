"""Access reviews: on the admins' schedule (``AccessReviewSchedule``, quarterly by default) each dataset with
grants gets a review for its data owner, one entry per grant; the owner keeps or revokes each by a deadline,
with a reminder before it and a notice when it passes. A revocation ends the grant's lifetime now, so the
grant is destroyed by the same Terraform run an expiry would make. Every decision is audited; a review whose
entries are all decided is completed and the dataset's last-reviewed date set."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition
from portal.inventory.models import ProvisionedResource

from ..models import AccessRequest, AccessReview, AccessReviewSchedule, Dataset, ReviewEntry

Entry = ReviewEntry.Status


def _period(schedule: AccessReviewSchedule) -> timedelta:
    return timedelta(days=round(schedule.every_months * 365 / 12))


def active_grants(dataset: Dataset) -> list[AccessRequest]:
    """The asks on ``dataset`` whose grant exists now."""
    granted = ProvisionedResource.objects.filter(kind="dataset_grant", status=ProvisionedResource.Status.ACTIVE)
    return list(AccessRequest.objects.filter(dataset=dataset, request__items__resource__in=granted)
                .select_related("team", "request").distinct().order_by("pk"))


@transaction.atomic
def open_review(*, dataset: Dataset, actor=None, now=None) -> AccessReview | None:
    """A review of every grant on ``dataset`` for its data owner (None: no grant to review, or one is open)."""
    now = now or timezone.now()
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if AccessReview.objects.filter(dataset=dataset, status=AccessReview.Status.OPEN).exists():
        return None
    grants = active_grants(dataset)
    if not grants:
        return None
    schedule = AccessReviewSchedule.current()
    review = AccessReview.objects.create(dataset=dataset, reviewer=dataset.data_owner,
                                         due_at=now + timedelta(days=schedule.deadline_days))
    ReviewEntry.objects.bulk_create([ReviewEntry(review=review, access_request=ask) for ask in grants])
    record_event(actor=actor, verb="access_review.opened", target=review, data={
        "dataset": dataset.name, "reviewer": dataset.data_owner.username, "grants": [a.pk for a in grants],
        "due_at": review.due_at.isoformat()})
    _tell(review, title=f"Review who may use {dataset.name} by {review.due_at:%Y-%m-%d}",
          body=f"{len(grants)} team(s) hold access to {dataset.name}. Keep or revoke each grant.")
    return review


def open_due_reviews(*, now=None) -> list[AccessReview]:
    """Periodic: a review for each dataset with grants whose last review opened a period ago (or never)."""
    schedule = AccessReviewSchedule.current()
    if not schedule.is_active or schedule.every_months == 0:
        return []
    now = now or timezone.now()
    since = now - _period(schedule)
    opened = []
    granted = ProvisionedResource.objects.filter(kind="dataset_grant", status=ProvisionedResource.Status.ACTIVE)
    for dataset in Dataset.objects.filter(access_requests__request__items__resource__in=granted).distinct():
        last = dataset.reviews.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is None:  # never reviewed: a period after its oldest grant that exists now
            last = granted.filter(item__request__dataset_access__dataset=dataset).order_by(
                "created_at").values_list("created_at", flat=True).first()
        if last is not None and last <= since:
            review = open_review(dataset=dataset, now=now)
            if review is not None:
                opened.append(review)
    return opened


@transaction.atomic
def decide_entry(*, actor, entry: ReviewEntry, keep: bool, comment: str = "") -> ReviewEntry:
    """The data owner keeps or revokes one grant (a revocation destroys the grant now)."""
    from portal.onboarding.services import end_lifetime

    entry = ReviewEntry.objects.select_related("review__dataset", "access_request__team").get(pk=entry.pk)
    review = AccessReview.objects.select_for_update().get(pk=entry.review_id)  # decisions on one review are serial
    dataset = entry.review.dataset
    if actor.pk != dataset.data_owner_id:
        raise PermissionDenied(f"Only {dataset.data_owner}, the data owner, decides this review.")
    if review.status != AccessReview.Status.OPEN:
        raise ApplicationError("This review is completed.")
    comment = (comment or "").strip()[:2000]
    if not keep and not comment:
        raise ApplicationError("Say why the grant is revoked.", field="comment")
    run = None
    if not keep:
        resource = ProvisionedResource.objects.filter(item__request_id=entry.access_request.request_id,
                                                      status=ProvisionedResource.Status.ACTIVE).first()
        if resource is not None:
            run = end_lifetime(resource=resource, actor=actor,
                               why=f"revoked by {actor} in access review #{review.pk}: {comment}")
    transition(entry, Entry.KEPT if keep else Entry.REVOKED, transitions=ReviewEntry.TRANSITIONS, actor=actor,
               verb=f"access_review.{'kept' if keep else 'revoked'}", target=review, data={
                   "entry": entry.pk, "team": entry.access_request.team.slug, "access": entry.access_request.access,
                   "comment": comment, "run": run.pk if run else None},
               decided_by=actor, decided_at=timezone.now(), comment=comment)
    if not review.entries.filter(status=Entry.PENDING).exists():
        now = timezone.now()
        transition(review, AccessReview.Status.COMPLETED, transitions=AccessReview.TRANSITIONS, actor=actor,
                   verb="access_review.completed", completed_at=now)
        Dataset.objects.filter(pk=dataset.pk).update(last_reviewed=now.date(), updated_at=now)
    return entry


@transaction.atomic
def remind_reviews(*, now=None) -> int:
    """Periodic: a reminder before the deadline, a notice once it passed (each once); how many were sent."""
    now, sent = now or timezone.now(), 0
    schedule = AccessReviewSchedule.current()
    open_reviews = AccessReview.objects.select_for_update(of=("self",)).select_related("dataset", "reviewer").filter(
        status=AccessReview.Status.OPEN)
    for review in open_reviews.filter(reminded_at__isnull=True,
                                      due_at__lte=now + timedelta(days=schedule.remind_days_before), due_at__gt=now):
        _tell(review, title=f"Reminder: the access review of {review.dataset.name} is due {review.due_at:%Y-%m-%d}")
        AccessReview.objects.filter(pk=review.pk).update(reminded_at=now)
        record_event(actor=None, verb="access_review.reminded", target=review, data={})
        sent += 1
    for review in open_reviews.filter(overdue_notified_at__isnull=True, due_at__lte=now):
        _tell(review, title=f"Overdue: the access review of {review.dataset.name} was due {review.due_at:%Y-%m-%d}")
        AccessReview.objects.filter(pk=review.pk).update(overdue_notified_at=now)
        record_event(actor=None, verb="access_review.overdue", target=review, data={})
        sent += 1
    return sent


def _tell(review: AccessReview, *, title: str, body: str = "") -> None:
    from portal.notifications.models import Event
    from portal.notifications.services import notify

    notify(event=Event.ACCESS_REVIEW, team=review.dataset.team, extra_recipients=[review.dataset.data_owner],
           title=title[:200], body=body or title, url=f"/datasets/reviews/{review.pk}/",
           data={"review": review.pk, "dataset": review.dataset.name})
