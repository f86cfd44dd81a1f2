"""gpu_vm applies and destroys in the sandbox; boto3 sees the instance, its disk and its tags, the way in
(instance profile, its role with Systems Manager access, the team role's session grant) and the instance
stopped and started again through ``instance_state``."""

from __future__ import annotations

import pytest

from .conftest import PlanCheck, refused_plan, scenario

AMI = "ami-04681a1dbd79675a5"  # known to moto; admin-fixed in the template version
TAGS = {"team": "vision", "request": "42", "item": "7"}
TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", ' \
        '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}'


@scenario("gpu_vm")
def gpu_vm_apply_and_destroy(run, sandbox_client):
    variables = {
        "name": "vision-train-1",
        "instance_type": "g5.12xlarge",
        "disk_size_gb": 200,
        "purpose": "fine-tune detector",
        "ami": AMI,
        "notebook_port": 8888,
        "tags": TAGS,
    }
    ec2, iam = sandbox_client("ec2"), sandbox_client("iam")
    # The team's role, as the team's directory group module makes it (a role of the account).
    team_role = iam.create_role(RoleName="vision-team-gpu-test", AssumeRolePolicyDocument=TRUST)["Role"]
    variables["team_role_arn"] = team_role["Arn"]

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

    # Getting in: the connect commands' names resolve to real things.
    assert (out["instance_state"], out["region"], out["notebook_port"]) == ("running", "us-east-1", 8888)
    assert instance["IamInstanceProfile"]["Arn"].endswith(f":instance-profile/{out['instance_profile_name']}")
    profile = iam.get_instance_profile(InstanceProfileName=out["instance_profile_name"])["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [out["instance_role_name"]]
    attached = iam.list_attached_role_policies(RoleName=out["instance_role_name"])["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonSSMManagedInstanceCore"]
    [grant] = iam.list_role_policies(RoleName="vision-team-gpu-test")["PolicyNames"]
    document = iam.get_role_policy(RoleName="vision-team-gpu-test", PolicyName=grant)["PolicyDocument"]
    start = next(s for s in document["Statement"] if s["Action"] == "ssm:StartSession")
    assert out["instance_arn"] in start["Resource"] and out["team_role_arn"] == team_role["Arn"]

    # Idle GPUs are stopped, not destroyed: instance_state (apply() also checks the next plan is empty).
    assert run.apply({**variables, "instance_state": "stopped"})["instance_state"] == "stopped"
    assert _state(ec2, out["instance_id"]) == "stopped"
    assert run.apply(variables)["instance_state"] == "running"
    assert _state(ec2, out["instance_id"]) == "running"

    run.destroy(variables)

    instance = ec2.describe_instances(InstanceIds=[out["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "terminated"
    assert run.state_resources() == []
    # The access goes with the machine: the profile, its role and the team's grant.
    profiles = iam.list_instance_profiles()["InstanceProfiles"]
    assert out["instance_profile_name"] not in {p["InstanceProfileName"] for p in profiles}
    assert out["instance_role_name"] not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert iam.list_role_policies(RoleName="vision-team-gpu-test")["PolicyNames"] == []
    iam.delete_role(RoleName="vision-team-gpu-test")


def _state(ec2, instance_id: str) -> str:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


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
