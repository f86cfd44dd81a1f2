"""After an approved triage: an environment request drafted and sized from the product's profile, a
decommission checklist for retire, a revisit date with a reminder for retain."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.migration.models import DataProduct, Decommission
from portal.migration.services import remind_revisits
from portal.onboarding.models import OnboardingRequest, RequestStatus


def triaged(product, r):
    DataProduct.objects.filter(pk=product.pk).update(status=DataProduct.Status.TRIAGED, r=r)
    product.refresh_from_db()
    return product


def test_one_click_drafts_a_request_from_the_mapped_template_sized_from_the_profile(client, make_product, migration):
    product = triaged(make_product(name="Churn_Scoring", cores=8, memory_gb=32, hours_per_week=20), "rehost")
    client.force_login(migration.people["requester"])
    response = client.post(f"/migrations/products/{product.pk}/environment/")
    draft = OnboardingRequest.objects.get(migration_product=product)
    assert response.status_code == 302 and response.url == f"/requests/{draft.pk}/draft/"
    assert draft.status == RequestStatus.DRAFT
    item = draft.items.get()
    assert item.template_version.template.slug == "cpu-vm"
    # 8 cores and 32 GB: the cheapest offered type that fits (m5.2xlarge, not the r5 or c5).
    assert item.values["instance_type"] == "m5.2xlarge" and item.values["name"] == "churn-scoring"
    assert item.values["workload_hours_per_week"] == 20
    product.refresh_from_db()
    assert product.status == DataProduct.Status.MIGRATING
    page = client.get(response.url).content.decode()
    assert "m5.2xlarge" in page and "Migration of Churn_Scoring" in page
    client.post(f"/requests/{draft.pk}/discard/")  # given up: the product may ask again
    product.refresh_from_db()
    assert product.status == DataProduct.Status.TRIAGED


def test_a_bundle_mapping_gives_one_item_per_template(client, make_product, migration):
    product = triaged(make_product(kind="notebook", languages=["SAS"]), "refactor")
    client.force_login(migration.people["requester"])
    client.post(f"/migrations/products/{product.pk}/environment/")
    draft = OnboardingRequest.objects.get(migration_product=product)
    slugs = [item.template_version.template.slug for item in draft.items.all()]
    assert slugs == ["ml-repo", "ci-pipeline", "directory-group", "cpu-vm"]
    names = [item.values.get("name") for item in draft.items.all()]
    assert len(set(names)) == 4


def test_no_mapping_says_so(client, make_product, migration):
    from portal.migration.models import EnvironmentMapping

    EnvironmentMapping.objects.filter(r="rehost").delete()
    product = triaged(make_product(), "rehost")
    client.force_login(migration.people["requester"])
    page = client.post(f"/migrations/products/{product.pk}/environment/", follow=True).content.decode()
    assert "No template or bundle is mapped to Rehost" in page
    assert not OnboardingRequest.objects.exists()


def test_retire_runs_a_checklist_before_the_product_is_retired(client, make_product, migration):
    product = triaged(make_product(in_use=False), "retire")
    client.force_login(migration.people["requester"])
    client.post(f"/migrations/products/{product.pk}/decommission/")
    page = client.post(f"/migrations/products/{product.pk}/decommission/checklist/", {
        "owner_sign_off": "on", "retention": "archive", "complete": "1"}, follow=True).content.decode()
    assert "Archived data needs a date until which it is kept." in page
    page = client.post(f"/migrations/products/{product.pk}/decommission/checklist/", {
        "owner_sign_off": "on", "retention": "delete", "complete": "1"}, follow=True).content.decode()
    assert "Still missing: telling the people who use its results." in page
    client.post(f"/migrations/products/{product.pk}/decommission/checklist/", {
        "owner_sign_off": "on", "retention": "delete", "consumers_notified": "on", "complete": "1"})
    product.refresh_from_db()
    assert product.status == DataProduct.Status.RETIRED
    assert Decommission.objects.get(product=product).owner_signed_off_by == migration.people["requester"]


def test_retain_sets_a_revisit_date_and_the_team_is_reminded_once(client, make_product, migration):
    product = triaged(make_product(), "retain")
    client.force_login(migration.people["requester"])
    soon = timezone.localdate() + timedelta(days=30)
    client.post(f"/migrations/products/{product.pk}/retain/", {"revisit_on": soon.isoformat()})
    product.refresh_from_db()
    assert (product.status, product.revisit_on) == (DataProduct.Status.RETAINED, soon)
    assert remind_revisits(today=soon - timedelta(days=1)) == 0
    assert remind_revisits(today=soon) == 1
    assert remind_revisits(today=soon + timedelta(days=1)) == 0  # once


def test_a_retain_date_in_the_past_is_refused(client, make_product, migration):
    product = triaged(make_product(), "retain")
    client.force_login(migration.people["requester"])
    page = client.post(f"/migrations/products/{product.pk}/retain/",
                       {"revisit_on": timezone.localdate().isoformat()}, follow=True).content.decode()
    assert "The revisit date is in the future." in page


@pytest.mark.django_db(transaction=True)
def test_the_reminder_mails_the_team(make_product, migration):
    product = triaged(make_product(), "retain")
    DataProduct.objects.filter(pk=product.pk).update(status="retained", revisit_on=timezone.localdate())
    assert remind_revisits() == 1
    assert [m.subject for m in mail.outbox] == ["[Portal] Time to revisit churn-scoring"]
    assert mail.outbox[0].to == ["requester@example.org"]


def test_a_product_using_gpus_gets_the_gpu_mapping_sized_to_its_gpus(client, make_product, migration):
    gpu = triaged(make_product(name="image-model", cores=16, memory_gb=64, gpus=2), "rehost")
    cpu = triaged(make_product(name="tabular-model", cores=2, memory_gb=8), "rehost")
    client.force_login(migration.people["requester"])
    for product in (gpu, cpu):
        client.post(f"/migrations/products/{product.pk}/environment/")
    gpu_item = OnboardingRequest.objects.get(migration_product=gpu).items.get()
    cpu_item = OnboardingRequest.objects.get(migration_product=cpu).items.get()
    assert gpu_item.template_version.template.slug == "gpu-vm"
    assert gpu_item.values["instance_type"] == "g4dn.12xlarge"  # the cheapest offered with 2+ GPUs and 64+ GB
    assert (cpu_item.template_version.template.slug, cpu_item.values["instance_type"]) == ("cpu-vm", "t3.large")
