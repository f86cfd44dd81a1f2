"""Drift with real Terraform against the sandbox: an instance changed behind Terraform's back is
found by a drift check, shown on the request page, accepted, then reconciled back (checked with boto3)."""

import time

import pytest

from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import request_drift_check, start_fulfilment
from provisioning.models import Run, RunStatus
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db(transaction=True)

Drift = ProvisionedResource.DriftStatus


def instance_of(ec2, item) -> dict:
    found = [i for r in ec2.describe_instances(Filters=[
        {"Name": "tag:portal:item", "Values": [str(item.pk)]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
    ])["Reservations"] for i in r["Instances"]]
    assert len(found) == 1, found
    return found[0]


def tags(instance) -> dict:
    return {t["Key"]: t["Value"] for t in instance.get("Tags", [])}


def drain_timed(inline_tasks, timings, label):
    started = time.monotonic()
    inline_tasks.drain()
    timings[label] = time.monotonic() - started


def test_drift_found_shown_accepted_and_reconciled(client, demo, approved_request, in_process_worker, inline_tasks,
                                                    sandbox_client):
    timings = {}
    values = {**CPU_VM_VALUES, "name": "drift-vm", "purpose": "declared purpose"}
    request = approved_request([(demo.versions["cpu-vm"], values)], title="drift")
    start_fulfilment(request=request, actor=demo.people["approver"])
    drain_timed(inline_tasks, timings, "apply")
    request.refresh_from_db()
    item = request.items.get()
    assert request.status == RequestStatus.ACTIVE, item.runs.last().error
    resource = ProvisionedResource.objects.get(item=item)
    assert resource.drift_status == Drift.NONE

    # Behind Terraform's back: a tag changed, the machine stopped and made bigger.
    ec2 = sandbox_client("ec2")
    instance_id = instance_of(ec2, item)["InstanceId"]
    ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "Purpose", "Value": "changed by hand"}])
    ec2.stop_instances(InstanceIds=[instance_id])
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.xlarge"})
    ec2.start_instances(InstanceIds=[instance_id])

    client.force_login(demo.people["requester"])
    response = client.post(f"/inventory/resources/{resource.pk}/drift/check/")
    assert response.status_code == 302 and response["Location"].endswith(f"/requests/{request.pk}/#drift-{resource.pk}")
    drain_timed(inline_tasks, timings, "check drifted")
    resource.refresh_from_db()
    check = Run.objects.filter(item=item, action=Run.Action.DRIFT_CHECK).last()
    assert check.status == RunStatus.SUCCEEDED, check.error  # finding drift is a successful check
    assert resource.drift_status == Drift.DRIFTED and resource.drift_detected_at == check.finished_at
    assert request.status == RequestStatus.ACTIVE
    (changed,) = resource.drift_summary["resources"]
    assert changed["address"] == "aws_instance.this" and changed["actions"] == ["update"]
    attributes = {a["name"]: (a["before"], a["after"]) for a in changed["attributes"]}
    print("\ndrift found:", attributes)
    assert attributes["tags.Purpose"] == ("changed by hand", "declared purpose")
    assert attributes["instance_type"] == ("t3.xlarge", "t3.large")

    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert 'data-drift-status="drifted"' in page
    assert 'data-drift-attribute="tags.Purpose"' in page and "changed by hand" in page
    assert 'data-drift-attribute="instance_type"' in page and "t3.xlarge" in page
    assert 'data-drift-action="reconcile"' in page and 'data-drift-action="accept"' in page
    dashboard = client.get("/teams/churn-modelling/").content.decode()
    assert 'data-drift-status="drifted"' in dashboard and 'data-drift-attribute="tags.Purpose"' in dashboard

    # Accepted: kept as it is, audited.
    client.post(f"/inventory/resources/{resource.pk}/drift/accept/")
    resource.refresh_from_db()
    assert resource.drift_status == Drift.ACCEPTED and resource.drift_accepted_by == demo.people["requester"]
    assert "data-drift-accepted" in client.get(f"/requests/{request.pk}/").content.decode()

    # Then reconciled after all: an apply brings the cloud back; the request is untouched.
    client.post(f"/inventory/resources/{resource.pk}/drift/reconcile/")
    reconcile = Run.objects.filter(item=item, purpose=Run.Purpose.RECONCILE).get()
    drain_timed(inline_tasks, timings, "reconcile")
    reconcile.refresh_from_db()
    assert reconcile.status == RunStatus.SUCCEEDED, reconcile.error
    instance = instance_of(ec2, item)
    assert instance["InstanceId"] == instance_id  # updated in place, not replaced
    assert instance["InstanceType"] == "t3.large" and tags(instance)["Purpose"] == "declared purpose"
    resource.refresh_from_db()
    request.refresh_from_db()
    assert resource.drift_status == Drift.IN_SYNC and resource.drift_summary is None
    assert request.status == RequestStatus.ACTIVE and item.runs.filter(action=Run.Action.DESTROY).count() == 0

    # A follow-up check agrees: in sync.
    request_drift_check(resource=resource, actor=None)
    drain_timed(inline_tasks, timings, "check after reconcile")
    resource.refresh_from_db()
    check = Run.objects.filter(item=item, action=Run.Action.DRIFT_CHECK).last()
    assert check.status == RunStatus.SUCCEEDED, check.error
    assert resource.drift_status == Drift.IN_SYNC and resource.last_drift_check_at == check.finished_at
    assert any("no drift" in line for line in check.log_lines.values_list("text", flat=True))
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert 'data-drift-status="in_sync"' in page
    assert page.count('data-run-phase="plan"') == 1  # only the newest drift check is listed
    print("\ndrift timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
