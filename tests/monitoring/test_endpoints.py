"""/healthz, /readyz and /metrics as a load balancer, Kubernetes and Prometheus see them (in-process; the
end-to-end outages are in tests/e2e/test_operations.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.approvals.models import ApprovalStage
from portal.inventory.models import ProvisionedResource
from portal.onboarding.services import submit_new_request
from provisioning.models import Run, RunPhase, RunStatus, WorkerHeartbeat
from tests.fixtures.people import CPU_VM_VALUES
from tests.fixtures.runs import make_run

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests"


def beat(hostname: str, queues: list[str], *, ago: float = 0) -> WorkerHeartbeat:
    seen = timezone.now() - timedelta(seconds=ago)
    return WorkerHeartbeat.objects.create(hostname=hostname, queues=queues, started_at=seen, last_seen=seen)


def test_healthz_answers_alive_to_a_probe_by_pod_address_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # production: plain HTTP is redirected — but not a probe
    answer = client.get("/healthz", HTTP_HOST="10.42.0.17:8000")
    assert answer.status_code == 200 and answer.json() == {"status": "alive"}
    assert "no-cache" in answer["Cache-Control"] and "Set-Cookie" not in answer


def test_readyz_for_a_web_pod_asks_only_the_database_and_its_migrations(client):
    answer = client.get("/readyz?scope=web", HTTP_HOST="10.42.0.17:8000")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "checks": {"database": {"ok": True}, "migrations": {"ok": True}}}


def test_readyz_wants_a_live_worker_on_every_queue(client, settings):
    settings.PORTAL_READY_WORKER_SECONDS = 30
    # The session's real worker (other tests') beats into this database too: in this test's transaction its row is
    # gone (and locked, so its next beat waits until the test ends): only the heartbeats below count.
    WorkerHeartbeat.objects.all().delete()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["status"] == "not ready"
    checks = answer.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"] and checks["broker"]["ok"]
    assert checks["workers"] == {queue: {"ok": False, "workers": 0, "last_seen_seconds_ago": None}
                                 for queue in ("runs", "previews", "default")}

    beat("runs@pod-a", ["runs"], ago=2)
    beat("previews@pod-b", ["previews"], ago=1)
    beat("default@pod-c", ["default"], ago=45)  # gone: seen longer ago than PORTAL_READY_WORKER_SECONDS
    answer = client.get("/readyz")
    assert answer.status_code == 503
    workers = answer.json()["checks"]["workers"]
    assert workers["runs"]["ok"] and workers["previews"]["ok"] and workers["runs"]["workers"] == 1
    assert workers["default"]["ok"] is False and workers["default"]["last_seen_seconds_ago"] >= 45

    beat("default@pod-d", ["default", "previews"], ago=0)
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json()["status"] == "ready"
    assert answer.json()["checks"]["workers"]["previews"]["workers"] == 2


def test_metrics_are_not_there_without_a_token_configured(client, settings):
    settings.PORTAL_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_want_the_bearer_token(client, settings):
    settings.PORTAL_METRICS_TOKEN = TOKEN
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    assert TOKEN not in missing.content.decode()


def scrape(client) -> str:
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    return answer.content.decode()


def test_metrics_count_requests_stages_runs_failures_workers_and_http(client, settings, mlops_only):
    settings.PORTAL_METRICS_TOKEN = TOKEN
    demo = mlops_only
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="VM",
                                 items=[(demo.versions["cpu-vm"], dict(CPU_VM_VALUES))])
    ApprovalStage.objects.filter(request=request).update(due_at=timezone.now() - timedelta(hours=1))
    item = request.items.get()
    started = timezone.now() - timedelta(seconds=100)
    done = make_run(item=item, action="apply", status=RunStatus.SUCCEEDED, started_at=started,
             finished_at=started + timedelta(seconds=42))
    make_run(item=item, action="apply", status=RunStatus.FAILED, failure_cause="throttled by the cloud",
             started_at=started, finished_at=started + timedelta(seconds=7))
    for phase, seconds in (("init", 0.7), ("apply", 38.0)):
        RunPhase.objects.create(run=done, phase=phase, seconds=seconds, ended_at=timezone.now())
    ProvisionedResource.objects.create(item=item, team=request.team, template_version=item.template_version,
                                       kind="vm", name="churn-vm", drift_status=ProvisionedResource.DriftStatus.DRIFTED)
    beat("runs@pod-a", ["runs"], ago=3)

    text = scrape(client)
    assert 'portal_requests{status="in_review"} 1.0' in text
    assert 'portal_approval_stages_pending{steering_team="mlops-enablement"} 1.0' in text
    assert 'portal_approval_stages_overdue{steering_team="mlops-enablement"} 1.0' in text
    assert 'portal_runs{action="plan",status="queued"} 1.0' in text  # the preview queued at submit
    assert 'portal_runs{action="apply",status="succeeded"} 1.0' in text
    assert 'portal_runs{action="apply",status="failed"} 1.0' in text
    assert 'portal_run_duration_seconds_bucket{action="apply",le="10.0",module="cpu_vm"} 1.0' in text
    assert 'portal_run_duration_seconds_bucket{action="apply",le="60.0",module="cpu_vm"} 2.0' in text
    assert 'portal_run_duration_seconds_count{action="apply",module="cpu_vm"} 2.0' in text
    assert 'portal_run_duration_seconds_sum{action="apply",module="cpu_vm"} 49.0' in text
    assert 'portal_run_phase_duration_seconds_bucket{le="5.0",module="cpu_vm",phase="init"} 1.0' in text
    assert 'portal_run_phase_duration_seconds_bucket{le="30.0",module="cpu_vm",phase="apply"} 0.0' in text
    assert 'portal_run_phase_duration_seconds_sum{module="cpu_vm",phase="apply"} 38.0' in text
    assert 'portal_run_failures_total{cause="throttled by the cloud"} 1.0' in text
    assert 'portal_drifted_resources{team="churn-modelling"} 1.0' in text
    assert 'portal_queue_length{queue="runs"}' in text
    assert 'portal_worker_heartbeat_age_seconds{queue="runs",worker="runs@pod-a"} 3.' in text
    assert "portal_metrics_database_up 1.0" in text
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus beside them
    assert "django_db_execute_total" in text


def test_a_request_id_is_echoed_or_made_and_the_run_it_queues_records_it(mlops_only, api_as):
    requester = api_as(mlops_only.people["requester"])
    body = {"team": "churn-modelling", "title": "A VM", "template": "cpu-vm", "values": dict(CPU_VM_VALUES),
            "details": {"data_classification": "internal", "business_justification": "features",
                        "cost_centre": "CC-1", "expected_duration_days": 90}}
    answer = requester.post("/api/v1/requests", body, format="json", HTTP_X_REQUEST_ID="lb-7f3a9c.1")
    assert answer.status_code == 201 and answer["X-Request-ID"] == "lb-7f3a9c.1"
    assert Run.objects.get(action="plan").correlation_id == "lb-7f3a9c.1"

    forged = requester.get("/api/v1/me", HTTP_X_REQUEST_ID='x" level=ERROR\nfake line')
    assert len(forged["X-Request-ID"]) == 32 and forged["X-Request-ID"].isalnum()  # a new one instead
    assert requester.get("/api/v1/me")["X-Request-ID"] != forged["X-Request-ID"]


def test_json_log_lines_carry_the_correlation_id_and_never_the_request(settings):
    """The JSON formatter as LOGGING builds it for PORTAL_LOG_FORMAT=json."""
    import io
    import logging.config

    from portal.settings.logs import logging_settings
    from provisioning import correlation

    config = logging_settings("json", "INFO")
    config["handlers"]["console"]["stream"] = stream = io.StringIO()
    config["root"] = {}
    config["loggers"] = {"tests.monitoring.json": {"handlers": ["console"], "level": "INFO", "propagate": False}}
    logger = logging.getLogger("tests.monitoring.json")
    try:
        logging.config.dictConfig(config)
        with correlation.bound("req-123"):
            logger.warning("refused %s", "it", extra={"request": "<WSGIRequest: GET '/x?token=s3cret'>"})
        logger.info("outside")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "refused it" and first["level"] == "WARNING" and first["correlation_id"] == "req-123"
    assert first["logger"] == "tests.monitoring.json" and "time" in first and "request" not in first
    assert second["correlation_id"] == "-"
