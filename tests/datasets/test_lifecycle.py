"""Changing a dataset's class or retention: asked by its data owner only, reviewed (InfoSec when the data becomes
confidential or restricted), applied on approval, refused on a lower class while stricter grants exist."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.errors import ApplicationError, PermissionDenied
from portal.datasets.models import Dataset, LifecycleChange
from portal.datasets.services import request_access, request_lifecycle_change
from portal.inventory.services import record_resource
from portal.onboarding.models import RequestItem, RequestStatus
from portal.onboarding.services import record_decision
from provisioning.models import Run

pytestmark = pytest.mark.django_db
WHY = "the contact notes were removed"


def change(ds, dataset=None, actor=None, **values):
    dataset = dataset or ds.internal
    asked = {"classification": dataset.classification, "retention_days": dataset.retention_days,
             "retention_action": dataset.retention_action, "reason": WHY, **values}
    return request_lifecycle_change(actor=actor or ds.member, dataset=dataset, **asked)


def stage_teams(request):
    return [stage.team.slug for stage in request.stages.order_by("position")]


def test_a_stricter_class_goes_to_infosec_and_applies_when_approved(ds):
    asked = change(ds, classification="confidential", retention_days=90)
    request = asked.request
    assert request.kind == "dataset_change" and stage_teams(request) == ["infosec"]
    ds.internal.refresh_from_db()
    assert ds.internal.classification == "internal"  # nothing changes before the decision
    record_decision(stage=request.stages.get(), actor=ds.demo.people["infosec-approver"], outcome="approve")
    request.refresh_from_db()
    ds.internal.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert (ds.internal.classification, ds.internal.retention_days) == ("confidential", 90)
    assert LifecycleChange.objects.get().applied_at is not None
    assert AuditEvent.objects.filter(verb="dataset.changed", object_id=str(ds.internal.pk)).exists()
    assert not Run.objects.filter(item__request=request).exists()  # nothing provisioned


def test_a_retention_change_goes_to_the_default_steering_team_and_a_rejection_changes_nothing(ds):
    request = change(ds, retention_days=30, retention_action="anonymise").request
    assert stage_teams(request) == ["mlops-enablement"]
    record_decision(stage=request.stages.get(), actor=ds.demo.people["approver"], outcome="reject",
                    comment="keep it a year")
    ds.internal.refresh_from_db()
    assert (ds.internal.retention_days, ds.internal.retention_action) == (0, "delete")


def test_only_the_data_owner_asks(ds):
    for actor in (ds.lead, ds.admin, ds.outsider):
        with pytest.raises(PermissionDenied):
            change(ds, actor=actor, retention_days=30)
    assert not LifecycleChange.objects.exists()


@pytest.mark.parametrize("values, field", [
    ({"classification": "secret"}, "classification"), ({"retention_days": -1}, "retention_days"),
    ({"retention_action": "burn"}, "retention_action"), ({"reason": " ", "retention_days": 5}, "reason"),
])
def test_bad_values_are_refused_on_their_field(ds, values, field):
    with pytest.raises(ApplicationError) as refused:
        change(ds, **values)
    assert refused.value.field == field


def test_nothing_to_change_and_one_change_at_a_time(ds):
    with pytest.raises(ApplicationError):
        change(ds)
    change(ds, retention_days=10)
    with pytest.raises(ApplicationError):
        change(ds, retention_days=20)


def test_a_lower_class_is_refused_while_stricter_grants_exist(asking):
    Dataset.objects.filter(pk=asking.internal.pk).update(classification="confidential")
    asking.internal.refresh_from_db()
    ask = request_access(actor=asking.outsider, dataset=asking.internal, team=asking.fraud, access="read",
                         purpose="scoring features for a model", days=30)
    for stage in ask.request.stages.order_by("position"):
        record_decision(stage=stage, actor=asking.member if stage.approver_id else asking.demo.people[
            "infosec-approver"], outcome="approve")
    Run.objects.filter(item__request=ask.request).update(status="succeeded", finished_at=timezone.now())
    RequestItem.objects.filter(request=ask.request).update(status=RequestItem.Status.ACTIVE)
    record_resource(item=ask.request.items.get(), outputs={})
    with pytest.raises(ApplicationError) as refused:
        change(asking, classification="internal")
    assert refused.value.field == "classification" and "Fraud modelling" in refused.value.message
    assert change(asking, classification="restricted").request.status == RequestStatus.IN_REVIEW  # stricter: fine


def test_the_change_form_answers_with_field_errors(client, ds):
    url = reverse("datasets:change_lifecycle", args=[ds.internal.pk])
    client.force_login(ds.member)
    assert 'id="change-lifecycle"' in client.get(reverse("datasets:dataset", args=[ds.internal.pk])).content.decode()
    bad = client.post(url, {"classification": "secret", "retention_days": "x", "retention_action": "delete"})
    assert bad.status_code == 400 and {"classification", "retention_days", "reason"} <= set(
        bad.context["change_form"].errors)
    same = client.post(url, {"classification": "internal", "retention_days": "0", "retention_action": "delete",
                             "reason": WHY})
    assert same.status_code == 400 and same.context["change_form"].non_field_errors()
    made = client.post(url, {"classification": "internal", "retention_days": "30", "retention_action": "delete",
                             "reason": WHY})
    assert made.status_code == 302
    client.force_login(ds.lead)
    assert client.post(url, {}).status_code == 403
    page = client.get(reverse("datasets:dataset", args=[ds.internal.pk])).content.decode()
    assert 'id="change-lifecycle"' not in page
