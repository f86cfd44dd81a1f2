"""The built-in "ML starter" bundle on the embedded defaults, end to end with a real worker, Terraform,
the sandbox and real git: a directory group, a repo from the ML scaffold, its CI pipeline (fed the repo's
clone URL, which really serves the repo) and a VM that the group's role may open sessions on (its
connect commands name things that exist in the sandbox). Then the same bundle with a third item that fails:
what the request created is cleaned up and nothing is left in the sandbox or on the git remote."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.services import failed_item, has_active_runs, record_decision, submit_new_request
from provisioning.cloud.sandbox import free_port
from provisioning.models import Run, RunStatus
from provisioning.scaffold.remotes.http_server import start_git_http_server
from tests.fixtures.people import CPU_VM_VALUES
from tests.fixtures.runs import make_version
from tests.fixtures.worker import WorkerHandle, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def values(suffix: str) -> dict[str, dict]:
    return {
        "ml-repo": {"name": f"churn-{suffix}", "project_name": "Churn model", "owner_email": "ana@example.org",
                    "model_kind": "classifier", "ci_provider": "github", "python_version": "3.11",
                    "retrain_schedule": "0 3 * * 1"},
        "ci-pipeline": {"name": f"churn-ci-{suffix}", "repo_url": "https://git.example.org/typed-by-hand.git",
                        "branch": "main", "compute_type": "BUILD_GENERAL1_SMALL", "build_minutes_per_month": 300,
                        "purpose": "test and package the model"},
        "directory-group": {"name": f"churn-team-{suffix}", "description": "the churn modelling team"},
        "cpu-vm": {**CPU_VM_VALUES, "name": f"churn-vm-{suffix}"},
    }


@pytest.fixture
def git_worker(celery_worker):
    """A worker on the embedded git defaults: bare repos under its data dir, served read-only over HTTP."""
    port = free_port()
    root = celery_worker.data_dir / "git"
    root.mkdir(exist_ok=True)
    server = start_git_http_server(root, f"127.0.0.1:{port}")
    celery_worker.stop()
    env = {**celery_worker.env, "PORTAL_GIT_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    worker = WorkerHandle(env, celery_worker.data_dir)
    worker.start()
    worker.url, worker.root = f"http://127.0.0.1:{port}", root
    yield worker
    worker.stop()
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=10)


def submit_and_approve(demo, versions: dict, suffix: str) -> OnboardingRequest:
    asked = values(suffix)
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                                 title=f"ML starter {suffix}", items=[(versions[slug], asked[slug]) for slug in asked])
    for stage in request.stages.filter(status="pending"):
        record_decision(stage=stage, actor=demo.people["approver"], outcome="approve")
    return request


def settled(request) -> bool:
    request.refresh_from_db()
    return request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED) and not has_active_runs(request)


def identity_store_groups(sandbox_client) -> set[str]:
    store = sandbox_client("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
    groups = sandbox_client("identitystore").list_groups(IdentityStoreId=store)["Groups"]
    return {group["DisplayName"] for group in groups}


def test_the_ml_starter_bundle_reaches_active_and_its_pipeline_gets_a_clone_url_that_serves(
        mlops_only, git_worker, sandbox_client, client, tmp_path):
    demo = mlops_only
    request = submit_and_approve(demo, demo.versions, "ok")
    wait_for(lambda: settled(request), timeout=900, interval=3, what="the ML starter bundle to settle")
    failure = failed_item(request)
    assert request.status == RequestStatus.ACTIVE, failure and failure[1].error

    pipeline = Run.objects.get(item__request=request, item__template_version__template__slug="ci-pipeline",
                               action="apply", status=RunStatus.SUCCEEDED)
    clone_url = f"{git_worker.url}/churn-modelling-churn-ok.git"
    assert pipeline.variables["repo_url"] == clone_url  # fed by the repo item, not what was typed
    cloned = subprocess.run(["git", "clone", "-q", clone_url, str(tmp_path / "clone")], capture_output=True,
                            text=True, timeout=60)
    assert cloned.returncode == 0, cloned.stderr  # the URL the pipeline got really serves the repo
    assert (tmp_path / "clone" / ".copier-answers.yml").exists()

    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert 'data-fed="repo_url"' in page and clone_url in page  # what the pipeline was actually given
    assert "typed-by-hand" not in page

    # Getting in: the VM's connect command names an instance with a Systems Manager profile, and the team's
    # role (made by the group) is granted sessions on it; the page shows the commands to copy.
    group, vm = (Run.objects.get(item__request=request, item__template_version__template__slug=slug, action="apply",
                                 status=RunStatus.SUCCEEDED) for slug in ("directory-group", "cpu-vm"))
    role_arn = group.outputs["team_role_arn"]
    assert vm.variables["team_role_arn"] == role_arn  # fed by the group, nothing typed
    ec2, iam = sandbox_client("ec2"), sandbox_client("iam")
    [instance] = ec2.describe_instances(InstanceIds=[vm.outputs["instance_id"]])["Reservations"][0]["Instances"]
    profile = iam.get_instance_profile(InstanceProfileName=vm.outputs["instance_profile_name"])["InstanceProfile"]
    assert instance["IamInstanceProfile"]["Arn"] == profile["Arn"]
    [role] = profile["Roles"]
    attached = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonSSMManagedInstanceCore"]
    team_role = group.outputs["team_role_name"]
    assert iam.get_role(RoleName=team_role)["Role"]["Arn"] == role_arn
    [grant] = iam.list_role_policies(RoleName=team_role)["PolicyNames"]
    statements = iam.get_role_policy(RoleName=team_role, PolicyName=grant)["PolicyDocument"]["Statement"]
    assert any(vm.outputs["instance_arn"] in s["Resource"] for s in statements if s["Action"] == "ssm:StartSession")
    session = f"aws ssm start-session --target {vm.outputs['instance_id']} --region us-east-1"
    assert session in page and f"aws sts assume-role --role-arn {role_arn}" in page
    assert f"git clone {clone_url}" in page
    assert f"Sessions are granted to the team&#x27;s role {role_arn}" in page
    dashboard = client.get("/teams/churn-modelling/").content.decode()
    assert session in dashboard.split('data-connect="churn-vm-ok"', 1)[1].split("</td>", 1)[0]


def test_a_bundle_whose_third_item_fails_is_cleaned_up_and_leaves_nothing(mlops_only, git_worker, sandbox_client):
    demo = mlops_only
    good = demo.versions["ci-pipeline"]
    broken = make_version("ci_pipeline", slug="ci-pipeline-broken", module="ci_pipeline",
                          schema=good.parameter_schema, fixed_values={**good.fixed_values, "source_type": "NOWHERE"})
    request = submit_and_approve(demo, {**demo.versions, "ci-pipeline": broken}, "bad")
    wait_for(lambda: settled(request), timeout=900, interval=3, what="the failure and its clean-up")

    assert request.status == RequestStatus.FAILED
    item, run = failed_item(request)
    assert item.template_version == broken and "source type" in run.error
    applies = Run.objects.filter(item__request=request, action="apply").order_by("pk")
    assert [r.item.template_version.kind for r in applies] == ["directory_group", "repo", "ci_pipeline"]
    destroys = Run.objects.filter(item__request=request, action="destroy").order_by("pk")
    assert [(r.item.template_version.kind, r.status) for r in destroys] == [
        ("ci_pipeline", "succeeded"), ("repo", "succeeded"), ("directory_group", "succeeded")]
    nothing = destroys[0].log_lines.filter(text="portal: the state holds no resources; nothing to destroy")
    assert nothing.exists()  # the failed apply created nothing: its clean-up succeeds at once
    assert request.items.filter(status="destroyed").count() == 3 and request.items.filter(status="pending").count() == 1
    assert "churn-team-bad" not in identity_store_groups(sandbox_client)
    roles = sandbox_client("iam").list_roles()["Roles"]
    assert not [r for r in roles if r["RoleName"].startswith("churn-team-bad")]  # the team role went with its group
    assert not (git_worker.root / "churn-modelling-churn-bad.git").exists()
    vm_runs = Run.objects.filter(item__request=request, item__template_version__template__kind="cpu_vm")
    assert set(vm_runs.values_list("action", flat=True)) == {"plan"}  # its preview only: never applied
