"""The Kubernetes manifests (deploy/k8s): each overlay renders with kustomize, every object it renders is valid
against the Kubernetes API schemas (offline, strict: an unknown or misspelt field fails), and the properties
the portal depends on hold — one beat, a worker Deployment per queue, the probes, the runs workers' grace
period, resources everywhere, no secret in a ConfigMap."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_schemas

import portal.settings.base as base_settings
from portal.settings.requirements import REQUIRED

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = sorted(p for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").exists())
# The oldest Kubernetes the manifests are written for, and the newest whose schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.28.0", kubernetes_schemas.latest_version())
QUEUES = {"runs", "previews", "default"}
# Settings that live in the Secret "portal-secrets" (README → Deploy → Kubernetes), never in a ConfigMap.
SECRET_SETTINGS = {"DJANGO_SECRET_KEY", "PORTAL_SECRETS_KEY", "DATABASE_URL", "REDIS_URL", "PORTAL_METRICS_TOKEN",
                   "PORTAL_OIDC_CLIENT_SECRET", "PORTAL_GIT_TOKEN", "PORTAL_DIRECTORY_BIND_PASSWORD",
                   "TERRAFORM_STATE_PG_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY(_ID)?$|(DATABASE|REDIS|PG)_URL$")
CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


def render(kustomization: Path) -> list[dict]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with kustomize v5, Kubernetes >= 1.27) is needed to render deploy/k8s"
    result = subprocess.run([kubectl, "kustomize", str(kustomization)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr  # deprecated kustomize fields
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS, ids=lambda p: p.name)
def objects(request) -> list[dict]:
    return render(request.param)


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_specs(objects: list[dict]) -> dict[str, dict]:
    return {name: o["spec"]["template"]["spec"] for kind in ("Deployment", "Job")
            for name, o in of_kind(objects, kind).items()}


def main_container(pod: dict) -> dict:
    (container,) = [c for c in pod["containers"] if c["name"] == "portal"]
    return container


def workers_by_queue(objects: list[dict]) -> dict[str, dict]:
    """Each worker Deployment by the queue its command consumes (-Q <queue>)."""
    found = {}
    for deployment in of_kind(objects, "Deployment").values():
        args = main_container(deployment["spec"]["template"]["spec"])["args"]
        if args[:4] == ["celery", "-A", "portal", "worker"]:
            queues = args[args.index("-Q") + 1].split(",")
            assert len(queues) == 1, f"{deployment['metadata']['name']} serves several queues: {queues}"
            assert queues[0] not in found, f"two worker Deployments for the queue {queues[0]}"
            found[queues[0]] = deployment
    return found


def test_there_is_a_production_overlay():
    assert "production" in [p.name for p in OVERLAYS]


def test_every_object_is_valid_against_the_kubernetes_schemas(objects):
    assert {"Namespace", "ConfigMap", "Service", "Deployment", "Job", "PodDisruptionBudget"} <= {
        o["kind"] for o in objects}
    for version in KUBERNETES_VERSIONS:
        for obj in objects:
            kubernetes_schemas.validate(obj, version, strict=True)


def test_the_validation_refuses_a_misspelt_field(objects):
    """The schemas are strict: a field Kubernetes does not know (here a typo) is an error, not ignored."""
    deployment = yaml.safe_load(yaml.safe_dump(of_kind(objects, "Deployment")["portal-web"]))
    main_container(deployment["spec"]["template"]["spec"])["resource"] = {"limits": {"memory": "1Gi"}}
    with pytest.raises(kubernetes_schemas.ValidationError, match="'resource' was unexpected"):
        kubernetes_schemas.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


def test_one_beat_replaced_not_rolled(objects):
    beats = [d for d in of_kind(objects, "Deployment").values()
             if main_container(d["spec"]["template"]["spec"])["args"][:4] == ["celery", "-A", "portal", "beat"]]
    assert len(beats) == 1
    assert beats[0]["spec"]["replicas"] == 1
    assert beats[0]["spec"]["strategy"] == {"type": "Recreate"}  # never two at once during a rollout


def test_each_queue_has_its_own_worker_deployment(objects):
    workers = workers_by_queue(objects)
    assert set(workers) == QUEUES
    for queue, deployment in workers.items():
        args = main_container(deployment["spec"]["template"]["spec"])["args"]
        assert args[args.index("-n") + 1] == f"{queue}@%h"
        assert "--pool=prefork" in args  # the time limits need it
        assert deployment["spec"]["replicas"] >= 1
    for queue in ("runs", "previews"):  # one Terraform process per pod: scale with replicas
        assert "--concurrency=1" in main_container(workers[queue]["spec"]["template"]["spec"])["args"]


def test_runs_workers_wait_for_an_apply_to_end(objects):
    """TERM is Celery's warm shutdown; the grace period must at least cover the cold path (soft shutdown, then
    Terraform's SIGINT and its stop grace), and in practice an apply (deploy/k8s/base/worker-runs.yaml)."""
    floor = base_settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT + base_settings.RUN_STOP_GRACE_SECONDS
    grace = workers_by_queue(objects)["runs"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > floor
    assert grace >= 600  # an apply of a cluster takes ~10-15 minutes on AWS
    previews = workers_by_queue(objects)["previews"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert previews > floor


def test_web_probes_liveness_on_healthz_and_readiness_on_readyz_scope_web(objects):
    web = of_kind(objects, "Deployment")["portal-web"]
    container = main_container(web["spec"]["template"]["spec"])
    assert container["args"] == ["gunicorn", "portal.wsgi", "-c", "portal/gunicorn_conf.py"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz?scope=web"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] == "http", probe
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["PORTAL_ADDR"] == "0.0.0.0:8000"
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert env["PROMETHEUS_MULTIPROC_DIR"] in mounts  # its own emptyDir, fresh in every pod
    annotations = web["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"
    (service,) = of_kind(objects, "Service").values()
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_every_container_has_resources_and_runs_locked_down(objects):
    pods = pod_specs(objects)
    assert len(pods) == 6  # web, three workers, beat, migrate
    for name, pod in pods.items():
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 1000, name
        assert pod["automountServiceAccountToken"] is False, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in pod["containers"] + pod.get("initContainers", []):
            where = f"{name}/{container['name']}"
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), where
            assert "memory" in container["resources"]["limits"], where
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, where
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, where
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            for path in ("/data", "/tmp"):  # the only writable places
                assert "emptyDir" in volumes[mounts[path]], where


def test_pods_wait_for_the_migrate_job(objects):
    (job,) = of_kind(objects, "Job").values()
    assert main_container(job["spec"]["template"]["spec"])["args"] == ["python", "manage.py", "migrate", "--noinput"]
    for name, deployment in of_kind(objects, "Deployment").items():
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        assert "manage.py migrate --check" in " ".join(init["args"]), name


def test_every_deployment_runs_the_overlays_image(objects):
    images = {c["image"] for pod in pod_specs(objects).values() for c in pod["containers"] + pod.get(
        "initContainers", [])}
    assert len(images) == 1 and images != {"portal"}, images  # kustomize images: set registry and tag


def config(objects: list[dict]) -> dict[str, str]:
    (config_map,) = of_kind(objects, "ConfigMap").values()
    return config_map["data"]


def test_settings_come_from_the_config_map_and_the_secret(objects):
    data = config(objects)
    for pod in pod_specs(objects).values():
        sources = main_container(pod)["envFrom"]
        assert {"configMapRef": {"name": of_kind(objects, "ConfigMap").popitem()[0]}} in sources
        assert {"secretRef": {"name": "portal-secrets"}} in sources
    assert set(REQUIRED) <= set(data) | SECRET_SETTINGS  # production.py starts: nothing it needs is forgotten
    assert data["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert not of_kind(objects, "Secret"), "secret values never go into git: the Secret is made outside"


def secrets_in(data: dict[str, str]) -> list[str]:
    return [name for name, value in data.items()
            if name in SECRET_SETTINGS or SECRET_NAME.search(name) or CREDENTIALS_IN_URL.search(value)]


def test_no_secret_in_a_config_map(objects):
    assert secrets_in(config(objects)) == []
    assert secrets_in({"EMAIL_HOST_PASSWORD": "x", "CACHE": "redis://u:pw@redis:6379/0", "LOG_LEVEL": "INFO"}) == [
        "EMAIL_HOST_PASSWORD", "CACHE"]


def test_disruption_budgets_cover_web_and_runs_workers(objects):
    budgets = [b["spec"]["selector"]["matchLabels"] for b in of_kind(objects, "PodDisruptionBudget").values()]
    deployments = of_kind(objects, "Deployment")
    covered = {name for name, d in deployments.items()
               for labels in budgets if labels.items() <= d["spec"]["template"]["metadata"]["labels"].items()}
    assert {"portal-web", "portal-worker-runs"} <= covered
    assert "portal-beat" not in covered  # one replica: a budget would block every node drain


def test_the_readme_says_what_goes_in_the_secret():
    deploy = (REPO / "README.md").read_text().split("## Deploy", 1)[1].split("\n## ", 1)[0]
    for name in sorted(set(REQUIRED) & SECRET_SETTINGS | {"PORTAL_METRICS_TOKEN", "PORTAL_OIDC_CLIENT_SECRET"}):
        assert f"--from-literal={name}=" in deploy, name
    assert "kubectl apply -k deploy/k8s/overlays/production" in deploy
