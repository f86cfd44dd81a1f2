"""A plan run tells approvers what would be created, and creates nothing."""

import pytest

from portal.onboarding.models import OnboardingRequest, RequestItem
from provisioning.executor import execute_run
from provisioning.models import Run
from tests.fixtures.people import CPU_VM_CREATES, CPU_VM_VALUES
from tests.fixtures.runs import make_run


@pytest.fixture
def item(demo):
    request = OnboardingRequest.objects.create(team=demo.teams["churn-modelling"],
                                               requester=demo.people["requester"], title="plan me")
    return RequestItem.objects.create(request=request, template_version=demo.versions["cpu-vm"],
                                      values={**CPU_VM_VALUES, "name": "plan-only-vm"})


def test_plan_run_summarises_and_creates_nothing(item, in_process_worker, sandbox_client):
    run = make_run(item=item, action=Run.Action.PLAN)
    ended = execute_run(run.pk)
    assert ended.status == "succeeded", ended.error
    assert ended.plan_summary["add"] == len(CPU_VM_CREATES) and ended.plan_summary["destroy"] == 0
    assert ended.plan_summary["resources"] == [
        {"address": address, "type": address.split(".")[0], "actions": ["create"]} for address in CPU_VM_CREATES
    ]
    names = [t["Value"] for r in sandbox_client("ec2").describe_instances()["Reservations"]
             for i in r["Instances"] for t in i.get("Tags", []) if t["Key"] == "Name"]
    assert "plan-only-vm" not in names
    assert any(f"Plan: {len(CPU_VM_CREATES)} to add" in line for line in ended.log_lines.values_list("text", flat=True))


def test_a_run_is_claimed_once(item, in_process_worker):
    """The same task delivered twice: the second delivery finds nothing to do."""
    run = make_run(item=item, action=Run.Action.PLAN)
    assert execute_run(run.pk) is not None
    assert execute_run(run.pk) is None
    assert Run.objects.get(pk=run.pk).log_lines.filter(text__startswith="portal: init").count() == 1


def test_unknown_engine_fails_with_a_clear_reason(item, in_process_worker):
    version = item.template_version
    # a raw update: a published version refuses save(), and this test needs an engine not installed
    type(version).objects.filter(pk=version.pk).update(engine="quantum")
    run = make_run(item=type(item).objects.get(pk=item.pk), action=Run.Action.APPLY)
    assert run.engine == "quantum"  # the snapshot names the engine the version had when it was queued
    ended = execute_run(run.pk)
    assert ended.status == "failed" and "'quantum' engine is not available" in ended.error
