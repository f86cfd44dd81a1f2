"""Cost arithmetic: list prices × quantities, 730 hours a month, GB-months spread over the hours."""

from decimal import Decimal as D

import pytest

from portal.catalog.models import Price
from portal.catalog.pricing import CostEstimate, estimate_item
from portal.onboarding.selectors import request_estimate as estimate_request
from portal.onboarding.services import submit_new_request
from tests.fixtures.people import CPU_VM_VALUES

CLUSTER = {"name": "eks", "cpu_instance_types": ["m5.xlarge", "c5.2xlarge"], "cpu_min_size": 1,
           "cpu_desired_size": 2, "cpu_max_size": 3, "gpu_enabled": False, "node_disk_size_gb": 50, "purpose": "x"}


def test_cpu_vm_is_instance_hours_plus_disk_gb_months(demo):
    cost = estimate_item(version=demo.versions["cpu-vm"], values=CPU_VM_VALUES)  # t3.large, 40 GB
    assert isinstance(cost, CostEstimate)
    assert cost.monthly == D("0.0832") * 730 + D("0.08") * 40 == D("63.936")
    assert cost.hourly == D("0.0832") + D("3.2") / 730
    assert [(line.key, line.quantity) for line in cost.lines] == [("ec2:t3.large", 1), ("ebs:gp3", 40)]


def test_gpu_vm_uses_the_admin_edited_price(demo):
    Price.objects.filter(key="ec2:g5.xlarge").update(usd=D("2.000000"))
    cost = estimate_item(version=demo.versions["gpu-vm"], values={"instance_type": "g5.xlarge", "disk_size_gb": 100})
    assert cost.monthly == D(2) * 730 + D("0.08") * 100 == D("1468")


def test_cluster_counts_control_plane_desired_nodes_and_their_disks(demo):
    version = demo.versions["eks-cluster"]
    cost = estimate_item(version=version, values=CLUSTER)
    assert cost.hourly.quantize(D("0.0001")) == (D("0.10") + 2 * D("0.192") + 2 * 50 * D("0.08") / 730).quantize(
        D("0.0001"))
    with_gpu = estimate_item(version=version, values={**CLUSTER, "gpu_enabled": True, "gpu_instance_types":
                                                       ["g5.xlarge"], "gpu_desired_size": 1, "gpu_max_size": 2})
    assert with_gpu.monthly - cost.monthly == D("1.006") * 730 + 50 * D("0.08")


def test_bucket_and_pipeline_are_priced_per_month(demo):
    bucket = estimate_item(version=demo.versions["storage-bucket"], values={"expected_size_gb": 1000})
    assert (bucket.monthly, bucket.hourly) == (D("23.000"), D("23.000") / 730)
    pipeline = estimate_item(version=demo.versions["ci-pipeline"],
                             values={"compute_type": "BUILD_GENERAL1_MEDIUM", "build_minutes_per_month": 600})
    assert pipeline.monthly == D("6.00")


@pytest.mark.parametrize("slug", ["ml-repo", "directory-group"])
def test_repositories_and_groups_cost_nothing(demo, slug):
    cost = estimate_item(version=demo.versions[slug], values={"name": "x"})
    assert (cost.hourly, cost.monthly, cost.lines) == (0, 0, [])


def test_missing_values_fall_back_to_schema_defaults(demo):
    cost = estimate_item(version=demo.versions["cpu-vm"], values={})  # t3.large, 50 GB by default
    assert cost.monthly == D("0.0832") * 730 + D("0.08") * 50


def test_a_missing_price_is_said_not_guessed(demo):
    Price.objects.filter(key="ec2:t3.large").delete()
    cost = estimate_item(version=demo.versions["cpu-vm"], values=CPU_VM_VALUES)
    assert cost.monthly == D("3.2")
    assert "No price for ec2:t3.large" in cost.notes[0]


def test_garbage_values_never_break_the_estimate(demo):
    for values in ({"instance_type": 5, "disk_size_gb": "many"}, {"cpu_instance_types": "m5", "gpu_enabled": "yes"},
                   {"disk_size_gb": float("nan")}, None):
        estimate_item(version=demo.versions["cpu-vm"], values=values)
        estimate_item(version=demo.versions["eks-cluster"], values=values)


def test_request_estimate_sums_its_items(demo):
    request = submit_new_request(
        actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="two",
        items=[(demo.versions["cpu-vm"], CPU_VM_VALUES), (demo.versions["cpu-vm"], {**CPU_VM_VALUES, "name": "vm-2"})],
    )
    total = estimate_request(request)
    assert total.monthly == 2 * D("63.936") and len(total.lines) == 4
