"""The catalog through the API: templates with their newest published version, bundles, estimates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.catalog.models import Bundle
from portal.catalog.pricing import estimate_items
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db


def test_templates_list_each_published_template_with_the_version_a_request_gets(demo, api_as):
    answer = api_as(demo.people["requester"], scopes=["read"]).get("/api/v1/catalog/templates")
    assert answer.status_code == 200
    by_slug = {template["slug"]: template for template in answer.json()}
    assert set(by_slug) == set(demo.versions) - {"dataset-grant"}  # asked on a dataset's page, never here
    vm = by_slug["cpu-vm"]
    assert vm["kind"] == "cpu_vm" and vm["name"] == "CPU virtual machine"
    assert vm["version"]["id"] == demo.versions["cpu-vm"].pk and vm["version"]["number"] == 1
    assert vm["version"]["parameter_schema"]["required"] == ["name", "instance_type", "disk_size_gb", "purpose"]
    assert vm["version"]["defaults"]["instance_type"] == "t3.large"


def test_one_template_by_slug_and_an_unknown_one_is_a_404_problem(demo, api_as):
    client = api_as(demo.people["requester"], scopes=["read"])
    assert client.get("/api/v1/catalog/templates/gpu-vm").json()["version"]["id"] == demo.versions["gpu-vm"].pk
    missing = client.get("/api/v1/catalog/templates/no-such-thing")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


def test_bundles_name_their_templates_in_order_and_an_inactive_bundle_is_not_found(demo, api_as):
    client = api_as(demo.people["requester"], scopes=["read"])
    bundles = {bundle["slug"]: bundle for bundle in client.get("/api/v1/catalog/bundles").json()}
    assert [item["template"] for item in bundles["ml-starter"]["items"]] == [
        "ml-repo", "ci-pipeline", "directory-group", "cpu-vm"]
    assert all(item["version"] == 1 for item in bundles["ml-starter"]["items"])
    one = client.get("/api/v1/catalog/bundles/gpu-training").json()
    assert [item["template"] for item in one["items"]] == ["gpu-vm", "storage-bucket"]
    Bundle.objects.filter(slug="gpu-training").update(is_active=False)
    assert client.get("/api/v1/catalog/bundles/gpu-training").status_code == 404
    assert "gpu-training" not in {b["slug"] for b in client.get("/api/v1/catalog/bundles").json()}


def test_estimate_is_the_price_tables_sum_with_its_lines(demo, api_as):
    client = api_as(demo.people["requester"], scopes=["read"])  # an estimate saves nothing: read is enough
    answer = client.post("/api/v1/catalog/estimate", {"items": [
        {"template": "cpu-vm", "values": CPU_VM_VALUES}, {"template": "gpu-vm", "values": {}}]}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    expected = estimate_items([(demo.versions["cpu-vm"], CPU_VM_VALUES), (demo.versions["gpu-vm"], {})])
    assert Decimal(body["monthly_total"]) == expected.monthly.quantize(Decimal("0.01")) > 0
    assert body["currency"] == "USD"
    assert [line["key"] for line in body["lines"]] == ["ec2:t3.large", "ebs:gp3", "ec2:g4dn.xlarge", "ebs:gp3"]


@pytest.mark.parametrize(("body", "pointer"), [
    ({"items": [{"template": "cpu-vm"}, {"template": "nothing-like-it"}]}, "/items/1/template"),
    ({"items": [{"template": "cpu-vm", "values": [1, 2]}]}, "/items/0/values"),
    ({"items": []}, "/items"),
    ({"items": "cpu-vm"}, "/items"),
    ({}, "/items"),
])
def test_a_bad_estimate_is_a_400_problem_pointing_at_the_value(demo, api_as, body, pointer):
    answer = api_as(demo.people["requester"], scopes=["read"]).post("/api/v1/catalog/estimate", body, format="json")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert pointer in [error["pointer"] for error in answer.json()["errors"]]


def test_catalog_needs_a_login(db, client):
    assert client.get("/api/v1/catalog/templates").status_code == 401
