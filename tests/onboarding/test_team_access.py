"""What reaches Terraform for getting in: the team's role from its directory group, ``instance_state`` from the
portal (never from the form), and neither for a module frozen before it declared them."""

import pytest

from portal.catalog.models import PORTAL_SET_VARIABLES
from portal.catalog.schema_checks import version_problems
from portal.inventory.services import record_resource
from portal.onboarding.snapshots import variables_for
from provisioning.models import Run
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db

ROLE = "arn:aws:iam::123456789012:role/churn-team-team2026"
BUCKET = {"name": "churn-data", "sse_algorithm": "AES256", "versioning": True, "lifecycle_days": 0,
          "purpose": "training data"}
GROUP = {"name": "churn-team", "description": "the churn team"}


@pytest.fixture
def team_items(demo, approved_request):
    """A request with a directory group (active, with its role), a CPU VM and a bucket."""
    request = approved_request([(demo.versions["directory-group"], GROUP), (demo.versions["cpu-vm"], CPU_VM_VALUES),
                                (demo.versions["storage-bucket"], BUCKET)])
    group, vm, bucket = request.items.order_by("position")
    return group, vm, bucket


def provision(item):
    return variables_for(item, action=Run.Action.APPLY, purpose=Run.Purpose.PROVISION)


def test_the_teams_role_reaches_vms_and_buckets_once_its_group_exists(team_items, settings):
    group, vm, bucket = team_items
    assert "team_role_arn" not in provision(vm)  # no group yet: nothing is granted, nothing fails
    record_resource(item=group, outputs={"group_id": "g-1", "team_role_arn": ROLE})
    assert provision(vm)["team_role_arn"] == ROLE
    assert provision(bucket)["team_role_arn"] == ROLE
    assert "team_role_arn" not in provision(group)


def test_a_later_request_of_the_team_gets_the_role_too_but_values_never_choose_it(demo, team_items,
                                                                                  approved_request):
    group, _, _ = team_items
    record_resource(item=group, outputs={"team_role_arn": ROLE})
    later = approved_request([(demo.versions["gpu-vm"], {**CPU_VM_VALUES, "instance_type": "g5.xlarge"})])
    [vm] = later.items.all()
    assert provision(vm)["team_role_arn"] == ROLE
    forged = {**vm.values, "team_role_arn": "arn:aws:iam::999999999999:role/not-yours"}
    assert variables_for(vm, action="apply", purpose="", values=forged)["team_role_arn"] == ROLE


def test_clusters_get_no_role_in_the_sandbox(demo, team_items, approved_request, settings):
    """moto has no EKS access entries; on AWS the role is fed like to any other kind."""
    group, _, _ = team_items
    record_resource(item=group, outputs={"team_role_arn": ROLE})
    item = approved_request([(demo.versions["eks-cluster"], {"name": "churn-k8s"})]).items.get()
    settings.PORTAL_CLOUD = "sandbox"
    assert "team_role_arn" not in provision(item)
    settings.PORTAL_CLOUD = "aws"
    assert provision(item)["team_role_arn"] == ROLE


def test_instance_state_passes_through_and_a_change_of_values_keeps_a_stopped_vm_stopped(team_items):
    _, vm, _ = team_items
    stop = variables_for(vm, action="apply", purpose=Run.Purpose.MODIFY,
                         values={**vm.values, "instance_state": "stopped"})
    assert stop["instance_state"] == "stopped"
    assert "instance_state" not in provision(vm)  # the form never has it: the module's default (running)
    resource = record_resource(item=vm, outputs={"instance_id": "i-0abc"})
    type(resource).objects.filter(pk=resource.pk).update(power_state="stopped")  # what a settled stop run leaves
    bigger = variables_for(vm, action="apply", purpose=Run.Purpose.MODIFY, values={**vm.values, "disk_size_gb": 80})
    assert (bigger["instance_state"], bigger["disk_size_gb"]) == ("stopped", 80)
    started = variables_for(vm, action="apply", purpose=Run.Purpose.MODIFY,
                            values={**vm.values, "instance_state": "running"})
    assert started["instance_state"] == "running"


def test_a_module_frozen_before_it_declared_them_never_gets_portal_set_variables(team_items):
    from provisioning.services import store_module

    group, vm, _ = team_items
    record_resource(item=group, outputs={"team_role_arn": ROLE})
    version = vm.template_version
    files = dict(version.module_content.files)
    for name in PORTAL_SET_VARIABLES:  # the same module without the two declarations
        files["variables.tf"] = files["variables.tf"].replace(f'variable "{name}"', f'variable "old_{name}"')
    type(version).objects.filter(pk=version.pk).update(module_content=store_module(files))
    vm.template_version.refresh_from_db()
    variables = variables_for(vm, action="apply", purpose="", values={**vm.values, "instance_state": "stopped"})
    assert not PORTAL_SET_VARIABLES & variables.keys()
    assert variables["instance_type"] == "t3.large"


@pytest.mark.parametrize("where", ["schema", "fixed"])
def test_a_template_may_not_offer_or_fix_a_portal_set_variable(where, settings):
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    fixed = {}
    if where == "schema":
        schema["properties"]["instance_state"] = {"type": "string", "enum": ["running", "stopped"]}
    else:
        fixed["team_role_arn"] = ROLE
    problems = version_problems(schema=schema, engine="terraform", module="cpu_vm", fixed_values=fixed,
                                modules_dir=settings.TERRAFORM_MODULES_DIR)
    assert any("The portal sets" in p for p in problems)
