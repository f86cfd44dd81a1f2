"""Admin pages for prices, bundles and quotas open and save."""

from decimal import Decimal

import pytest

from portal.catalog.models import Bundle, BundleItem, Price
from portal.teams.models import Quota


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo.people["admin"])
    return client


def test_admin_lists_open(admin_client, demo):
    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=2)
    bundle = Bundle.objects.get(slug="ml-starter")
    for url in ["/admin/catalog/price/", "/admin/catalog/bundle/", f"/admin/catalog/bundle/{bundle.pk}/change/",
                "/admin/teams/quota/", f"/admin/teams/team/{demo.teams['churn-modelling'].pk}/change/",
                f"/admin/catalog/resourcetemplate/{demo.versions['gpu-vm'].template_id}/change/"]:
        assert admin_client.get(url).status_code == 200, url
    assert "GPUs 0" in admin_client.get("/admin/teams/quota/").content.decode()


def test_prices_are_edited_in_the_list(admin_client):
    price = Price.objects.get(key="ec2:g5.xlarge")
    assert price.usd == Decimal("1.006")
    rows = list(Price.objects.order_by("key"))
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "Save"}
    for n, row in enumerate(rows):
        data[f"form-{n}-id"] = row.pk
        data[f"form-{n}-usd"] = "1.1" if row.pk == price.pk else str(row.usd)
    assert admin_client.post("/admin/catalog/price/", data).status_code == 302
    price.refresh_from_db()
    assert price.usd == Decimal("1.1")


def test_a_bundle_item_version_must_belong_to_its_template(admin_client, demo):
    bundle = Bundle.objects.create(slug="mixed", name="Mixed")
    data = {"slug": "mixed", "name": "Mixed", "description": "", "is_active": "on",
            "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 0,
            "items-0-position": 0, "items-0-template": demo.versions["cpu-vm"].template_id,
            "items-0-version": demo.versions["gpu-vm"].pk, "items-0-label": ""}
    page = admin_client.post(f"/admin/catalog/bundle/{bundle.pk}/change/", data).content.decode()
    assert "is not a version of CPU virtual machine" in page
    assert not BundleItem.objects.filter(bundle=bundle).exists()
