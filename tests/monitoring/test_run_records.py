"""What a run records for operators: the correlation id of what queued it (kept by its retries and by the runs
that follow it) and, when it fails, the cause /metrics counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.onboarding.services import start_fulfilment
from provisioning import correlation
from provisioning.models import Run, RunStatus
from provisioning.reaper import LOST_WORKER_CAUSE, reap_runs
from provisioning.runners.terraform import TerraformFailed
from provisioning.tasks import execute_run_task
from provisioning.worker_hooks import bind_correlation_id, stamp_correlation_id, unbind_correlation_id
from tests.provisioning import terraform_errors as real

pytestmark = pytest.mark.django_db(transaction=True)
THROTTLED = TerraformFailed("apply", 1, real.tail(real.THROTTLED))
BAD_AMI = TerraformFailed("apply", 1, real.tail(real.BAD_AMI))


def vm(name):
    return {"name": name, "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "tests"}


def test_a_retry_and_the_next_item_keep_the_id_and_failures_record_their_cause(demo, approved_request, fake_engine,
                                                                             inline_tasks):
    version = demo.versions["cpu-vm"]
    request = approved_request([(version, vm("vm-a")), (version, vm("vm-b"))])
    fake_engine.fail("vm-a", "apply", THROTTLED)
    fake_engine.fail("vm-b", "apply", BAD_AMI)
    with correlation.bound("approve-42"):
        start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()

    first = Run.objects.get(item__values__name="vm-a", action="apply", attempt=1)
    retry = Run.objects.get(retry_of=first)
    second_item = Run.objects.get(item__values__name="vm-b", action="apply")
    assert (first.status, first.failure_cause) == (RunStatus.FAILED, "throttled by the cloud")
    assert retry.status == RunStatus.SUCCEEDED and retry.failure_cause == ""
    assert (second_item.status, second_item.failure_cause) == (RunStatus.FAILED, "an invalid value")
    assert {first.correlation_id, retry.correlation_id, second_item.correlation_id} == {"approve-42"}
    assert list(retry.phases.values_list("phase", flat=True)) == ["apply"]  # the phases the engine announced
    assert retry.phases.get().seconds >= 0
    clean_up = Run.objects.filter(action="destroy")  # the failed request's clean-up, queued by the worker
    assert clean_up.exists() and set(clean_up.values_list("correlation_id", flat=True)) == {"approve-42"}


def test_a_run_reaped_from_a_dead_worker_says_so(demo, approved_request, fake_engine, inline_tasks, settings):
    settings.RUN_MAX_ATTEMPTS = 1
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    start_fulfilment(request=request, actor=demo.people["approver"])
    run = Run.objects.get()
    long_ago = timezone.now() - timedelta(minutes=10)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, worker="gone-host:1", started_at=long_ago,
                                         heartbeat_at=long_ago)
    assert reap_runs().lost == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.failure_cause) == (RunStatus.FAILED, LOST_WORKER_CAUSE)


def test_task_messages_carry_the_id_and_the_worker_binds_it_while_the_task_runs():
    headers = {}
    with correlation.bound("web-req-9"):
        stamp_correlation_id(headers=headers)
    assert headers == {correlation.HEADER: "web-req-9"}

    task = type("Task", (), {"request": type("Request", (), {correlation.HEADER: "web-req-9"})()})()
    bind_correlation_id(task_id="t-1", task=task)
    assert correlation.current_id() == "web-req-9"
    unbind_correlation_id(task_id="t-1")
    assert correlation.current_id() == ""

    bind_correlation_id(task_id="t-2", task=type("Task", (), {"request": object()})())  # sent without one (beat)
    assert len(correlation.current_id()) == 32  # a fresh id: what it queues is still tied together
    unbind_correlation_id(task_id="t-2")
    assert execute_run_task.name == "provisioning.execute_run"
