"""Workers on many hosts, as a deployment runs them: each host has its own disk (PORTAL_DATA_DIR), serves some
queues (provisioning/workers.py) and shares only PostgreSQL and Redis with the others. A preview made on one
host is applied on another, a host that never saw the item checks its drift, and light work (a webhook) is
done while an apply occupies the runs worker."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest

from portal.inventory.models import ProvisionedResource
from portal.notifications.models import TeamWebhook
from portal.notifications.services import post_to_team_webhooks
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import record_decision, request_drift_check, submit_new_request
from provisioning.models import Run, RunStatus
from tests.approvals.test_notifications import Hook
from tests.fixtures.tcp_proxy import TcpProxy
from tests.fixtures.worker import WorkerHandle, wait_for, worker_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def vm(name: str) -> dict:
    return {"name": name, "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "many hosts"}


@pytest.fixture(scope="module")
def hosts(celery_worker, sandbox_url, tmp_path_factory):
    """Three hosts, one queue each (prefork, one process: as a deployment runs them). They reach the cloud
    through a proxy the tests can hold, so an apply stays busy for as long as a test wants (every host: a
    saved plan keeps the provider settings of the host that made it, and the apply talks where it says)."""
    session_worker_was_running = celery_worker.proc is not None and celery_worker.proc.poll() is None
    celery_worker.stop()  # it serves every queue: the hosts here must be the only workers
    sandbox = urlparse(sandbox_url)
    cloud_gate = TcpProxy(sandbox.hostname, sandbox.port).start()

    def host(name: str, queues: str) -> WorkerHandle:
        data_dir = tmp_path_factory.mktemp(f"host-{name}")
        env = worker_env(sandbox_url=f"http://127.0.0.1:{cloud_gate.port}", data_dir=data_dir)
        return WorkerHandle(env, data_dir, pool="prefork", queues=queues)

    started = SimpleNamespace(previews=host("a", "previews"), runs=host("b", "runs"), light=host("c", "default"),
                              cloud_gate=cloud_gate, host=host)
    try:
        for handle in (started.previews, started.runs, started.light):
            handle.start()
        yield started
    finally:
        for handle in (started.previews, started.runs, started.light):
            handle.stop()
        cloud_gate.release()
        cloud_gate.cut()
        if session_worker_was_running:
            celery_worker.start()


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def settled(request) -> bool:
    return refreshed(request).status in (RequestStatus.ACTIVE, RequestStatus.FAILED)


def log_of(run: Run) -> str:
    return "\n".join(run.log_lines.values_list("text", flat=True))


def approve(demo, request) -> None:
    record_decision(stage=request.stages.get(), actor=demo.people["approver"], outcome="approve")


def test_a_preview_made_on_one_host_is_applied_on_another_and_checked_for_drift_on_a_third(
        hosts, mlops_only, client, tmp_path_factory):
    demo = mlops_only
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                                 title="two hosts", items=[(demo.versions["cpu-vm"], vm("two-hosts"))])
    item = request.items.get()
    preview = item.runs.get(action=Run.Action.PLAN)
    wait_for(lambda: refreshed(preview).is_terminal, timeout=180, interval=1, what="the preview (previews host)")
    assert preview.status == RunStatus.SUCCEEDED, preview.error + log_of(preview)

    approve(demo, request)
    wait_for(lambda: settled(request), timeout=240, interval=1, what="the apply (runs host)")
    apply = item.runs.get(action=Run.Action.APPLY)
    assert request.status == RequestStatus.ACTIVE, apply.error + log_of(apply)
    assert apply.worker != preview.worker
    # The runs host applied the very plan the previews host made: it travels with the run, not on a disk.
    assert apply.applied_plan_of_id == preview.pk, log_of(apply)
    assert f"portal: applying the plan of preview run #{preview.pk} (what the approvers saw)" in log_of(apply)
    workspace = apply.workspace.key
    for host in (hosts.previews, hosts.runs):  # each host built its own working dir; no plan file outlives its run
        assert (host.data_dir / "workspaces" / workspace).is_dir()
        assert list((host.data_dir / "workspaces" / workspace).glob("*.tfplan")) == []

    # A host that never saw the item (its disk is empty) checks its drift: the state is shared, nothing drifted.
    hosts.previews.stop()
    newcomer = hosts.host("d", "previews")
    newcomer.start()
    try:
        resource = ProvisionedResource.objects.get(item=item)
        check = request_drift_check(resource=resource, actor=demo.people["requester"])
        wait_for(lambda: refreshed(check).is_terminal, timeout=180, interval=1, what="the drift check (new host)")
    finally:
        newcomer.stop()
        hosts.previews.start()
    assert check.status == RunStatus.SUCCEEDED, check.error + log_of(check)
    assert "portal: no drift — the cloud matches the declared values" in log_of(check)
    assert (newcomer.data_dir / "workspaces" / workspace).is_dir()  # it ran there, from the run's snapshot
    assert refreshed(resource).drift_status == ProvisionedResource.DriftStatus.IN_SYNC
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert re.search(r"[Ii]n sync", page)


def test_a_webhook_is_posted_while_an_apply_occupies_the_runs_worker(hosts, mlops_only):
    demo = mlops_only
    hook = Hook()
    team = demo.teams["mlops-enablement"]
    TeamWebhook.objects.create(team=team, name="approvals chat", url=hook.url, events=["stage.waiting"])
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                                 title="busy runs worker", items=[(demo.versions["cpu-vm"], vm("busy-runs"))])
    item = request.items.get()
    preview = item.runs.get(action=Run.Action.PLAN)
    wait_for(lambda: refreshed(preview).is_terminal, timeout=180, interval=1, what="the preview")
    before = len(hook.posts)  # the stage's own webhook may already be there
    hosts.cloud_gate.hold()  # the runs host's cloud hangs: its apply waits for an answer
    try:
        approve(demo, request)
        wait_for(lambda: hosts.cloud_gate.held, timeout=180, interval=0.5, what="the apply to call the cloud")
        apply = item.runs.get(action=Run.Action.APPLY)
        assert refreshed(apply).status == RunStatus.RUNNING

        post_to_team_webhooks(team=team, event="stage.waiting", title="busy", body="light work goes on")
        wait_for(lambda: any("light work goes on" in body["text"] for body, _ in hook.posts[before:]), timeout=60,
                 interval=0.5, what="the webhook, while the apply runs")
        assert refreshed(apply).status == RunStatus.RUNNING  # the apply still holds the runs worker
    finally:
        hosts.cloud_gate.release()
        hook.close()
    wait_for(lambda: settled(request), timeout=240, interval=1, what="the apply, once the cloud answers")
    assert request.status == RequestStatus.ACTIVE, refreshed(apply).error + log_of(apply)
