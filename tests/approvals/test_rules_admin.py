"""Admins edit rules in the Django admin; conditions are checked there, and every save is audited."""

import pytest

from portal.approvals.models import ApprovalRule
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def rule_post(demo, **condition):
    return {
        "name": "Huge disks", "team": demo.teams["cloud-ops"].pk, "reason": "Big storage needs Cloud Ops.",
        "required_approvals": "2", "group": "1", "sla_hours": "24", "is_active": "on",
        "conditions-TOTAL_FORMS": "1", "conditions-INITIAL_FORMS": "0", "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000", **{f"conditions-0-{k}": v for k, v in condition.items()},
    }


def test_an_admin_adds_a_rule_with_a_condition(client, demo, submit):
    client.force_login(demo.people["admin"])
    response = client.post("/admin/approvals/approvalrule/add/",
                           rule_post(demo, fact="values.disk_size_gb", operator="gt", value="1000"))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = ApprovalRule.objects.get(name="Huge disks")
    assert [(c.fact, c.operator, c.value) for c in rule.conditions.all()] == [("values.disk_size_gb", "gt", 1000)]
    assert AuditEvent.objects.get(verb="approval_rule.saved").data["conditions"] == [
        ["values.disk_size_gb", "gt", 1000]]
    big = submit(values={"name": "big-vm", "instance_type": "t3.large", "disk_size_gb": 1500, "purpose": "big data"})
    assert big.stages.get(team__slug="cloud-ops").required_approvals == 2


@pytest.mark.parametrize(("condition", "message"), [
    ({"fact": "monthly_cost", "operator": "gt", "value": '"lots"'}, "Compare with a number"),
    ({"fact": "__class__", "operator": "equals", "value": "1"}, "Unknown fact"),
    ({"fact": "kinds", "operator": "contains", "value": "gpu_vm"}, "Enter a valid JSON"),
])
def test_a_bad_condition_is_refused_in_the_admin(client, demo, condition, message):
    client.force_login(demo.people["admin"])
    response = client.post("/admin/approvals/approvalrule/add/", rule_post(demo, **condition))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ApprovalRule.objects.filter(name="Huge disks").exists()


def test_rules_can_only_name_steering_teams(client, demo):
    client.force_login(demo.people["admin"])
    post = {**rule_post(demo, fact="any_gpu", operator="is_true", value=""), "team": demo.teams["churn-modelling"].pk}
    response = client.post("/admin/approvals/approvalrule/add/", post)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("path", ["/approvals/", "/approvals/delegations/", "/requests/1/edit/"])
def test_anonymous_is_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/")
