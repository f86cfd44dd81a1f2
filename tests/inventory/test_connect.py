"""How to connect: commands built from a resource's outputs only, each value checked for its shape and quoted."""

import shlex

import pytest

from portal.inventory.connect import NO_TEAM_ROLE, how_to_connect

ROLE = "arn:aws:iam::123456789012:role/churn-team-ok-team2026"
VM = {"instance_id": "i-0123456789abcdef0", "region": "us-east-1", "instance_state": "running", "notebook_port": 0,
      "team_role_arn": ROLE}


@pytest.fixture(autouse=True)
def on_aws(settings):
    settings.PORTAL_CLOUD = "aws"


def commands(kind, outputs):
    return [step.command or step.url for step in how_to_connect(kind, outputs).steps]


def test_a_vm_gives_a_systems_manager_session_and_names_the_granted_role():
    connect = how_to_connect("gpu_vm", VM)
    assert commands("gpu_vm", VM) == ["aws ssm start-session --target i-0123456789abcdef0 --region us-east-1"]
    assert connect.short.command.startswith("aws ssm start-session")
    assert connect.notes == [f"Sessions are granted to the team's role {ROLE}: assume it first "
                             f"(e.g. a profile with role_arn = {ROLE})."]


def test_a_vm_with_a_notebook_gets_a_port_forward_and_the_local_url():
    assert commands("cpu_vm", {**VM, "notebook_port": 8888})[1:] == [
        "aws ssm start-session --target i-0123456789abcdef0 --region us-east-1 --document-name "
        "AWS-StartPortForwardingSession --parameters portNumber=8888,localPortNumber=8888",
        "http://localhost:8888/"]


def test_without_a_team_role_the_page_says_how_to_get_access_and_a_stopped_vm_says_so():
    connect = how_to_connect("cpu_vm", {**VM, "team_role_arn": "", "instance_state": "stopped"})
    assert connect.notes == ["The machine is stopped: it must be running before a session can start.", NO_TEAM_ROLE]
    assert "directory group" in NO_TEAM_ROLE


def test_buckets_clusters_repos_groups_and_pipelines():
    assert commands("storage", {"bucket_name": "acme-churn-data", "team_role_arn": ROLE}) == [
        "aws s3 ls s3://acme-churn-data/", "aws s3 sync ./data s3://acme-churn-data/data/"]
    assert commands("cluster", {"cluster_name": "churn-k8s", "region": "eu-west-1"}) == [
        "aws eks update-kubeconfig --name churn-k8s --region eu-west-1", "kubectl get nodes"]
    assert commands("repo", {"clone_url": "https://github.com/acme/churn.git"}) == [
        "git clone https://github.com/acme/churn.git"]
    assert commands("directory_group", {"team_role_arn": ROLE}) == [
        f"aws sts assume-role --role-arn {ROLE} --role-session-name me"]
    assert commands("ci_pipeline", {"project_name": "churn-ci"}) == [
        "aws codebuild start-build --project-name churn-ci"]


@pytest.mark.parametrize(("kind", "outputs"), [
    ("cpu_vm", {**VM, "instance_id": "i-0abc; rm -rf ~"}),
    ("cpu_vm", {**VM, "region": "$(curl evil)"}),
    ("storage", {"bucket_name": "x`id`"}),
    ("cluster", {"cluster_name": "k8s && id", "region": "us-east-1"}),
    ("repo", {"clone_url": "https://x.org/a.git --upload-pack=touch /tmp/p"}),
    ("repo", {"clone_url": {"sealed": "token"}}),
])
def test_an_output_of_the_wrong_shape_gives_no_command(kind, outputs):
    assert commands(kind, outputs) == []


def test_a_vm_made_before_it_had_a_way_in_says_so():
    connect = how_to_connect("cpu_vm", {"instance_id": "i-0abc1234", "private_ip": "10.0.0.5"})
    assert connect.steps == [] and "without a way in" in connect.notes[0]


def test_in_the_sandbox_the_aws_commands_carry_its_endpoint(settings):
    settings.PORTAL_CLOUD, settings.PORTAL_SANDBOX_URL = "sandbox", "http://127.0.0.1:5055"
    [command] = commands("cpu_vm", VM)
    assert shlex.split(command)[-2:] == ["--endpoint-url", "http://127.0.0.1:5055"]
    assert commands("repo", {"clone_url": "http://127.0.0.1:5056/churn.git"}) == [
        "git clone http://127.0.0.1:5056/churn.git"]  # not an aws command: no endpoint
    assert "no EKS access entries" in how_to_connect("cluster", {"cluster_name": "k", "region": "us-east-1"}).notes[0]
