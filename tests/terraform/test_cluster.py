"""cluster applies and destroys in the sandbox: VPC, two subnets in two AZs, IAM roles, EKS, node groups."""

from __future__ import annotations

import pytest

from .conftest import planned_changes, refused_plan, scenario

TAGS = {"team": "vision", "request": "43", "item": "1"}


@scenario("cluster")
def cluster_with_gpu_nodes_apply_and_destroy(run, sandbox_client):
    variables = {
        "name": "vision-k8s",
        "kubernetes_version": "1.31",
        "vpc_cidr": "10.42.0.0/16",
        "cpu_instance_types": ["m6i.xlarge"],
        "cpu_min_size": 1,
        "cpu_desired_size": 2,
        "cpu_max_size": 4,
        "gpu_enabled": True,
        "gpu_instance_types": ["g5.xlarge", "g5.2xlarge"],
        "gpu_min_size": 0,
        "gpu_desired_size": 1,
        "gpu_max_size": 2,
        "node_disk_size_gb": 80,
        "tags": TAGS,
    }
    eks, ec2, iam = sandbox_client("eks"), sandbox_client("ec2"), sandbox_client("iam")

    out = run.apply(variables)

    assert out["cluster_name"] == "vision-k8s"
    assert sorted(out["node_group_names"]) == ["vision-k8s-cpu", "vision-k8s-gpu"]
    assert out["cpu_node_group_name"] == "vision-k8s-cpu"
    assert (out["region"], out["team_role_arn"]) == ("us-east-1", "")  # no team role given: no access entry
    cluster = eks.describe_cluster(name="vision-k8s")["cluster"]
    assert cluster["status"] == "ACTIVE"
    assert cluster["arn"] == out["cluster_arn"]
    assert cluster["endpoint"] == out["cluster_endpoint"]
    assert cluster["version"] == "1.31"
    assert cluster["tags"] == TAGS
    assert cluster["roleArn"].endswith(":role/vision-k8s-eks-cluster")

    subnet_ids = cluster["resourcesVpcConfig"]["subnetIds"]
    subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    assert {s["VpcId"] for s in subnets} == {out["vpc_id"]}
    vpc = ec2.describe_vpcs(VpcIds=[out["vpc_id"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.42.0.0/16"
    assert {t["Key"]: t["Value"] for t in vpc["Tags"]} == {**TAGS, "Name": "vision-k8s"}

    cpu = eks.describe_nodegroup(clusterName="vision-k8s", nodegroupName="vision-k8s-cpu")["nodegroup"]
    assert cpu["instanceTypes"] == ["m6i.xlarge"]
    assert cpu["scalingConfig"] == {"minSize": 1, "maxSize": 4, "desiredSize": 2}
    assert cpu["amiType"] == "AL2023_x86_64_STANDARD"
    assert cpu["diskSize"] == 80
    assert cpu["tags"] == {**TAGS, "Name": "vision-k8s-cpu"}
    gpu = eks.describe_nodegroup(clusterName="vision-k8s", nodegroupName="vision-k8s-gpu")["nodegroup"]
    assert gpu["instanceTypes"] == ["g5.xlarge", "g5.2xlarge"]
    assert gpu["scalingConfig"] == {"minSize": 0, "maxSize": 2, "desiredSize": 1}
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    node_role = gpu["nodeRole"].rsplit("/", 1)[1]
    attached = iam.list_attached_role_policies(RoleName=node_role)["AttachedPolicies"]
    assert {p["PolicyName"] for p in attached} == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryReadOnly",
    }

    run.destroy(variables)

    assert "vision-k8s" not in eks.list_clusters()["clusters"]
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [out["vpc_id"]]}])["Vpcs"] == []
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert not roles & {"vision-k8s-eks-cluster", "vision-k8s-eks-node"}
    assert run.state_resources() == []


@pytest.mark.parametrize("job", [cluster_with_gpu_nodes_apply_and_destroy], ids=["cluster"])
def test_cluster_with_gpu_nodes_apply_and_destroy(terraform_jobs, job):
    terraform_jobs.result(job)  # the scenario above, run in the background; it fails here


INCONSISTENT_SIZES = refused_plan(
    "cluster",
    {
        "name": "vision-bad",
        "kubernetes_version": "1.31",
        "vpc_cidr": "10.43.0.0/16",
        "cpu_instance_types": ["m6i.large"],
        "cpu_min_size": 3,
        "cpu_desired_size": 2,
        "cpu_max_size": 4,
    },
)


TEAM_ROLE = "arn:aws:iam::123456789012:role/vision-team-abc"
WITH_TEAM_ROLE = planned_changes(
    "cluster",
    {"name": "vision-team-k8s", "kubernetes_version": "1.31", "vpc_cidr": "10.44.0.0/16",
     "cpu_instance_types": ["m6i.large"], "team_role_arn": TEAM_ROLE},
)


@pytest.mark.parametrize("check", [WITH_TEAM_ROLE], ids=["team-role"])
def test_cluster_plans_an_access_entry_for_the_team_role(terraform_jobs, check):
    """By plan alone: the sandbox (moto 5.2) has no EKS access entries (CreateAccessEntry), so an apply
    with a team role cannot run there; the plan shows what AWS gets."""
    plan = terraform_jobs.result(check)  # ``terraform show -json`` of the plan (made in the background)

    planned = {r["address"]: r["change"]["after"] for r in plan["resource_changes"] if r["mode"] == "managed"}
    assert planned["aws_eks_cluster.this"]["access_config"][0]["authentication_mode"] == "API_AND_CONFIG_MAP"
    assert planned["aws_eks_access_entry.team[0]"]["principal_arn"] == TEAM_ROLE
    association = planned["aws_eks_access_policy_association.team[0]"]
    assert association["principal_arn"] == TEAM_ROLE
    assert association["policy_arn"].endswith(":cluster-access-policy/AmazonEKSAdminPolicy")
    assert association["access_scope"] == [{"type": "cluster", "namespaces": None}]


@pytest.mark.parametrize("refusal", [INCONSISTENT_SIZES], ids=["min-above-desired"])
def test_cluster_refuses_inconsistent_node_group_sizes(terraform_jobs, refusal):
    output = terraform_jobs.result(refusal)  # the plan's output (it ran in the background)
    assert "0 <= min <= desired <= max" in output
