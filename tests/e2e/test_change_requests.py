"""Day-2 change and decommission of a real instance in the sandbox, each through review, and the
expiry of a real bucket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import changes, destroy_expired, record_decision, start_fulfilment
from provisioning.models import Run, RunStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def instances(sandbox_client, request_pk, states=("pending", "running", "stopping", "stopped")):
    reservations = sandbox_client("ec2").describe_instances(Filters=[
        {"Name": "tag:portal:request", "Values": [str(request_pk)]},
        {"Name": "instance-state-name", "Values": list(states)}])["Reservations"]
    return [instance for reservation in reservations for instance in reservation["Instances"]]


def approve(demo, change_request):
    record_decision(stage=change_request.stages.get(), actor=demo.people["approver"], outcome="approve")
    change_request.refresh_from_db()


def buckets(sandbox_client) -> set[str]:
    return {bucket["Name"] for bucket in sandbox_client("s3").list_buckets()["Buckets"]}


def test_new_values_then_decommission_of_a_real_instance_and_expiry_of_a_bucket(
        mlops_only, approved_request, in_process_terraform, inline_tasks, sandbox_client, client):
    demo = mlops_only
    values = {"name": "day2-vm", "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "tests"}
    bucket = {"name": "day2-expiring-data", "sse_algorithm": "AES256", "versioning": False,
              "expected_size_gb": 10, "purpose": "tests"}
    request = approved_request([(demo.versions["cpu-vm"], values), (demo.versions["storage-bucket"], bucket)])
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    [before] = instances(sandbox_client, request.pk)
    assert "day2-expiring-data" in buckets(sandbox_client)
    resource = ProvisionedResource.objects.get(item__request=request, kind="cpu_vm")

    # The bucket's lifetime ends: the hourly task destroys it, nobody has to ask.
    ProvisionedResource.objects.filter(kind="storage").update(expires_at=timezone.now() - timedelta(minutes=1))
    [expiry] = destroy_expired()
    inline_tasks.drain()
    expiry.refresh_from_db()
    assert expiry.status == RunStatus.SUCCEEDED, expiry.error
    assert "day2-expiring-data" not in buckets(sandbox_client)
    assert ProvisionedResource.objects.get(kind="storage").status == "destroyed"
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE  # the VM is still there

    # Day 2: a bigger machine. The approvers see the plan of the change before anything happens.
    modify = changes.request_modification(actor=demo.people["requester"], resource=resource,
                                          values={**values, "instance_type": "t3.xlarge"}, reason="more memory")
    inline_tasks.drain()
    plan = Run.objects.get(change__request=modify, action="plan")
    assert plan.status == RunStatus.SUCCEEDED, plan.error
    assert plan.plan_summary["change"] == 1 and plan.plan_summary["add"] == 0, plan.plan_summary
    client.force_login(demo.people["approver"])
    queue = client.get("/approvals/").content.decode()
    assert f"#{modify.pk}" in queue and "Change of values of CPU virtual machine" in queue
    assert 'data-plan-attribute="instance_type"' in queue and "t3.xlarge" in queue  # the diff, attribute by attribute
    page = client.get(f"/requests/{modify.pk}/").content.decode()
    assert "~1 to change" in page and "aws_instance.this" in page and "t3.xlarge" in page

    approve(demo, modify)
    inline_tasks.drain()
    modify.refresh_from_db()
    apply = Run.objects.get(change__request=modify, action="apply")
    assert modify.status == RequestStatus.COMPLETED, apply.error
    [after] = instances(sandbox_client, request.pk)
    assert after["InstanceId"] == before["InstanceId"]  # changed in place, not a second machine
    assert after["InstanceType"] == "t3.xlarge"

    # Decommission: a destroy plan for the approvers, then the instance goes and the request is decommissioned.
    decommission = changes.request_decommission(actor=demo.people["requester"], resources=[resource],
                                                reason="project over")
    inline_tasks.drain()
    preview = Run.objects.get(change__request=decommission, action="plan")
    assert preview.status == RunStatus.SUCCEEDED and preview.plan_summary["destroy"] >= 1, preview.plan_summary
    assert instances(sandbox_client, request.pk)  # nothing goes before the approval
    approve(demo, decommission)
    inline_tasks.drain()
    decommission.refresh_from_db()
    request.refresh_from_db()
    resource.refresh_from_db()
    assert decommission.status == RequestStatus.COMPLETED
    assert request.status == RequestStatus.DECOMMISSIONED
    assert resource.status == "destroyed" and resource.destroyed_at
    assert instances(sandbox_client, request.pk) == []
