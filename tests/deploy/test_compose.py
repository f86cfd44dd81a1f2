"""docker-compose.yml and the Dockerfile keep the shape of deploy/k8s: valid against the Compose Specification
(the schema check-jsonschema vendors; `docker compose config` needs the compose plugin, absent here), the
migrate step first, a worker service per queue with the same grace periods as the manifests, one beat, and
gunicorn with portal/gunicorn_conf.py as the image's command."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

import portal.settings.base as base_settings
from portal.settings.requirements import REQUIRED

REPO = Path(__file__).resolve().parents[2]
QUEUES = ("runs", "previews", "default")
WEB_COMMAND = ["gunicorn", "portal.wsgi", "-c", "portal/gunicorn_conf.py"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def portal_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if s.get("build") == "."}


def seconds(duration: str) -> int:
    """A Compose duration ("15m", "1m30s", "45s") in seconds."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, duration
    hours, minutes, secs = (int(p or 0) for p in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def dockerfile_instruction(name: str) -> list[str]:
    (line,) = [line for line in (REPO / "Dockerfile").read_text().splitlines() if line.startswith(f"{name} ")]
    return json.loads(line.removeprefix(f"{name} "))


def k8s_pod(name: str) -> dict:
    first = next(yaml.safe_load_all((REPO / "deploy" / "k8s" / "base" / f"{name}.yaml").read_text()))
    return first["spec"]["template"]["spec"]


def test_valid_against_the_compose_specification(compose):
    schema = json.loads((resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(compose)
    broken = {**compose, "services": {**compose["services"], "beat": {**compose["services"]["beat"], "comand": []}}}
    with pytest.raises(jsonschema.ValidationError, match="comand"):
        jsonschema.validators.validator_for(schema)(schema).validate(broken)


def test_migrate_runs_first(compose):
    services = portal_services(compose)
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name, service in services.items():
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


def test_a_worker_service_per_queue_with_the_manifests_grace_period(compose):
    services = portal_services(compose)
    floor = base_settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT + base_settings.RUN_STOP_GRACE_SECONDS
    for queue in QUEUES:
        worker = services[f"worker-{queue}"]
        command = worker["command"]
        assert command[:4] == ["celery", "-A", "portal", "worker"]
        assert command[command.index("-Q") + 1] == queue and command[command.index("-n") + 1] == f"{queue}@%h"
        assert k8s_pod(f"worker-{queue}")["containers"][0]["args"] == command  # the same worker as in Kubernetes
        grace = seconds(worker["stop_grace_period"])
        assert grace == k8s_pod(f"worker-{queue}")["terminationGracePeriodSeconds"]
        assert grace > floor
    other_workers = [name for name, s in services.items()
                     if s["command"][:4] == ["celery", "-A", "portal", "worker"] and not name.startswith("worker-")]
    assert other_workers == []


def test_one_beat(compose):
    beats = [s for s in portal_services(compose).values() if s["command"][:4] == ["celery", "-A", "portal", "beat"]]
    assert len(beats) == 1
    assert beats[0].get("deploy", {}).get("replicas", 1) == 1


def test_web_is_gunicorn_with_its_config_checked_by_readyz(compose):
    web = portal_services(compose)["web"]
    assert web["command"] == WEB_COMMAND == dockerfile_instruction("CMD") == k8s_pod("web")["containers"][0]["args"]
    assert "/readyz?scope=web" in " ".join(web["healthcheck"]["test"])
    assert web["environment"]["PORTAL_ADDR"] == "0.0.0.0:8000"
    multiproc = web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert [t for t in web["tmpfs"] if t.split(":")[0] == multiproc], "PROMETHEUS_MULTIPROC_DIR must be a tmpfs"


def test_production_settings_are_all_set(compose):
    for name, service in portal_services(compose).items():
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "portal.settings.production", name
        assert set(REQUIRED) <= set(service["environment"]), name


def test_the_image_runs_as_the_portal_user_under_tini():
    assert dockerfile_instruction("ENTRYPOINT") == ["/usr/bin/tini", "--"]  # manifests set args, never command
    assert "\nUSER portal\n" in (REPO / "Dockerfile").read_text()
    assert "useradd --create-home --uid 1000 portal" in (REPO / "Dockerfile").read_text()  # securityContext 1000
