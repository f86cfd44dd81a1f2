"""The engine through outages, with a real worker, Terraform and the sandbox: the worker's database goes
away while Terraform applies (the run goes on and its end is recorded once the database is back), and the
broker restarts and loses every queued message (the reaper sends them again; nothing is lost)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.conf import settings

from portal.onboarding.models import RequestStatus
from portal.onboarding.services import has_active_runs, record_decision, start_fulfilment, submit_new_request
from provisioning.cloud.sandbox import free_port
from provisioning.models import Run, RunStatus
from provisioning.reaper import reap_runs
from tests.e2e.test_run_recovery import instances, terraform_under
from tests.fixtures.tcp_proxy import TcpProxy
from tests.fixtures.worker import WorkerHandle, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def vm(name):
    return {"name": name, "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "outage tests"}


def active(request) -> bool:
    request.refresh_from_db()
    return request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED) and not has_active_runs(request)


def test_the_worker_rides_out_a_database_outage(demo, approved_request, celery_worker, sandbox_client):
    db = settings.DATABASES["default"]
    proxy = TcpProxy(db["HOST"], int(db["PORT"])).start()
    direct = celery_worker.env["DATABASE_URL"]
    env = {**celery_worker.env, "TERRAFORM_STATE_PG_URL": direct + "?sslmode=disable",  # Terraform's state: direct
           "DATABASE_URL": direct.replace(f":{db['PORT']}/", f":{proxy.port}/")}  # the worker's own: cut below
    celery_worker.stop()
    worker = WorkerHandle(env, celery_worker.data_dir)
    worker.start()
    try:
        request = approved_request([(demo.versions["cpu-vm"], vm("db-outage"))], title="db outage")
        start_fulfilment(request=request, actor=demo.people["approver"])
        run = wait_for(lambda: Run.objects.filter(item__request=request, action="apply", status="running",
                                                  phase="apply").first(), timeout=300, interval=0.5,
                       what="the apply to start")
        cut_at = time.monotonic()
        proxy.cut()  # the worker's database goes away while Terraform applies
        wait_for(lambda: instances(sandbox_client, item=run.item_id), timeout=300, interval=1,
                 what="the instance to be created meanwhile")
        wait_for(lambda: not terraform_under(celery_worker.data_dir), timeout=300, interval=1,
                 what="Terraform to finish while the database is away")
        time.sleep(3)
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING  # its end could not be recorded yet
        proxy.start()  # the database is back
        back_at = time.monotonic()
        wait_for(lambda: active(request), timeout=300, interval=1, what="the end to be recorded")
        recorded = time.monotonic()
    finally:
        worker.stop()
        proxy.cut()

    run.refresh_from_db()
    lines = list(run.log_lines.values_list("text", flat=True))
    assert request.status == RequestStatus.ACTIVE, run.error + "\n".join(lines[-40:])
    assert run.status == RunStatus.SUCCEEDED and run.error == "" and run.attempt == 1
    assert any("lost the database connection" in line for line in lines)
    assert not Run.objects.filter(item__request=request, error__contains="stopped answering").exists()
    assert len(instances(sandbox_client, item=run.item_id)) == 1
    print(f"\ndatabase away {back_at - cut_at:.0f} s during the apply; its end recorded {recorded - back_at:.1f} s "
          "after the database came back")


@pytest.fixture
def private_broker(tmp_path):
    """A Redis of this test's own, which it can restart (losing every message) without touching others'."""
    port = free_port()
    argv = [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--dir", str(tmp_path)]

    class Broker:
        url = f"redis://127.0.0.1:{port}/0"
        proc: subprocess.Popen | None = None

        def start(self):
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            wait_for(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                            text=True).stdout.strip() == "PONG", timeout=30, interval=0.1,
                     what="the private Redis")

        def kill(self):
            self.proc.kill()
            self.proc.wait(timeout=10)

    broker = Broker()
    broker.start()
    yield broker
    broker.kill()


def test_a_broker_restart_loses_no_request(mlops_only, celery_worker, private_broker, settings, monkeypatch):
    """Every queued message is lost with the broker; the reaper sends each run again once it waited
    RUN_QUEUE_STALE_SECONDS with its queue empty, and the request gets done."""
    from celery import current_app

    demo = mlops_only
    settings.RUN_QUEUE_STALE_SECONDS = 15
    monkeypatch.setattr(current_app.conf, "broker_url", private_broker.url)
    monkeypatch.setattr(current_app, "_pool", None)  # the producer pools reconnect to the private broker
    monkeypatch.setattr(current_app.amqp, "_producer_pool", None)
    celery_worker.stop()
    worker = WorkerHandle({**celery_worker.env, "REDIS_URL": private_broker.url}, celery_worker.data_dir)
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                                 title="broker restart", items=[(demo.versions["cpu-vm"], vm("broker-restart"))])
    record_decision(stage=request.stages.get(), actor=demo.people["approver"], outcome="approve")
    assert Run.objects.filter(item__request=request, status="queued").count() == 2  # preview, then apply
    private_broker.kill()  # a restart of a broker that keeps nothing on disk: both messages are gone
    private_broker.start()
    restarted = time.monotonic()
    worker.start()
    resent_at = None
    try:
        deadline = time.monotonic() + 600
        while not active(request) and time.monotonic() < deadline:
            reaped = reap_runs()  # what beat does every RUN_REAP_INTERVAL_SECONDS
            if reaped.resent and resent_at is None:
                resent_at = time.monotonic()
            time.sleep(2)
    finally:
        worker.stop()
        monkeypatch.setattr(current_app, "_pool", None)
        monkeypatch.setattr(current_app.amqp, "_producer_pool", None)
    assert request.status == RequestStatus.ACTIVE
    runs = list(Run.objects.filter(item__request=request).order_by("pk"))
    assert [(r.action, r.status, r.attempt) for r in runs] == [("plan", "succeeded", 1), ("apply", "succeeded", 1)]
    assert resent_at is not None
    print(f"\nbroker restarted: the lost preview was sent again {resent_at - restarted:.0f} s later "
          f"(RUN_QUEUE_STALE_SECONDS={settings.RUN_QUEUE_STALE_SECONDS:.0f}); the apply followed its preview")
