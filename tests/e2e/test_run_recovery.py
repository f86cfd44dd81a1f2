"""The engine under abuse, with real workers, Terraform and the sandbox cloud: workers killed with
-9 at different moments, a running apply cancelled from the request page, a bundle whose last
item fails. Nothing is lost, nothing exists twice, no Terraform process stays behind."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.services import failed_item, has_active_runs, retry_fulfilment, start_fulfilment
from provisioning.models import TERMINAL_RUN_STATES, Run, RunStatus
from provisioning.reaper import reap_runs
from provisioning.runners.terraform import terraform_processes
from tests.fixtures.runs import make_version
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def vm(name):
    return {"name": name, "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "recovery tests"}


def instances(sandbox_client, *, request=None, item=None, states=("pending", "running")):
    filters = [{"Name": "instance-state-name", "Values": list(states)}]
    if request is not None:
        filters.append({"Name": "tag:portal:request", "Values": [str(request)]})
    if item is not None:
        filters.append({"Name": "tag:portal:item", "Values": [str(item)]})
    reservations = sandbox_client("ec2").describe_instances(Filters=filters)["Reservations"]
    return [instance["InstanceId"] for r in reservations for instance in r["Instances"]]


def terraform_under(path) -> list[int]:
    """Live Terraform processes (core or provider) working in ``path`` (other tests' are elsewhere)."""
    found = []
    for pid in terraform_processes():
        try:
            if os.readlink(f"/proc/{pid}/cwd").startswith(str(path)):
                found.append(pid)
        except OSError:
            continue
    return found


def process_name(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/comm").read().strip()  # noqa: SIM115
    except OSError:
        return "?"


def advisory_locks() -> int:
    """State locks the pg backend holds in the test database (advisory locks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                       "(SELECT oid FROM pg_database WHERE datname = current_database())")
        return cursor.fetchone()[0]


def settled(*requests) -> bool:
    """Every request at rest: no run going, and the portal has acted on every run that ended (a run's end
    is settled just after it is recorded, in its own transaction)."""
    for request in requests:
        request.refresh_from_db()
        if request.status not in (RequestStatus.ACTIVE, RequestStatus.FAILED) or has_active_runs(request):
            return False
        if Run.objects.filter(item__request=request, status__in=TERMINAL_RUN_STATES,
                              settled_at__isnull=True).exclude(action=Run.Action.PLAN).exists():
            return False
    return True


def running_run(requests) -> Run | None:
    return Run.objects.filter(item__request__in=requests, status=RunStatus.RUNNING).select_related("item").first()


KILL_MOMENTS = (
    ("during init", lambda run, created: run.phase == "init"),
    ("during apply, before the instance exists", lambda run, created: run.phase == "apply" and not created),
    ("during apply, after the instance exists", lambda run, created: run.phase == "apply" and created),
)


def test_killed_workers_lose_nothing_and_create_nothing_twice(celery_worker, demo, approved_request,
                                                             sandbox_client):
    version = demo.versions["cpu-vm"]
    requests = [approved_request([(version, vm(f"kill-{n}"))], title=f"kill {n}") for n in (1, 2)]
    celery_worker.ensure_running()
    started = time.monotonic()
    for request in requests:
        start_fulfilment(request=request, actor=demo.people["approver"])

    timings = []
    for moment, ready in KILL_MOMENTS:
        def target(ready=ready):
            run = running_run(requests)
            if run is None:
                return None
            return run if ready(run, bool(instances(sandbox_client, item=run.item_id))) else None

        run = wait_for(target, timeout=400, interval=0.2, what=f"a run {moment}")
        killed_at = time.monotonic()
        celery_worker.kill()
        alive_after_kill: set[str] = set()

        def all_gone(alive=alive_after_kill):
            pids = terraform_under(celery_worker.data_dir)
            alive.update(process_name(pid) for pid in pids)
            return not pids

        wait_for(all_gone, timeout=90, interval=0.2, what="Terraform (core and provider) to die with the worker")
        gone = time.monotonic()
        wait_for(lambda: advisory_locks() == 0, timeout=30, interval=0.2, what="the state lock to be free")
        reaped = wait_for(lambda: reap_runs().lost, timeout=60, interval=1, what="the reaper to see the lost run")
        assert reaped == [run.pk]
        reaped_at = time.monotonic()
        celery_worker.start()
        timings.append((moment, run.phase, run.pk, run.attempt, sorted(alive_after_kill), gone - killed_at,
                        reaped_at - killed_at, time.monotonic() - killed_at))

    wait_for(lambda: settled(*requests), timeout=600, interval=2, what="both requests to settle")
    for request in requests:
        if request.status == RequestStatus.FAILED:  # a run killed on every attempt: failed, with retry
            item, run = failed_item(request)
            assert "stopped answering" in run.error
            retry_fulfilment(request=request, actor=demo.people["requester"])
    wait_for(lambda: settled(*requests), timeout=600, interval=2, what="the retried requests to settle")

    lost = Run.objects.filter(error__contains="stopped answering")
    assert lost.count() == len(KILL_MOMENTS)
    for request in requests:
        request.refresh_from_db()
        last = Run.objects.filter(item__request=request, action="apply").order_by("-pk").first()
        assert request.status == RequestStatus.ACTIVE, f"{last.error}\n" + "\n".join(
            last.log_lines.values_list("text", flat=True)[:200])
        assert len(instances(sandbox_client, request=request.pk)) == 1, "an instance exists twice"
        assert last.status == RunStatus.SUCCEEDED  # it got the state lock every earlier attempt held
    assert terraform_under(celery_worker.data_dir) == [] and advisory_locks() == 0

    print(f"\nkill -9 timings (whole scenario {time.monotonic() - started:.0f} s):")
    for moment, phase, run_pk, attempt, alive, gone, reaped, restarted in timings:
        print(f"  run {run_pk} attempt {attempt} killed {moment} (phase {phase}; still alive then: {alive}): "
              f"all gone after {gone:.1f} s, reaped after {reaped:.1f} s, new worker ready after {restarted:.1f} s")


def test_cancel_of_a_running_apply_stops_terraform_and_cleans_up(client, celery_worker, demo, approved_request,
                                                                 sandbox_client):
    request = approved_request([(demo.versions["cpu-vm"], vm("cancel-me"))], title="cancel me")
    celery_worker.ensure_running()
    start_fulfilment(request=request, actor=demo.people["approver"])

    def creating():
        run = running_run([request])
        return run if run and run.phase == "apply" and instances(sandbox_client, item=run.item_id) else None

    run = wait_for(creating, timeout=400, interval=0.2, what="the apply to create the instance")
    client.force_login(demo.people["requester"])
    assert client.post(f"/requests/{request.pk}/cancel/").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.pgid
    cancelled_at = time.monotonic()
    wait_for(lambda: not terraform_processes(run.pgid), timeout=60, interval=0.2,
             what="the cancelled run's Terraform group to end")
    stop_seconds = time.monotonic() - cancelled_at

    wait_for(lambda: settled(request), timeout=400, interval=2, what="the clean-up after the cancel")
    assert request.status == RequestStatus.FAILED
    destroys = list(Run.objects.filter(item__request=request, action="destroy").order_by("pk"))
    assert [d.status for d in destroys][-1:] == [RunStatus.SUCCEEDED], [
        (d.pk, d.status, d.attempt, d.error, list(d.log_lines.values_list("text", flat=True))[-30:]) for d in destroys]
    assert OnboardingRequest.objects.get(pk=request.pk).items.get().status == "destroyed"
    assert instances(sandbox_client, request=request.pk) == []
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    lines = "\n".join(run.log_lines.values_list("text", flat=True))
    assert "no longer holds the run" in lines
    print(f"\ncancel: Terraform's group gone {stop_seconds:.1f} s after the POST")


def test_a_bundle_whose_third_item_fails_leaves_nothing_behind(demo, approved_request, in_process_terraform,
                                                              inline_tasks, sandbox_client):
    good = demo.versions["cpu-vm"]
    broken = make_version("cpu_vm", slug="cpu-vm-broken-image", fixed_values={"ami": "ami-does-not-exist"},
                          schema=good.parameter_schema)
    request = approved_request([(good, vm("bundle-a")), (good, vm("bundle-b")), (broken, vm("bundle-c"))])
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain(deliveries=2)  # every task delivered twice

    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED
    item, run = failed_item(request)
    assert item.values["name"] == "bundle-c" and "couldn't find resource" in run.error
    applies = Run.objects.filter(action="apply").order_by("pk")
    assert [(r.item.values["name"], r.status) for r in applies] == [
        ("bundle-a", "succeeded"), ("bundle-b", "succeeded"), ("bundle-c", "failed")]
    destroys = Run.objects.filter(action="destroy").order_by("pk")
    assert [(r.item.values["name"], r.status) for r in destroys] == [
        ("bundle-c", "succeeded"), ("bundle-b", "succeeded"), ("bundle-a", "succeeded")]
    assert instances(sandbox_client, request=request.pk) == []
    ever = instances(sandbox_client, request=request.pk, states=("pending", "running", "shutting-down",
                                                                  "terminated", "stopping", "stopped"))
    assert len(ever) == 2  # a and b, once each, despite every task delivered twice
