"""gpu_vm applies and destroys in the sandbox; boto3 sees the instance, its disk and its tags."""

from __future__ import annotations

import pytest

AMI = "ami-04681a1dbd79675a5"  # known to moto; admin-fixed in the template version
TAGS = {"team": "vision", "request": "42", "item": "7"}


def test_gpu_vm_apply_and_destroy(module_run, sandbox_client):
    run = module_run("gpu_vm")
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


@pytest.mark.parametrize(
    ("instance_type", "message"),
    [("t3.large", "g4dn, g5, p3 or p4d family"), ("g5.3xlarge", "not one of the GPU types")],
)
def test_gpu_vm_refuses_types_it_does_not_offer(module_run, instance_type, message):
    run = module_run("gpu_vm")
    output = run.plan_fails({"name": "x", "instance_type": instance_type, "disk_size_gb": 100, "ami": AMI})
    assert message in output
