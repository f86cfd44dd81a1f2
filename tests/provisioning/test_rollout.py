"""Bundles, retries, compensation, cancel and the reaper, with a scripted engine (no Terraform)."""

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.audit.selectors import events_for
from portal.core.secrets import seal, unseal
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest, RequestItem, RequestStatus
from portal.onboarding.services import failed_item, retry_fulfilment, settle_run, start_fulfilment
from portal.onboarding.snapshots import queue_item_run
from provisioning.executor import execute_run
from provisioning.models import Run, RunStatus
from provisioning.reaper import reap_runs
from provisioning.runners.terraform import TerraformFailed
from provisioning.tasks import execute_run_task
from tests.fixtures.runs import make_run, make_version

from . import terraform_errors as real

pytestmark = pytest.mark.django_db(transaction=True)

THROTTLED = TerraformFailed("apply", 1, real.tail(real.THROTTLED))
BAD_AMI = TerraformFailed("apply", 1, real.tail(real.BAD_AMI))


def vm(name):
    return {"name": name, "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "tests"}


@pytest.fixture
def three_vms(demo, approved_request):
    version = demo.versions["cpu-vm"]
    return approved_request([(version, vm("vm-a")), (version, vm("vm-b")), (version, vm("vm-c"))])


def start(request, demo):
    start_fulfilment(request=request, actor=demo.people["approver"])


def test_items_run_in_dependency_order_and_outputs_feed_later_items(demo, approved_request, fake_engine,
                                                                    inline_tasks):
    request = approved_request([
        (demo.versions["cpu-vm"], vm("train-vm")),
        (make_version("ci_pipeline", engine="ci"), {"name": "build", "repo_url": "typed-by-requester"}),
        (make_version("repo", engine="scaffold"), {"name": "code"}),
        (make_version("directory_group", engine="directory"), {"name": "team-group"}),
    ])
    fake_engine.outputs["code"] = {"clone_url": "file:///srv/git/code.git", "deploy_key": seal("k3y")}
    start(request, demo)
    inline_tasks.drain(deliveries=2)  # every task delivered twice: the second delivery does nothing

    assert fake_engine.names("apply") == ["team-group", "code", "build", "train-vm"]
    given = dict((name, variables) for name, action, variables in fake_engine.calls)["build"]
    assert given["repo_url"] == "file:///srv/git/code.git"  # fed by the repo item: the typed value lost
    build = Run.objects.get(item__values__name="build", action="apply")
    assert build.variables["repo_url"] == "file:///srv/git/code.git"  # the run row says what was applied
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    resources = {r.name: r for r in ProvisionedResource.objects.all()}
    assert set(resources) == {"team-group", "code", "build", "train-vm"}
    assert resources["code"].team == request.team
    assert resources["code"].display_outputs["deploy_key"] == "(sensitive)"
    assert unseal(resources["code"].outputs["deploy_key"]) == "k3y"
    assert Run.objects.filter(action="apply").count() == 4


def test_transient_failure_is_retried_as_a_new_attempt(demo, approved_request, fake_engine, inline_tasks):
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    fake_engine.fail("vm-a", "apply", THROTTLED)
    start(request, demo)
    first = Run.objects.get()
    assert inline_tasks.sent == [(first.pk, None)]
    inline_tasks.sent.clear()
    execute_run_task(first.pk)
    first.refresh_from_db()
    assert first.status == RunStatus.FAILED and first.will_retry
    assert "throttled by the cloud" in first.error and "Retrying as attempt 2 of 3 in 1 s" in first.error
    retry = Run.objects.get(retry_of=first)
    assert (retry.attempt, retry.status, inline_tasks.sent) == (2, RunStatus.QUEUED, [(retry.pk, 1.0)])
    assert retry.not_before > first.finished_at
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONING  # a retry follows: nothing settled yet

    inline_tasks.drain()
    retry.refresh_from_db()
    request.refresh_from_db()
    assert retry.status == RunStatus.SUCCEEDED and request.status == RequestStatus.ACTIVE


def test_attempts_are_limited(demo, approved_request, fake_engine, inline_tasks, settings):
    settings.PORTAL_KEEP_FAILED_RESOURCES = True
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    fake_engine.fail("vm-a", "apply", THROTTLED, THROTTLED, THROTTLED)
    start(request, demo)
    inline_tasks.drain()
    runs = list(Run.objects.order_by("attempt"))
    assert [(r.attempt, r.status) for r in runs] == [(1, "failed"), (2, "failed"), (3, "failed")]
    assert runs[-1].error.endswith("Not retried: 3 of 3 attempts used.")
    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED


def test_a_failed_item_cleans_up_the_request_in_reverse_order(demo, three_vms, fake_engine, inline_tasks):
    fake_engine.fail("vm-c", "apply", BAD_AMI)
    start(three_vms, demo)
    inline_tasks.drain()

    assert fake_engine.names("apply") == ["vm-a", "vm-b", "vm-c"]  # permanent: one attempt only
    assert fake_engine.names("destroy") == ["vm-c", "vm-b", "vm-a"]
    three_vms.refresh_from_db()
    assert three_vms.status == RequestStatus.FAILED
    assert set(three_vms.items.values_list("status", flat=True)) == {RequestItem.Status.DESTROYED}
    assert set(ProvisionedResource.objects.values_list("status", flat=True)) == {"destroyed"}
    item, run = failed_item(three_vms)
    assert item.values["name"] == "vm-c" and "couldn't find resource" in run.error
    assert "permanent: an invalid value" in run.error
    verbs = list(events_for(three_vms).values_list("verb", flat=True))
    assert "request.item_failed" in verbs and verbs[-1] == "request.cleaned_up"

    # Retry starts again from the first item that does not exist (all were cleaned up).
    retry_fulfilment(request=three_vms, actor=demo.people["requester"])
    inline_tasks.drain()
    three_vms.refresh_from_db()
    assert three_vms.status == RequestStatus.ACTIVE
    assert fake_engine.names("apply")[3:] == ["vm-a", "vm-b", "vm-c"]
    assert set(ProvisionedResource.objects.values_list("status", flat=True)) == {"active"}


def test_keeping_failed_resources_and_retrying_from_the_failed_item(demo, three_vms, fake_engine, inline_tasks,
                                                                    settings):
    settings.PORTAL_KEEP_FAILED_RESOURCES = True
    fake_engine.fail("vm-b", "apply", BAD_AMI)
    start(three_vms, demo)
    inline_tasks.drain()
    assert fake_engine.names("destroy") == []
    statuses = dict(three_vms.items.values_list("values__name", "status"))
    assert statuses == {"vm-a": "active", "vm-b": "failed", "vm-c": "pending"}

    retry_fulfilment(request=three_vms, actor=demo.people["requester"])
    inline_tasks.drain()
    assert fake_engine.names("apply") == ["vm-a", "vm-b", "vm-b", "vm-c"]
    three_vms.refresh_from_db()
    assert three_vms.status == RequestStatus.ACTIVE


def test_cancel_and_retry_permissions(client, demo, three_vms, fake_engine, inline_tasks, make_user):
    start(three_vms, demo)
    outsider = make_user("outsider", team=demo.teams["finance"])
    url = f"/requests/{three_vms.pk}/cancel/"

    assert client.post(url).status_code == 302 and Run.objects.get().status == "queued"  # anonymous: to login
    client.force_login(outsider)
    assert client.post(url).status_code == 404  # cannot even see it
    client.force_login(demo.people["approver"])  # sees it (steering team), may not cancel
    client.post(url)
    assert Run.objects.get().status == "queued"
    assert client.get(url).status_code == 405

    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{three_vms.pk}/").content.decode()
    assert 'id="cancel-runs"' in page and 'id="retry-request"' not in page
    assert client.post(url).status_code == 302
    run = Run.objects.get(action="apply")
    assert run.status == RunStatus.CANCELLED and "Cancelled by requester" in run.error
    three_vms.refresh_from_db()
    assert three_vms.status == RequestStatus.FAILED
    inline_tasks.drain()  # the cancelled apply's task does nothing; the clean-up destroy runs
    assert fake_engine.names("apply") == [] and fake_engine.names("destroy") == ["vm-a"]
    page = client.get(f"/requests/{three_vms.pk}/").content.decode()
    assert "was cancelled: Cancelled by requester" in page and 'id="retry-request"' in page

    client.force_login(demo.people["admin"])  # staff may retry
    assert client.post(f"/requests/{three_vms.pk}/retry/").status_code == 302
    inline_tasks.drain()
    three_vms.refresh_from_db()
    assert three_vms.status == RequestStatus.ACTIVE


def test_reaper_retries_lost_runs_then_gives_up(demo, approved_request, fake_engine, inline_tasks):
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    start(request, demo)
    inline_tasks.sent.clear()
    long_ago = timezone.now() - timedelta(minutes=5)
    for attempt in (1, 2, 3):
        run = Run.objects.get(status="queued")
        Run.objects.filter(pk=run.pk).update(status="running", worker="gone-host:1", heartbeat_at=long_ago,
                                             started_at=long_ago, phase="apply")
        fresh = make_run(item=run.item, action="plan", status="running", worker="w:2",
                                   heartbeat_at=timezone.now())  # alive: left alone
        reaped = reap_runs()
        assert reaped.lost == [run.pk]
        run.refresh_from_db()
        assert run.status == "failed" and "stopped answering during apply" in run.error
        fresh.refresh_from_db()
        assert fresh.status == "running"
        fresh.delete()
        if attempt < 3:
            assert reaped.retried and Run.objects.get(pk=reaped.retried[0]).attempt == attempt + 1
        else:
            assert reaped.retried == [] and "Not retried: 3 of 3" in run.error
    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED
    assert Run.objects.get(status="queued").action == "destroy"  # the clean-up is on its way


def test_reaper_resends_lost_task_messages_and_command(demo, approved_request, inline_tasks, capsys):
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    start(request, demo)
    inline_tasks.sent.clear()
    run = Run.objects.get()
    waiting = make_run(item=run.item, action="apply", attempt=2,
                                 not_before=timezone.now() + timedelta(minutes=5),
                                 enqueued_at=timezone.now() - timedelta(hours=1))
    assert reap_runs().resent == []  # sent just now
    Run.objects.filter(pk=run.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    call_command("reap_runs")
    assert f"tasks sent again: [{run.pk}]" in capsys.readouterr().out
    assert inline_tasks.sent == [(run.pk, None)]  # not the one waiting for its backoff
    assert waiting.pk not in [pk for pk, _ in inline_tasks.sent]


def test_reaper_settles_a_run_whose_worker_died_before_recording_it(demo, approved_request, fake_engine,
                                                                    inline_tasks, monkeypatch):
    version = demo.versions["cpu-vm"]
    request = approved_request([(version, vm("vm-a")), (version, vm("vm-b"))])
    start(request, demo)
    first_pk, _ = inline_tasks.sent.pop(0)
    with monkeypatch.context() as dying:
        dying.setattr("provisioning.executor.announce_end", lambda run: None)
        execute_run(first_pk)  # succeeded; the worker dies before it tells the portal
    assert Run.objects.get(pk=first_pk).settled_at is None
    assert reap_runs().settled == []  # just ended: its worker may still be recording it
    Run.objects.filter(pk=first_pk).update(finished_at=timezone.now() - timedelta(minutes=5))
    assert reap_runs().settled == [first_pk]
    assert reap_runs().settled == []
    settle_run(Run.objects.get(pk=first_pk))  # the slow worker after all: nothing happens
    assert Run.objects.filter(action="apply").count() == 2
    inline_tasks.drain()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE and fake_engine.names("apply") == ["vm-a", "vm-b"]


def test_reaper_kills_a_leftover_process_group_on_this_host(demo, approved_request, tmp_path):
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    fake = tmp_path / "terraform-provider-fake"
    os.symlink("/bin/sleep", fake)
    proc = subprocess.Popen([str(fake), "300"], start_new_session=True)
    try:
        long_ago = timezone.now() - timedelta(minutes=5)
        run = make_run(item=RequestItem.objects.get(request=request), action="apply", status="running",
                                 worker=f"{socket.gethostname()}:999999", heartbeat_at=long_ago, pgid=proc.pid)
        reaped = reap_runs()
        assert reaped.killed_groups == [proc.pid]
        assert proc.wait(timeout=10) == -9
        assert Run.objects.get(pk=run.pk).status == "failed"
    finally:
        proc.kill()


def test_reaper_is_scheduled(settings):
    assert any(entry["task"] == "provisioning.reap_runs" for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_request_page_shows_phase_elapsed_attempt_and_masks_secrets(client, demo, approved_request):
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    RequestItem.objects.filter(request=request).update(status="provisioning")
    OnboardingRequest.objects.filter(pk=request.pk).update(status=RequestStatus.PROVISIONING)
    started = timezone.now() - timedelta(seconds=75)
    make_run(item=request.items.get(), action="apply", status="running", attempt=2, phase="apply",
                       worker="host:42", started_at=started, heartbeat_at=timezone.now(),
                       outputs={"id": "i-123", "token": seal("never-shown-s3cret")})
    client.force_login(demo.people["requester"])
    fragment = client.get(f"/requests/{request.pk}/progress/").content.decode()
    assert "phase: apply" in fragment and "attempt 2" in fragment and "on host:42" in fragment
    assert "1:15 elapsed" in fragment or "1:16 elapsed" in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert "(sensitive)" in fragment and "never-shown-s3cret" not in fragment and "i-123" in fragment


def test_the_cancel_button_also_stops_an_upgrade_run_and_nothing_else_changes(demo, approved_request, fake_engine,
                                                                              inline_tasks, client):
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    start(request, demo)
    inline_tasks.drain()
    run = queue_item_run(item=request.items.get(), action="upgrade", actor=None)
    client.force_login(demo.people["requester"])
    assert 'id="cancel-runs"' in client.get(f"/requests/{request.pk}/").content.decode()
    client.post(f"/requests/{request.pk}/cancel/")
    run.refresh_from_db()
    request.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert request.status == RequestStatus.ACTIVE and request.items.get().status == "active"


def test_the_ready_panel_lists_only_what_exists(demo, three_vms, fake_engine, inline_tasks, client):
    """After a failure and its clean-up nothing of the request is "ready", though its applies succeeded."""
    fake_engine.fail("vm-c", "apply", BAD_AMI)
    start(three_vms, demo)
    inline_tasks.drain()
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{three_vms.pk}/").content.decode()
    assert "data-ready-item" not in page and 'class="ready"' not in page
    assert Run.objects.filter(action="apply", status="succeeded").count() == 2  # vm-a and vm-b existed once


def test_a_failure_of_the_workers_own_database_connection_says_so(demo, approved_request, fake_engine,
                                                                  inline_tasks, settings):
    from django.db import OperationalError

    settings.PORTAL_KEEP_FAILED_RESOURCES = True
    settings.RUN_MAX_ATTEMPTS = 1
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a"))])
    fake_engine.fail("vm-a", "apply", OperationalError("server closed the connection unexpectedly"))
    start(request, demo)
    inline_tasks.drain()
    run = Run.objects.get(action="apply")
    assert run.status == "failed"
    assert "lost its connection to the portal's database" in run.error
    assert "temporary: the database connection was lost" in run.error
    assert "stopped answering" not in run.error
