"""Idle machines from measured use: hourly data points written to the sandbox's CloudWatch by the test are read
by the collector; a GPU machine under the policy is flagged and its owners warned; after the grace period it is
stopped by a run declaring ``instance_state = stopped`` (never a side call); "keep running" prevents that; "start
again" declares it running; office hours stop and start it; right-sizing opens a change request filled in."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.inventory.models import ProvisionedResource
from portal.notifications.models import Event, Notification
from portal.onboarding.services import start_fulfilment
from portal.utilization import services
from portal.utilization.collection import collect_use
from portal.utilization.models import MachineUse
from provisioning.cloud import metrics
from provisioning.cloud.sandbox import aws_client
from provisioning.models import Run
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
GPU_VALUES = {"name": "gpu-box", "instance_type": "g5.2xlarge", "disk_size_gb": 200, "purpose": "training"}


@pytest.fixture(autouse=True)
def idle_policy(db):
    """The default policy (a data migration makes it; a transactional test elsewhere may have flushed it)."""
    from portal.utilization.models import IdlePolicy

    return IdlePolicy.objects.get_or_create(kind="gpu_vm", is_active=True, defaults={
        "name": "Idle GPU", "metric": "gpu", "percentile": 95, "threshold_percent": 10, "window_hours": 24,
        "grace_hours": 24})[0]


@pytest.fixture
def cloudwatch(sandbox_url):
    return aws_client("cloudwatch", region="us-east-1", sandbox_url=sandbox_url)


@pytest.fixture
def machine(demo, approved_request, fake_engine, inline_tasks, django_capture_on_commit_callbacks, cloudwatch):
    """``machine(kind, values, cpu=…, gpu=…, hours=…)``: an active machine with a fresh instance id whose last
    ``hours`` hours of use the test wrote to the sandbox's CloudWatch."""
    def make(slug: str, values: dict, *, cpu: float, gpu: float | None, hours: int = 30):
        instance_id = f"i-{uuid.uuid4().hex[:17]}"
        fake_engine.outputs[values["name"]] = {"instance_id": instance_id}
        request = approved_request([(demo.versions[slug], values)], title=values["name"])
        with django_capture_on_commit_callbacks(execute=True):
            start_fulfilment(request=request, actor=demo.people["approver"])
        with django_capture_on_commit_callbacks(execute=True):
            inline_tasks.drain()
        now = timezone.now()
        for h in range(hours):
            metrics.put_use(cloudwatch, instance_id=instance_id, at=now - timedelta(hours=h, minutes=5), cpu=cpu,
                            gpu=gpu)
        return ProvisionedResource.objects.get(item__request=request)

    return make


def grace_over():
    """The grace period of every flagged machine ends (the next round, a day later, sees the same idle use)."""
    MachineUse.objects.exclude(stop_due_at=None).update(stop_due_at=timezone.now() - timedelta(minutes=1))


def drain(inline_tasks, capture):
    with capture(execute=True):
        inline_tasks.drain()


def test_an_idle_gpu_is_flagged_warned_and_stopped_after_the_grace_period(
        demo, machine, cloudwatch, fake_engine, inline_tasks, django_capture_on_commit_callbacks, client):
    idle = machine("gpu-vm", GPU_VALUES, cpu=3, gpu=2)
    busy = machine("gpu-vm", {**GPU_VALUES, "name": "busy-box"}, cpu=60, gpu=85)
    assert collect_use(client=cloudwatch) >= 58
    with django_capture_on_commit_callbacks(execute=True):
        done = services.review_idle_machines()
    assert done["flagged"] == [idle.pk] and done["stopped"] == []
    warning = Notification.objects.get(recipient=demo.people["requester"], event=Event.RESOURCE_IDLE)
    assert warning.title == "gpu-box is idle" and "2.0 %" in warning.body and "stops it at" in warning.body
    assert any(m.subject == "[Portal] gpu-box is idle" for m in mail.outbox)

    client.force_login(demo.people["requester"])
    page = client.get(f"/utilization/machines/{idle.pk}/").content.decode()
    assert "<svg" in page and 'data-metric="gpu"' in page and "Idle</strong> since" in page
    assert "spent idle" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert services.review_idle_machines()["stopped"] == []  # still in its grace period
    grace_over()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.review_idle_machines()
    assert done["stopped"] == [idle.pk]
    stop = Run.objects.get(item=idle.item, purpose=Run.Purpose.POWER)
    assert stop.variables["instance_state"] == "stopped" and stop.action == "apply"
    drain(inline_tasks, django_capture_on_commit_callbacks)
    idle.refresh_from_db()
    assert idle.power_state == "stopped"
    assert fake_engine.calls[-1][2]["instance_state"] == "stopped"  # what the engine was told to declare
    assert busy.power_state == "running" and not Run.objects.filter(item=busy.item, purpose="power").exists()
    assert "stopped" in client.get(f"/utilization/machines/{idle.pk}/").content.decode()

    # Start again: one click, a run declaring "running".
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/utilization/machines/{idle.pk}/start/").status_code == 302
    drain(inline_tasks, django_capture_on_commit_callbacks)
    idle.refresh_from_db()
    assert idle.power_state == "running"


def test_keep_running_prevents_the_stop_and_is_audited(demo, machine, cloudwatch, client,
                                                       django_capture_on_commit_callbacks):
    idle = machine("gpu-vm", GPU_VALUES, cpu=3, gpu=2)
    collect_use(client=cloudwatch)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_idle_machines()
    client.force_login(demo.people["requester"])
    refused = client.post(f"/utilization/machines/{idle.pk}/keep/", {"days": 3, "reason": ""})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    assert client.post(f"/utilization/machines/{idle.pk}/keep/",
                       {"days": 3, "reason": "benchmark run starts Monday"}).status_code == 302
    grace_over()
    done = services.review_idle_machines()
    assert done["stopped"] == [] and not Run.objects.filter(item=idle.item, purpose="power").exists()
    use = MachineUse.objects.get(resource=idle)
    assert use.keep_reason == "benchmark run starts Monday" and use.keep_by == demo.people["requester"]
    assert AuditEvent.objects.filter(verb="resource.kept_running", data__reason="benchmark run starts Monday").exists()
    MachineUse.objects.filter(pk=use.pk).update(keep_until=timezone.now() - timedelta(minutes=1))  # the days pass
    done = services.review_idle_machines()
    assert done["stopped"] == [idle.pk], done


def test_a_machine_used_more_than_the_policy_allows_is_never_flagged(machine, cloudwatch):
    busy = machine("gpu-vm", GPU_VALUES, cpu=20, gpu=40)
    collect_use(client=cloudwatch)
    assert services.review_idle_machines()["flagged"] == []
    assert MachineUse.objects.get(resource=busy).idle_since is None


def test_too_few_hours_of_data_decide_nothing(machine, cloudwatch):
    machine("gpu-vm", GPU_VALUES, cpu=1, gpu=1, hours=6)
    collect_use(client=cloudwatch)
    assert services.review_idle_machines()["flagged"] == []


def test_right_sizing_from_use_opens_a_filled_in_change_request(demo, machine, cloudwatch, client):
    vm = machine("cpu-vm", {**CPU_VM_VALUES, "instance_type": "m5.2xlarge"}, cpu=4, gpu=None, hours=24 * 4)
    collect_use(client=cloudwatch)
    client.force_login(demo.people["requester"])
    page = client.get(f"/utilization/machines/{vm.pk}/").content.decode()
    assert "m5.2xlarge averaged 4 % CPU" in page and "t3.xlarge would do and save $" in page
    link = page.split('id="resize"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert '<option value="t3.xlarge" selected>' in form  # 4 vCPUs are plenty at 4 %; 16 GiB is half of 32
    assert "would do and save" in form  # the reason, filled in for the approvers
    assert "would do and save" in form  # the reason, filled in for the approvers


def test_a_starved_machine_is_told_to_grow(demo, machine, cloudwatch):
    from portal.utilization.selectors import machine_view

    vm = machine("cpu-vm", CPU_VM_VALUES, cpu=99, gpu=None, hours=24 * 3)
    collect_use(client=cloudwatch)
    advice = machine_view(vm).advice
    assert advice.direction == "larger" and advice.suggested == "t3.xlarge" and "starved" in advice.message


def test_office_hours_stop_at_night_and_start_in_the_morning(demo, machine, inline_tasks, client, settings,
                                                             django_capture_on_commit_callbacks):
    settings.PORTAL_OFFICE_TIMEZONE, settings.PORTAL_OFFICE_HOURS = "UTC", (8, 19)
    vm = machine("cpu-vm", CPU_VM_VALUES, cpu=50, gpu=None, hours=1)
    client.force_login(demo.people["requester"])
    assert client.post(f"/utilization/machines/{vm.pk}/schedule/", {"schedule": "office_hours"}).status_code == 302
    page = client.get(f"/utilization/machines/{vm.pk}/").content.decode()
    assert 'id="office-saving"' in page
    night = timezone.now().replace(year=2026, month=12, day=2, hour=23, minute=0)  # a Wednesday night
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_schedules(now=night)["stopped"] == [vm.pk]
    drain(inline_tasks, django_capture_on_commit_callbacks)
    vm.refresh_from_db()
    assert vm.power_state == "stopped"
    morning = night.replace(day=3, hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_schedules(now=morning)["started"] == [vm.pk]
    drain(inline_tasks, django_capture_on_commit_callbacks)
    vm.refresh_from_db()
    assert vm.power_state == "running"


def test_a_stopped_machine_stays_stopped_through_a_change_of_values(demo, machine, inline_tasks,
                                                                    django_capture_on_commit_callbacks):
    from portal.onboarding.snapshots import variables_for

    vm = machine("cpu-vm", CPU_VM_VALUES, cpu=50, gpu=None, hours=1)
    ProvisionedResource.objects.filter(pk=vm.pk).update(power_state="stopped")
    variables = variables_for(vm.item, action="apply", purpose="modify", values={**CPU_VM_VALUES, "disk_size_gb": 80})
    assert variables["instance_state"] == "stopped" and variables["disk_size_gb"] == 80


def test_other_teams_cannot_see_or_stop_a_machine(demo, machine, client, make_user):
    from portal.teams.models import Team

    vm = machine("cpu-vm", CPU_VM_VALUES, cpu=50, gpu=None, hours=1)
    other = Team.objects.create(slug="fraud", name="Fraud", kind=Team.Kind.MODELLING)
    client.force_login(make_user("fraud-analyst", team=other))
    assert client.get(f"/utilization/machines/{vm.pk}/").status_code == 404
    assert client.post(f"/utilization/machines/{vm.pk}/stop/").status_code == 404
    assert not Run.objects.filter(item=vm.item, purpose="power").exists()


def test_a_second_round_updates_the_hours_it_reads_again_and_adds_none_twice(machine, cloudwatch):
    from portal.utilization.models import UsageSample

    gpu_box = machine("gpu-vm", GPU_VALUES, cpu=1, gpu=1, hours=6)
    collect_use(client=cloudwatch)
    samples = UsageSample.objects.filter(resource=gpu_box)
    before = {s.hour: s.gpu for s in samples}
    latest = max(before)
    instance_id = gpu_box.outputs["instance_id"]
    # The newest hour gets another data point (where the fixture wrote its newest one): its average rises.
    metrics.put_use(cloudwatch, instance_id=instance_id, at=timezone.now() - timedelta(minutes=5), cpu=90, gpu=90)

    collect_use(client=cloudwatch)

    after = {s.hour: s.gpu for s in samples.all()}
    assert set(after) == set(before)  # the overlap is read again: no hour twice (one_sample_per_hour)
    assert after[latest] > before[latest]  # and the hour's new figure replaced the old one
