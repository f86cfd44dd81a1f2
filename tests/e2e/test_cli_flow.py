"""The command-line flow end to end: a CPU VM requested with `portal request create`, approved with
`portal approve` by the approver of each stage, followed with `portal request watch` while the real worker
runs Terraform against the sandbox cloud, and the instance is there."""

import json
import re

import pytest

from tests.fixtures.cli import token_of
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_vm_requested_approved_and_watched_through_the_cli_runs_in_the_sandbox(
    cli, mlops_only, celery_worker_process, sandbox_client
):
    requester = token_of(mlops_only.people["requester"], scopes=["read", "request"])
    approvers = {"mlops-enablement": token_of(mlops_only.people["approver"], scopes=["read", "approve"])}

    checked = cli("request", "create", "cpu-vm", "--team", "churn-modelling", "--title", "CLI VM",
                  "--set", "name=cli-e2e-vm", "--set", "instance_type=t3.xlarge", "--set", "disk_size_gb=40",
                  "--set", "purpose=features from the terminal", "--classification", "internal",
                  "--justification", "feature engineering for churn", "--cost-centre", "CC-1",
                  "--duration-days", "90", "--dry-run", token=requester)
    assert checked.exit_code == 0, checked.output
    assert "Valid" in checked.stdout and "mlops-enablement" in checked.stdout

    created = cli("request", "create", "cpu-vm", "--team", "churn-modelling", "--title", "CLI VM",
                  "--set", "name=cli-e2e-vm", "--set", "instance_type=t3.xlarge", "--set", "disk_size_gb=40",
                  "--set", "purpose=features from the terminal", "--classification", "internal",
                  "--justification", "feature engineering for churn", "--cost-centre", "CC-1",
                  "--duration-days", "90", token=requester)
    assert created.exit_code == 0, created.output
    request_id = int(re.search(r"Request #(\d+)", created.stdout).group(1))

    # Each stage is decided by its approver once the plan preview is there (what the approver looks at).
    for stage in cli.json("request", "show", request_id, token=requester)["stages"]:
        approver = approvers[stage["team"]]

        def plan_ready(stage_id=stage["id"], approver=approver):
            rows = cli.json("approvals", token=approver)
            return any(row["id"] == stage_id and row["plan_ready"] for row in rows)

        wait_for(plan_ready, timeout=180, interval=2, what="the plan preview")
        approved = cli("approve", stage["id"], "--comment", "fine", token=approver)
        assert approved.exit_code == 0, approved.output

    watched = cli("request", "watch", request_id, "--timeout", "300", "--interval", "2", token=requester)
    assert watched.exit_code == 0, watched.output + "\n" + celery_worker_process.log_path.read_text()[-3000:]
    assert f"Request #{request_id} is active." in watched.stdout
    assert "(apply, item" in watched.stdout and "Apply complete!" in watched.stdout  # the run's log, live

    instances = [
        instance
        for reservation in sandbox_client("ec2").describe_instances(Filters=[
            {"Name": "tag:portal:request", "Values": [str(request_id)]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ])["Reservations"]
        for instance in reservation["Instances"]
    ]
    assert len(instances) == 1
    assert instances[0]["InstanceType"] == "t3.xlarge"
    tags = {tag["Key"]: tag["Value"] for tag in instances[0]["Tags"]}
    assert tags["portal:team"] == "churn-modelling" and tags["Purpose"] == "features from the terminal"

    shown = json.loads(cli("--output", "json", "request", "show", request_id, token=requester).stdout)
    assert shown["items"][0]["outputs"], "the item's outputs (instance id…) are on the request"
