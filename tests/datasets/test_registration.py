"""Registering datasets: who may, what is checked (each refusal names its field), the audit row."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditEvent
from portal.core.errors import ApplicationError, PermissionDenied
from portal.datasets.models import Dataset
from portal.datasets.services import clean_prefix, register_dataset
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest, RequestItem

pytestmark = pytest.mark.django_db


def a_bucket(ds, *, team=None, name="churn-bucket"):
    """An active portal-made bucket of ``team`` (churn by default)."""
    team = team or ds.churn
    request = OnboardingRequest.objects.create(team=team, requester=ds.member, title="bucket")
    item = RequestItem.objects.create(request=request, template_version=ds.demo.versions["storage-bucket"],
                                      values={"name": name}, status=RequestItem.Status.ACTIVE)
    return ProvisionedResource.objects.create(item=item, team=team, template_version=item.template_version,
                                              kind="storage", name=name, outputs={"bucket_name": f"org-{name}"})


def test_a_lead_registers_a_dataset_on_a_team_bucket(ds):
    bucket = a_bucket(ds)
    dataset = register_dataset(actor=ds.lead, team=ds.churn, name="scores", data_owner=ds.member,
                               classification="confidential", bucket_resource=bucket, prefix="scores/2026",
                               retention_days=90, retention_action="delete")
    assert (dataset.bucket, dataset.prefix, dataset.registered_by) == ("org-churn-bucket", "scores/2026/", ds.lead)
    event = AuditEvent.objects.get(verb="dataset.registered", object_id=str(dataset.pk))
    assert event.data["data_owner"] == ds.member.username and event.actor == ds.lead


def test_a_plain_member_and_another_team_may_not_register(ds):
    bucket = a_bucket(ds)
    for actor in (ds.member, ds.outsider):
        with pytest.raises(PermissionDenied):
            register_dataset(actor=actor, team=ds.churn, name="scores", data_owner=ds.member,
                             classification="internal", bucket_resource=bucket)
    assert not Dataset.objects.filter(name="scores").exists()


def test_an_existing_bucket_only_by_a_platform_admin(ds):
    with pytest.raises(PermissionDenied):
        register_dataset(actor=ds.lead, team=ds.churn, name="legacy", data_owner=ds.member,
                         classification="internal", bucket="legacy-bucket")
    dataset = register_dataset(actor=ds.admin, team=ds.churn, name="legacy", data_owner=ds.member,
                               classification="internal", bucket="legacy-bucket")
    assert dataset.bucket_resource is None and dataset.bucket == "legacy-bucket"


@pytest.mark.parametrize("change, field", [
    ({"data_owner": "outsider"}, "data_owner"),  # the owner must be in the owning team
    ({"bucket_resource": "fraud"}, "bucket_resource"),  # another team's bucket
    ({"prefix": "../etc"}, "prefix"),
    ({"prefix": "/raw"}, "prefix"),
    ({"classification": "secret"}, "classification"),
    ({"retention_days": 40000}, "retention_days"),
    ({"retention_action": "shred"}, "retention_action"),
    ({"name": "churn-features"}, "name"),  # taken
])
def test_refusals_name_their_field(ds, change, field):
    kwargs = {"actor": ds.lead, "team": ds.churn, "name": "scores", "data_owner": ds.member,
              "classification": "internal", "bucket_resource": a_bucket(ds)}
    kwargs.update(change)
    if change.get("data_owner") == "outsider":
        kwargs["data_owner"] = ds.outsider
    if change.get("bucket_resource") == "fraud":
        kwargs["bucket_resource"] = a_bucket(ds, team=ds.fraud, name="fraud-bucket")
    with pytest.raises(ApplicationError) as refused:
        register_dataset(**kwargs)
    assert refused.value.field == field
    assert not Dataset.objects.filter(name="scores").exists()


def test_the_same_bucket_and_prefix_is_registered_once(ds):
    with pytest.raises(ApplicationError) as refused:
        register_dataset(actor=ds.admin, team=ds.churn, name="again", data_owner=ds.member,
                         classification="internal", bucket="demo-churn-data", prefix="features")
    assert refused.value.field == "prefix"


def test_prefixes_are_folders():
    assert clean_prefix("") == "" and clean_prefix("raw/claims") == "raw/claims/"
    for bad in ("a//b", "a/../b", "a b", "a\nb", "a;rm"):
        with pytest.raises(ApplicationError):
            clean_prefix(bad)
