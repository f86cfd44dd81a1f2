"""A run stopped part-way may have made a machine its state never recorded (Terraform lost the cloud's
answer). The next apply or destroy of that workspace terminates such machines — only those tagged as the
item's that the state does not hold — and says so in its log; after a run that ended normally it does
not look."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from provisioning.cloud import strays
from provisioning.engines.base import RunContext, RunSpec, TerraformSettings
from provisioning.engines.terraform import TerraformEngine
from provisioning.models import LOST_WORKER_CAUSE, RunStatus
from provisioning.services import follows_interruption
from provisioning.workspace import CloudTarget
from tests.fixtures.runs import make_run

pytestmark = pytest.mark.django_db


def launch(ec2, item: str) -> str:
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": strays.ITEM_TAG, "Value": item}]}])["Instances"][0]["InstanceId"]


def state_with(instance_id: str) -> dict:
    return {"resources": [{"mode": "managed", "type": "aws_instance", "name": "this",
                           "instances": [{"attributes": {"id": instance_id}}]}]}


def live(ec2, *ids) -> set[str]:
    found = ec2.describe_instances(InstanceIds=list(ids))["Reservations"]
    return {i["InstanceId"] for r in found for i in r["Instances"] if i["State"]["Name"] in strays.LIVE_STATES}


def context(sandbox_url, *, item: str, after_interruption: bool, lines: list[str]) -> RunContext:
    tf = TerraformSettings(binary="terraform", workspaces_dir=None, cli_config=None, provider_block={},
                           credentials_env={}, state_backend="pg",
                           cloud=CloudTarget(region="us-east-1", sandbox_url=sandbox_url))
    spec = RunSpec(run_id=1, action="apply", purpose="provision", engine="terraform", module="cpu_vm",
                   workspace=f"item-{item}", variables={"tags": {strays.ITEM_TAG: item}},
                   after_interruption=after_interruption)
    return RunContext(spec=spec, settings=SimpleNamespace(terraform=tf), log=lines.append,
                      heartbeat=lambda phase=None: None)


def test_after_a_stopped_run_the_machine_the_state_never_recorded_is_terminated(sandbox_url, sandbox_client):
    ec2 = sandbox_client("ec2")
    kept, stray, other_items = launch(ec2, "9101"), launch(ec2, "9101"), launch(ec2, "9102")
    lines: list[str] = []
    location = SimpleNamespace(read=lambda: state_with(kept))

    TerraformEngine._terminate_strays(context(sandbox_url, item="9101", after_interruption=True, lines=lines), location)

    assert live(ec2, kept, stray, other_items) == {kept, other_items}
    assert any(stray in line and "terminating" in line for line in lines), lines


def test_after_a_run_that_ended_normally_nothing_is_looked_for(sandbox_url, sandbox_client):
    ec2 = sandbox_client("ec2")
    kept, unrecorded = launch(ec2, "9201"), launch(ec2, "9201")
    lines: list[str] = []

    TerraformEngine._terminate_strays(context(sandbox_url, item="9201", after_interruption=False, lines=lines),
                                      SimpleNamespace(read=lambda: state_with(kept)))

    assert live(ec2, kept, unrecorded) == {kept, unrecorded}
    assert lines == []


@pytest.mark.parametrize(("status", "cause", "follows"), [
    (RunStatus.CANCELLED, "", True),
    (RunStatus.FAILED, LOST_WORKER_CAUSE, True),
    (RunStatus.FAILED, "an invalid value", False),
    (RunStatus.SUCCEEDED, "", False),
])
def test_which_runs_follow_an_interruption(make_item, status, cause, follows):
    item = make_item("vm", "terraform", "cpu_vm", {"name": "strays"})
    make_run(item=item, action="apply", purpose="provision", status=status, failure_cause=cause,
             started_at="2026-01-01T00:00:00Z")
    make_run(item=item, action="plan", purpose="provision", status=RunStatus.CANCELLED,
             started_at="2026-01-01T00:01:00Z")  # a preview stopped part-way makes nothing
    after = make_run(item=item, action="destroy", purpose="compensation")

    assert follows_interruption(after) is follows
