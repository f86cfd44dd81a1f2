"""Access reviews: opened on the schedule for datasets with grants, decided by the data owner only (keep, or
revoke: the grant's lifetime ends now and its destroy is queued), reminded once and once late, audited,
exported as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.errors import ApplicationError, PermissionDenied
from portal.datasets.models import AccessReview, AccessReviewSchedule, ReviewEntry
from portal.datasets.services import decide_entry, open_due_reviews, remind_reviews, request_access
from portal.inventory.models import ProvisionedResource
from portal.inventory.services import record_resource
from portal.notifications.models import Notification
from portal.onboarding.models import RequestItem
from portal.onboarding.services import record_decision
from portal.teams.models import Team
from provisioning.models import Run

from .conftest import give_directory_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(asking, make_user):
    """Two active grants on the churn team's internal dataset: fraud's (read) and credit's (read-write)."""
    credit = Team.objects.create(slug="credit-modelling", name="Credit modelling", kind=Team.Kind.MODELLING)
    credit_member = make_user("credit-member", team=credit)
    give_directory_group(credit, asking.demo.versions["directory-group"], credit_member,
                         role_arn="arn:aws:iam::123456789012:role/credit-team")
    grants = {}
    for team, actor, access in ((asking.fraud, asking.outsider, "read"), (credit, credit_member, "read_write")):
        ask = request_access(actor=actor, dataset=asking.internal, team=team, access=access,
                             purpose="scoring features for a model", days=120)
        record_decision(stage=ask.request.stages.get(), actor=asking.member, outcome="approve")
        Run.objects.filter(item__request=ask.request).update(status="succeeded", finished_at=timezone.now())
        RequestItem.objects.filter(request=ask.request).update(status=RequestItem.Status.ACTIVE)
        record_resource(item=ask.request.items.get(), outputs={"policy_name": f"dataset-{team.slug}"})
        grants[team.slug] = ask
    asking.grants, asking.credit = grants, credit
    return asking


def opened(ds):
    [review] = open_due_reviews(now=timezone.now() + timedelta(days=100))
    return review


def test_a_review_opens_a_quarter_after_the_grants_once(granted):
    assert open_due_reviews() == []  # the grants are new
    review = opened(granted)
    assert review.reviewer == granted.member and review.status == AccessReview.Status.OPEN
    assert {e.access_request.team.slug for e in review.entries.all()} == {"fraud-modelling", "credit-modelling"}
    assert open_due_reviews(now=timezone.now() + timedelta(days=100)) == []  # one open review at a time
    assert Notification.objects.filter(recipient=granted.member, event="dataset.access_review").exists()


def test_the_admin_schedule_decides_the_period(granted):
    AccessReviewSchedule.objects.update_or_create(pk=1, defaults={"every_months": 12})
    assert open_due_reviews(now=timezone.now() + timedelta(days=100)) == []
    assert len(open_due_reviews(now=timezone.now() + timedelta(days=370))) == 1


def test_the_owner_revokes_one_grant_and_keeps_another(granted):
    review = opened(granted)
    fraud = review.entries.get(access_request=granted.grants["fraud-modelling"])
    credit = review.entries.get(access_request=granted.grants["credit-modelling"])
    with pytest.raises(PermissionDenied):
        decide_entry(actor=granted.lead, entry=fraud, keep=False, comment="no")  # in the team, not the owner
    with pytest.raises(ApplicationError) as refused:
        decide_entry(actor=granted.member, entry=fraud, keep=False)
    assert refused.value.field == "comment"
    decide_entry(actor=granted.member, entry=fraud, keep=False, comment="the project ended")
    fraud_grant = ProvisionedResource.objects.get(item__request=granted.grants["fraud-modelling"].request)
    assert fraud_grant.expires_at <= timezone.now()
    destroy = Run.objects.get(item=fraud_grant.item, action="destroy")
    assert destroy.purpose == "expiry" and destroy.variables["access"] == "read"  # what was applied, destroyed
    review.refresh_from_db()
    assert review.status == AccessReview.Status.OPEN  # one entry left
    decide_entry(actor=granted.member, entry=credit, keep=True)
    credit_grant = ProvisionedResource.objects.get(item__request=granted.grants["credit-modelling"].request)
    assert not Run.objects.filter(item=credit_grant.item, action="destroy").exists()
    assert credit_grant.expires_at > timezone.now() + timedelta(days=100)
    review.refresh_from_db()
    granted.internal.refresh_from_db()
    assert review.status == AccessReview.Status.COMPLETED and granted.internal.last_reviewed == timezone.now().date()
    verbs = list(AuditEvent.objects.filter(object_type="datasets.accessreview", object_id=str(review.pk))
                 .values_list("verb", flat=True).order_by("pk"))
    assert verbs == ["access_review.opened", "access_review.revoked", "access_review.kept", "access_review.completed"]
    with pytest.raises(ApplicationError):
        decide_entry(actor=granted.member, entry=credit, keep=False, comment="again")


def test_reminders_before_the_deadline_and_once_late(granted):
    review = opened(granted)
    assert remind_reviews(now=review.due_at - timedelta(days=10)) == 0
    assert remind_reviews(now=review.due_at - timedelta(days=2)) == 1
    assert remind_reviews(now=review.due_at - timedelta(days=1)) == 0
    assert remind_reviews(now=review.due_at + timedelta(hours=1)) == 1
    assert remind_reviews(now=review.due_at + timedelta(days=2)) == 0


def test_the_review_page_decisions_and_csv(client, granted):
    review = opened(granted)
    entry = review.entries.get(access_request=granted.grants["fraud-modelling"])
    page, decide = reverse("datasets:review", args=[review.pk]), reverse("datasets:decide_entry",
                                                                         args=[review.pk, entry.pk])
    for user, status in ((granted.outsider, 404), (granted.lead, 200), (granted.member, 200), (granted.admin, 200)):
        client.force_login(user)
        assert client.get(page).status_code == status
    client.force_login(granted.lead)
    assert client.post(decide, {"decision": "keep"}).status_code == 403
    client.force_login(granted.member)
    assert client.post(decide, {"decision": "maybe"}).status_code == 400
    assert client.post(decide, {"decision": "revoke"}).status_code == 400  # no reason given
    ReviewEntry.objects.filter(pk=entry.pk).update(comment="=HYPERLINK(\"http://x\")")  # as if typed
    assert client.post(decide, {"decision": "keep", "comment": "=cmd|' /C calc'!A0"}).status_code == 302
    export = client.get(reverse("datasets:review_csv", args=[review.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {r["team"] for r in rows} == {"fraud-modelling", "credit-modelling"}
    kept = next(r for r in rows if r["team"] == "fraud-modelling")
    assert kept["decision"] == "kept" and kept["decided_by"] == "requester" and kept["comment"].startswith("'=")
