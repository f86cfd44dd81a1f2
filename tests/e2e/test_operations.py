"""Operating the portal: health, readiness, metrics and traceable logs, seen from outside a real deployment
— gunicorn with two processes (metrics merged through PROMETHEUS_MULTIPROC_DIR, JSON logs), a real Celery
worker (JSON logs, heartbeats), PostgreSQL and Redis reached through TCP forwarders the test cuts."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from portal.accounts.tokens import create_token
from portal.onboarding.models import OnboardingRequest, RequestStatus
from provisioning.cloud.sandbox import free_port
from provisioning.models import Run
from tests.fixtures.tcp_proxy import TcpProxy
from tests.fixtures.worker import REPO, WorkerHandle, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
READY_WORKER_SECONDS = 3


class Web:
    """The gunicorn server; ``calls`` counts every HTTP request it was sent (to check merged counters)."""

    def __init__(self, proc: subprocess.Popen, url: str, log_path: Path):
        self.proc, self.url, self.log_path, self.calls = proc, url, log_path, 0

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        # A new connection each time: gunicorn's processes take turns accepting them.
        answer = httpx.request(method, self.url + path, timeout=30, headers={"Connection": "close",
                                                                             **kwargs.pop("headers", {})}, **kwargs)
        self.calls += 1
        return answer

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def log_records(self) -> list[dict]:
        return json_records(self.log_path)


def json_records(path: Path) -> list[dict]:
    records = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    return records


@pytest.fixture(scope="module")
def services(django_db_setup):
    """Forwarders to the test database and Redis: the web server and the worker reach them through these."""
    db = settings.DATABASES["default"]
    broker = httpx.URL(settings.CELERY_BROKER_URL)
    database = TcpProxy(db["HOST"], int(db["PORT"])).start()
    redis = TcpProxy(broker.host, broker.port or 6379).start()
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    urls = {"DATABASE_URL": f"postgres://{auth}@127.0.0.1:{database.port}/{db['NAME']}",
            "REDIS_URL": f"redis://127.0.0.1:{redis.port}{broker.path}"}
    yield type("Services", (), {"database": database, "redis": redis, "urls": urls})
    database.cut()
    redis.cut()


@pytest.fixture(scope="module")
def worker(celery_worker, services):
    """A worker with JSON logs on the test database and broker (directly: only the web server's connections
    are cut), in place of the session's worker while this module runs."""
    was_running = celery_worker.proc is not None and celery_worker.proc.poll() is None
    celery_worker.stop()
    handle = WorkerHandle({**celery_worker.env, "PORTAL_LOG_FORMAT": "json"}, celery_worker.data_dir)
    handle.start()
    yield handle
    handle.stop()
    if was_running:
        celery_worker.start()


@pytest.fixture(scope="module")
def web(services, celery_worker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    (tmp / "prometheus").mkdir()
    (tmp / "prometheus" / "counter_999999.db").write_bytes(b"a previous life's counts")  # emptied at start
    port = free_port()
    env = {**celery_worker.env, **services.urls, "PORTAL_LOG_FORMAT": "json", "PORTAL_METRICS_TOKEN": METRICS_TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"), "PORTAL_PROCESS_NAME": "portal-web",
           "PORTAL_READY_WORKER_SECONDS": str(READY_WORKER_SECONDS), "PORTAL_READY_TIMEOUT_SECONDS": "2"}
    log_path = tmp / "gunicorn.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "60", "--config", "python:portal.monitoring.gunicorn_hooks"],
        cwd=REPO, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT, start_new_session=True)  # noqa: SIM115
    server = Web(proc, f"http://127.0.0.1:{port}", log_path)

    def alive():
        assert proc.poll() is None, log_path.read_text()[-3000:]
        try:
            return server.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    wait_for(alive, timeout=60, interval=0.3, what="gunicorn")
    yield server
    proc.terminate()
    proc.wait(timeout=30)


def readiness(web: Web, scope: str = "") -> tuple[int, dict]:
    answer = web.get("/readyz" + (f"?scope={scope}" if scope else ""))
    return answer.status_code, answer.json()


def test_readyz_turns_not_ready_while_the_database_the_broker_or_every_worker_is_gone(web, worker, services):
    wait_for(lambda: readiness(web)[0] == 200, timeout=30, interval=0.5, what="the deployment to be ready")
    status, body = readiness(web)
    assert body["status"] == "ready" and set(body["checks"]["workers"]) == {"runs", "previews", "default"}

    services.database.cut()
    status, body = readiness(web)
    assert status == 503 and body["status"] == "not ready" and body["checks"]["database"] == {
        "ok": False, "error": "unreachable"}
    assert readiness(web, "web")[0] == 503
    assert web.get("/healthz").json() == {"status": "alive"}  # alive all the same: no restart for an outage
    services.database.start()
    wait_for(lambda: readiness(web)[0] == 200, timeout=30, interval=0.5, what="ready again with the database")

    services.redis.cut()
    status, body = readiness(web)
    assert status == 503 and body["checks"]["broker"] == {"ok": False, "error": "unreachable"}
    assert body["checks"]["database"]["ok"] and all(check["ok"] for check in body["checks"]["workers"].values())
    assert readiness(web, "web")[0] == 200  # a web pod stays in service without the broker
    services.redis.start()
    wait_for(lambda: readiness(web)[0] == 200, timeout=30, interval=0.5, what="ready again with the broker")

    worker.kill()  # kill -9: no goodbye, its heartbeat just stops
    wait_for(lambda: readiness(web)[0] == 503, timeout=READY_WORKER_SECONDS + 15, interval=0.5,
             what="the dead worker's heartbeat to age out")
    status, body = readiness(web)
    assert {queue: check["ok"] for queue, check in body["checks"]["workers"].items()} == {
        "runs": False, "previews": False, "default": False}
    assert body["checks"]["workers"]["runs"]["last_seen_seconds_ago"] >= READY_WORKER_SECONDS
    assert readiness(web, "web")[0] == 200
    worker.start()
    wait_for(lambda: readiness(web)[0] == 200, timeout=30, interval=0.5, what="ready again with a worker")


def test_a_request_is_traced_from_the_web_to_the_worker_and_counted_in_the_metrics(web, worker, mlops_only):
    demo = mlops_only
    _, requester_token = create_token(user=demo.people["requester"], name="ops-e2e", scopes=["read", "request"])
    _, approver_token = create_token(user=demo.people["approver"], name="ops-e2e", scopes=["read", "approve"])
    created_by, approved_by = f"e2e-create-{uuid.uuid4().hex[:8]}", f"e2e-approve-{uuid.uuid4().hex[:8]}"

    assert web.get("/metrics").status_code == 401
    assert web.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403

    answer = web.request("POST", "/api/v1/requests", headers={
        "Authorization": f"Bearer {requester_token}", "X-Request-ID": created_by,
        "Idempotency-Key": uuid.uuid4().hex}, json={
        "team": "churn-modelling", "title": "Traced repo", "template": "ml-repo", "values": {
            "name": "traced-repo", "project_name": "Churn model", "owner_email": "ana@example.org",
            "model_kind": "classifier", "ci_provider": "github", "python_version": "3.11",
            "retrain_schedule": "0 3 * * 1"},
        "details": {"data_classification": "internal", "business_justification": "traced end to end",
                    "cost_centre": "CC-1", "expected_duration_days": 90}})
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Request-ID"] == created_by
    request = OnboardingRequest.objects.get(pk=answer.json()["id"])
    metrics = scrape(web)  # a repo has no plan preview: the request waits for its stage
    assert 'portal_requests{status="in_review"} 1.0' in metrics
    assert 'portal_approval_stages_pending{steering_team="mlops-enablement"} 1.0' in metrics

    stage = request.stages.get()
    decided = web.request("POST", f"/api/v1/approvals/{stage.pk}/decide", headers={
        "Authorization": f"Bearer {approver_token}", "X-Request-ID": approved_by},
        json={"decision": "approve", "comment": "fine"})
    assert decided.status_code in (200, 201), decided.text

    def settled():
        request.refresh_from_db()
        return request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED)

    wait_for(settled, timeout=180, interval=1, what="the apply")
    apply = Run.objects.get(item__request=request, action="apply")
    assert request.status == RequestStatus.ACTIVE, apply.error
    assert apply.correlation_id == approved_by  # the run records the request that queued it

    metrics = scrape(web)
    assert 'portal_requests{status="active"} 1.0' in metrics
    assert 'portal_approval_stages_pending{steering_team="mlops-enablement"}' not in metrics  # none left waiting
    assert 'portal_runs{action="apply",status="succeeded"} 1.0' in metrics
    assert 'portal_run_duration_seconds_count{action="apply",module="ml-project"} 1.0' in metrics
    assert 'portal_run_phase_duration_seconds_count{module="ml-project",phase="render"} 1.0' in metrics
    assert 'portal_run_phase_duration_seconds_count{module="ml-project",phase="push"} 1.0' in metrics
    assert 'portal_worker_heartbeat_age_seconds{queue="runs",worker="' in metrics
    # django-prometheus' counters of both gunicorn processes, merged: every request this module sent.
    assert f"django_http_requests_before_middlewares_total {float(web.calls)}" in metrics

    web_lines = web.log_records()
    assert any(r["correlation_id"] == created_by and r["message"] == "POST /api/v1/requests 201"
               and r["status"] == 201 for r in web_lines), web_lines[-20:]
    assert any(r["correlation_id"] == approved_by and r.get("path") == f"/api/v1/approvals/{stage.pk}/decide"
               and r["user_id"] == demo.people["approver"].pk for r in web_lines)
    worker_lines = json_records(worker.log_path)
    assert any(r["correlation_id"] == approved_by and f"run {apply.pk} (apply" in r["message"]
               for r in worker_lines), worker_lines[-20:]
    # The task message carried it (Celery logs the task's end after the run let go of the run's id).
    assert any(r["correlation_id"] == approved_by and r["logger"] == "celery.app.trace"
               and "provisioning.execute_run[" in r["message"] for r in worker_lines)
    everything = web.log_path.read_text() + worker.log_path.read_text()
    assert requester_token not in everything and approver_token not in everything and METRICS_TOKEN not in everything


def scrape(web: Web) -> str:
    answer = web.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200, answer.text
    return answer.text
