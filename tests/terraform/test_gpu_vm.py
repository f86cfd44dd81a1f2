"""gpu_vm applies and destroys in the sandbox; boto3 sees the instance, its disk and its tags."""

from __future__ import annotations

import pytest

from .conftest import PlanCheck, refused_plan, scenario

AMI = "ami-04681a1dbd79675a5"  # known to moto; admin-fixed in the template version
TAGS = {"team": "vision", "request": "42", "item": "7"}


@scenario("gpu_vm")
def gpu_vm_apply_and_destroy(run, sandbox_client):
    variables = {
        "name": "vision-train-1",
        "instance_type": "g5.12xlarge",
        "disk_size_gb": 200,
        "purpose": "fine-tune detector",
        "ami": AMI,
        "tags": TAGS,
    }
    ec2 = sandbox_client("ec2")

    out = run.apply(variables)

    assert out["instance_type"] == "g5.12xlarge"
    assert out["gpu_count"] == 4
    instance = ec2.describe_instances(InstanceIds=[out["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "running"
    assert instance["InstanceType"] == "g5.12xlarge"
    assert instance["ImageId"] == AMI
    assert instance["PrivateIpAddress"] == out["private_ip"]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags == {**TAGS, "Name": "vision-train-1", "Purpose": "fine-tune detector", "GpuCount": "4"}
    root = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    volume = ec2.describe_volumes(VolumeIds=[root])["Volumes"][0]
    assert (volume["Size"], volume["VolumeType"], volume["Encrypted"]) == (200, "gp3", True)

    run.destroy(variables)

    instance = ec2.describe_instances(InstanceIds=[out["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "terminated"
    assert run.state_resources() == []


@pytest.mark.parametrize("job", [gpu_vm_apply_and_destroy], ids=["gpu_vm"])
def test_gpu_vm_apply_and_destroy(terraform_jobs, job):
    terraform_jobs.result(job)  # the scenario above, run in the background; it fails here


def _refused(instance_type: str) -> PlanCheck:
    return refused_plan("gpu_vm", {"name": "x", "instance_type": instance_type, "disk_size_gb": 100, "ami": AMI})


@pytest.mark.parametrize(
    ("refusal", "message"),
    [(_refused("t3.large"), "g4dn, g5, p3 or p4d family"), (_refused("g5.3xlarge"), "not one of the GPU types")],
    ids=["t3.large", "g5.3xlarge"],
)
def test_gpu_vm_refuses_types_it_does_not_offer(terraform_jobs, refusal, message):
    output = terraform_jobs.result(refusal)  # the plan's output (it ran in the background)
    assert message in output
