"""One request from the browser's HTTP flow to a real EC2 instance in the sandbox cloud."""

import re

import pytest

from portal.onboarding.models import OnboardingRequest, RequestStatus
from tests.fixtures.people import CPU_VM_CREATES
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(client, username, password):
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, "login failed"


def test_request_approved_applies_a_tagged_instance_in_the_sandbox(
    client, demo, celery_worker_process, sandbox_client
):
    team = demo.teams["churn-modelling"]
    login(client, "requester", "requester-demo")
    form = client.get("/requests/new/cpu-vm/")
    assert form.status_code == 200 and "Instance type" in form.content.decode()

    response = client.post("/requests/new/cpu-vm/", {
        "title": "Churn features VM", "team": team.pk, "data_classification": "internal",
        "business_justification": "feature engineering for churn", "cost_centre": "CC-1",
        "expected_duration_days": "90", "v-name": "churn-e2e-vm",
        "v-instance_type": "t3.xlarge", "v-disk_size_gb": "40", "v-purpose": 'features "q" ${var.x}',
    })
    assert response.status_code == 302
    request = OnboardingRequest.objects.get()
    assert request.status == RequestStatus.IN_REVIEW

    # Entering review queued a plan preview; the worker runs it and the approver sees what would be made.
    plan = request.items.get().runs.get(action="plan")

    def planned():
        plan.refresh_from_db()
        return plan.is_terminal

    wait_for(planned, timeout=180, interval=2, what="the plan preview")
    assert plan.status == "succeeded", plan.error
    assert request.items.get().status == "pending"  # a preview provisions nothing

    client.logout()
    login(client, "approver", "approver-demo")
    queue = client.get("/approvals/").content.decode()
    assert f"+{len(CPU_VM_CREATES)} to add" in queue and "aws_instance.this" in queue
    stage_id = re.search(r"/approvals/stages/(\d+)/decide/", queue).group(1)
    client.post(f"/approvals/stages/{stage_id}/decide/", {"outcome": "approve", "comment": "fine"})

    def settled():
        request.refresh_from_db()
        return request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED)

    wait_for(settled, timeout=240, interval=2, what="the provisioning run")
    run = request.items.get().runs.get(action="apply")  # the plan preview may have run before it
    assert request.status == RequestStatus.ACTIVE, f"run failed: {run.error}\n" + "\n".join(
        run.log_lines.values_list("text", flat=True))

    instances = [
        instance
        for reservation in sandbox_client("ec2").describe_instances(Filters=[
            {"Name": "tag:portal:request", "Values": [str(request.pk)]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ])["Reservations"]
        for instance in reservation["Instances"]
    ]
    assert len(instances) == 1
    instance = instances[0]
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert instance["InstanceType"] == "t3.xlarge"
    assert tags["portal:team"] == "churn-modelling"
    assert tags["portal:item"] == str(request.items.get().pk)
    assert tags["Purpose"] == 'features "q" ${var.x}'  # a value arrives literally, never as HCL
    # The apply applied the plan the approver saw (paid for before the approval), not a new one.
    lines = list(run.log_lines.values_list("text", flat=True))
    assert run.applied_plan_of_id == plan.pk, "\n".join(lines)
    assert f"portal: applying the plan of preview run #{plan.pk} (what the approvers saw)" in lines
    assert run.variables == plan.variables and run.module_content_id == plan.module_content_id

    client.logout()
    login(client, "requester", "requester-demo")
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert instance["InstanceId"] in page
    assert instance["PrivateIpAddress"] in page
    assert "Apply complete!" in page  # the run's log is on the page
    verbs = set(request_events(request))
    assert {"request.submitted", "stage.approve", "run.started", "run.succeeded"} <= verbs


def request_events(request):
    from portal.audit.selectors import events_for

    return events_for(request).values_list("verb", flat=True)


def test_a_failed_run_shows_why(client, demo, celery_worker_process, settings):
    """A module that Terraform rejects fails the run with Terraform's error on the request page."""
    from portal.catalog.models import TemplateVersion
    from portal.onboarding.services import record_decision, submit_new_request

    version = demo.versions["cpu-vm"]
    # moto refuses an unknown image; a raw update because a published version refuses save()
    TemplateVersion.objects.filter(pk=version.pk).update(fixed_values={"ami": "ami-does-not-exist"})
    version.refresh_from_db()
    request = submit_new_request(
        actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="broken",
        items=[(version, {"name": "broken-vm", "instance_type": "t3.large", "disk_size_gb": 20,
                          "purpose": "fail on purpose"})],
    )
    record_decision(stage=request.stages.get(), actor=demo.people["approver"], outcome="approve")

    def settled():
        request.refresh_from_db()
        return request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED)

    wait_for(settled, timeout=240, interval=2, what="the failing run")
    assert request.status == RequestStatus.FAILED
    run = request.items.get().runs.get(action="apply")
    assert run.status == "failed" and "terraform apply failed" in run.error
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "terraform apply failed" in page
