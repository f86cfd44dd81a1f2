"""Routing: which steering teams get a stage, in which group, and why — from rules that are data."""

import pytest
from django.utils.html import escape

from portal.approvals.models import ApprovalRule, RuleCondition
from tests.approvals.conftest import GPU_VALUES

pytestmark = pytest.mark.django_db


def stages(request):
    return {s.team.slug: s for s in request.stages.all()}


def test_a_cpu_vm_with_internal_data_goes_to_mlops_only(submit):
    request = submit()
    assert list(stages(request)) == ["mlops-enablement"]
    assert stages(request)["mlops-enablement"].status == "pending"


def test_gpu_with_confidential_data_routes_to_mlops_finance_and_infosec(submit, gpu_version):
    request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
    by_team = stages(request)
    assert set(by_team) == {"mlops-enablement", "finance", "infosec"}
    assert "GPU" in by_team["finance"].reason and "InfoSec" in by_team["infosec"].reason
    # MLOps and InfoSec decide in parallel; Finance opens when both have approved.
    assert {slug: s.status for slug, s in by_team.items()} == {
        "mlops-enablement": "pending", "infosec": "pending", "finance": "waiting"}
    assert by_team["mlops-enablement"].due_at is not None and by_team["finance"].due_at is None
    assert request.routing_facts["any_gpu"] is True and request.routing_facts["kinds"] == ["gpu_vm"]


@pytest.mark.parametrize("classification", ["confidential", "restricted"])
def test_sensitive_data_adds_infosec(submit, classification):
    assert "infosec" in stages(submit(data_classification=classification))


@pytest.mark.parametrize("classification", ["public", "internal"])
def test_ordinary_data_does_not(submit, classification):
    assert "infosec" not in stages(submit(data_classification=classification))


@pytest.mark.parametrize(("cost", "finance"), [(2500, True), (2000, False), (150, False)])
def test_a_high_monthly_cost_adds_finance(submit, monthly_cost, cost, finance):
    monthly_cost(cost)
    request = submit()
    assert ("finance" in stages(request)) is finance
    assert request.estimated_monthly_cost == cost


def test_gpu_and_high_cost_make_one_finance_stage_with_both_reasons(submit, gpu_version, monthly_cost):
    monthly_cost(9000)
    finance = stages(submit(gpu_version, GPU_VALUES))["finance"]
    assert "GPU" in finance.reason and "monthly cost" in finance.reason
    assert finance.request.stages.filter(team__slug="finance").count() == 1


@pytest.mark.parametrize(("gpu", "expected"), [
    (False, {"mlops-enablement", "cloud-ops"}), (True, {"mlops-enablement", "cloud-ops", "finance"})])
def test_a_cluster_goes_to_cloud_ops_and_with_gpu_nodes_to_finance(submit, cluster_version, gpu, expected):
    request = submit(cluster_version, {"name": "kube-one", "node_count": 2, "gpu_enabled": gpu})
    assert set(stages(request)) == expected


def test_rules_on_item_values_and_n_of_m(submit, demo):
    rule = ApprovalRule.objects.create(name="Big disks", team=demo.teams["cloud-ops"], reason="Big disks.",
                                       required_approvals=2, group=1, sla_hours=4)
    RuleCondition.objects.create(rule=rule, fact="values.disk_size_gb", operator="gte", value=500)
    assert "cloud-ops" not in stages(submit())
    big = submit(values={"name": "big-vm", "instance_type": "t3.large", "disk_size_gb": 800, "purpose": "data"})
    stage = stages(big)["cloud-ops"]
    assert (stage.required_approvals, stage.sla_hours, stage.reason) == (2, 4, "Big disks.")


def test_all_conditions_of_a_rule_must_hold(submit, demo, gpu_version):
    rule = ApprovalRule.objects.create(name="Confidential GPU", team=demo.teams["cloud-ops"], reason="Both.")
    RuleCondition.objects.create(rule=rule, fact="any_gpu", operator="is_true")
    RuleCondition.objects.create(rule=rule, fact="data_classification", operator="equals", value="restricted")
    assert "cloud-ops" not in stages(submit(gpu_version, GPU_VALUES))
    assert "cloud-ops" in stages(submit(gpu_version, GPU_VALUES, data_classification="restricted"))


def test_inactive_rules_do_not_route(submit):
    ApprovalRule.objects.filter(name="Confidential data").update(is_active=False)
    assert "infosec" not in stages(submit(data_classification="restricted"))


def test_stages_are_frozen_at_submit(submit, gpu_version):
    request = submit(gpu_version, GPU_VALUES)
    ApprovalRule.objects.filter(name="GPU resources").update(is_active=False)
    RuleCondition.objects.filter(rule__name="Every request").update(operator="equals", fact="team", value="x")
    request.refresh_from_db()
    assert set(stages(request)) == {"mlops-enablement", "finance"}


def test_no_matching_rule_still_needs_the_default_team(submit):
    ApprovalRule.objects.update(is_active=False)
    stage = submit().stages.get()
    assert stage.team.slug == "mlops-enablement" and "default" in stage.reason


def test_the_request_page_says_why_each_stage_is_there(client, demo, submit, gpu_version):
    request = submit(gpu_version, GPU_VALUES, data_classification="restricted")
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{request.pk}/").content.decode()
    for stage in request.stages.all():
        assert escape(stage.reason) in page
    assert "Restricted" in page and "CC-1" in page
