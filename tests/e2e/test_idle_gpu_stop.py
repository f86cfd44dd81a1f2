"""An idle GPU in the sandbox, for real: utilization written to the sandbox's CloudWatch, the machine flagged and
then stopped by a Terraform apply declaring ``instance_state = "stopped"`` (boto3 sees it stopped), the next drift
check finds nothing, and "start again" queues the apply that declares it running."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import request_drift_check, start_fulfilment
from portal.utilization import services
from portal.utilization.collection import collect_use
from portal.utilization.models import IdlePolicy, MachineUse
from provisioning.cloud import metrics
from provisioning.models import Run, RunStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def state_of(sandbox_client, instance_id: str) -> str:
    [reservation] = sandbox_client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservation["Instances"][0]["State"]["Name"]


def test_an_idle_gpu_is_stopped_by_the_engine_and_drift_stays_honest(
        mlops_only, approved_request, in_process_terraform, inline_tasks, sandbox_client, client):
    demo = mlops_only
    IdlePolicy.objects.get_or_create(kind="gpu_vm", is_active=True, defaults={  # flushed by transactional tests
        "name": "Idle GPU", "metric": "gpu", "percentile": 95, "threshold_percent": 10, "window_hours": 24,
        "grace_hours": 24})
    values = {"name": "idle-gpu", "instance_type": "g5.xlarge", "disk_size_gb": 100, "purpose": "tests"}
    request = approved_request([(demo.versions["gpu-vm"], values)])
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    gpu = ProvisionedResource.objects.get(item__request=request)
    instance_id = gpu.outputs["instance_id"]
    assert state_of(sandbox_client, instance_id) == "running"

    cloudwatch = sandbox_client("cloudwatch")
    now = timezone.now()
    for hour in range(26):
        metrics.put_use(cloudwatch, instance_id=instance_id, at=now - timedelta(hours=hour, minutes=5), cpu=2, gpu=1)
    collect_use(client=cloudwatch)
    assert services.review_idle_machines()["flagged"] == [gpu.pk]
    MachineUse.objects.filter(resource=gpu).update(stop_due_at=timezone.now() - timedelta(minutes=1))
    assert services.review_idle_machines()["stopped"] == [gpu.pk]
    inline_tasks.drain()
    stop = Run.objects.get(item=gpu.item, purpose=Run.Purpose.POWER)
    assert stop.status == RunStatus.SUCCEEDED, stop.error
    assert state_of(sandbox_client, instance_id) == "stopped"  # the same instance, stopped, not replaced
    gpu.refresh_from_db()
    assert gpu.power_state == "stopped"

    check = request_drift_check(resource=gpu, actor=demo.people["requester"])
    inline_tasks.drain()
    check.refresh_from_db()
    assert check.status == RunStatus.SUCCEEDED, check.error
    gpu.refresh_from_db()
    assert gpu.drift_status == "in_sync", gpu.drift_summary

    # "Start again" queues the apply declaring "running" (the module's own test applies stopped → running).
    client.force_login(demo.people["requester"])
    page = client.get(f"/utilization/machines/{gpu.pk}/").content.decode()
    assert 'id="power-state">stopped' in page and 'id="start-again"' in page
    start = services.start_again(resource=gpu, actor=demo.people["requester"])
    assert start.variables["instance_state"] == "running" and start.purpose == Run.Purpose.POWER
