"""An Idempotency-Key answers with its first request while it is kept (``PORTAL_IDEMPOTENCY_KEY_DAYS``), then
is forgotten by the daily purge: the requests stay, and the key may be used again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.errors import Conflict
from portal.onboarding.idempotency import create_once, purge_old_keys
from portal.onboarding.models import IdempotencyKey, OnboardingRequest
from portal.onboarding.tasks import purge_idempotency_keys_task

pytestmark = pytest.mark.django_db


def maker(demo, title):
    return lambda: OnboardingRequest.objects.create(team=demo.teams["churn-modelling"],
                                                    requester=demo.people["requester"], title=title)


def test_a_key_past_its_days_is_forgotten_and_its_request_stays(demo, settings):
    settings.PORTAL_IDEMPOTENCY_KEY_DAYS = 7
    user = demo.people["requester"]
    old, first = create_once(user=user, key="k-old", body_hash="a", create=maker(demo, "old"))
    recent, _ = create_once(user=user, key="k-recent", body_hash="b", create=maker(demo, "recent"))
    IdempotencyKey.objects.filter(key="k-old").update(created_at=timezone.now() - timedelta(days=8))
    assert first
    with pytest.raises(Conflict):  # still kept: another body under the key is refused
        create_once(user=user, key="k-old", body_hash="other", create=maker(demo, "x"))

    assert purge_idempotency_keys_task() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-recent"]
    assert OnboardingRequest.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2
    again, created = create_once(user=user, key="k-old", body_hash="other", create=maker(demo, "new"))
    assert created and again.pk != old.pk
    assert create_once(user=user, key="k-recent", body_hash="b", create=maker(demo, "y")) == (recent, False)
    assert purge_old_keys() == 0
