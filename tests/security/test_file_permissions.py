"""What the portal writes under its data dir is private to its user (files 0600, dirs 0700), whatever
the umask it was started with: checked on real files written by the real entry points of the embedded
default — ``manage.py migrate`` and ``seed_demo`` (SQLite), then a Celery worker (file broker) carrying
out two requests made and approved on the pages (``manage.py shell`` with Django's test client): a
Terraform item with local state and a sensitive output, and a scaffolded repo pushed to the bare remote."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECRET_MODULE = """
variable "name" {
  type = string
}
resource "terraform_data" "token" {
  input = "tok-${uuid()}"
}
output "token" {
  value     = terraform_data.token.output
  sensitive = true
}
"""
REVIEW = {"data_classification": "internal", "business_justification": "checking file permissions",
          "cost_centre": "CC-1042", "expected_duration_days": "90"}
# Run by ``manage.py shell`` while a worker runs: two requests through the pages, as people would make
# them — a Terraform item (local state, a sensitive output) and a scaffolded repo pushed to the bare
# remote — approved on the approvals page, then waited for until they are active.
PROVISION = """
import re, time
from django.test import Client
from django.utils import timezone
from portal.approvals.models import ApprovalRule
from portal.catalog.models import ResourceTemplate, TemplateVersion
from portal.onboarding.models import OnboardingRequest
from portal.teams.models import Team
from django.contrib.auth import get_user_model

ApprovalRule.objects.exclude(team__slug="mlops-enablement").delete()  # one stage per request
template = ResourceTemplate.objects.create(kind="storage", slug="perm-check", name="Permission check")
TemplateVersion.objects.create(
    template=template, number=1, engine="terraform", module="secret_out", status="published",
    published_at=timezone.now(), parameter_schema={"type": "object", "required": ["name"],
                                                   "properties": {"name": {"type": "string"}}})
team = Team.objects.get(slug="churn-modelling").pk
people = {u.username: u for u in get_user_model().objects.all()}
client = Client(HTTP_HOST="localhost")
client.force_login(people["requester"])
for slug, values in [("perm-check", {"v-name": "perm-check"}),
                     ("ml-repo", {"v-name": "perm-repo", "v-project_name": "Permission check",
                                  "v-owner_email": "ana@example.org", "v-model_kind": "classifier",
                                  "v-ci_provider": "github", "v-python_version": "3.11",
                                  "v-retrain_schedule": "0 3 * * 1"})]:
    response = client.post(f"/requests/new/{slug}/", {"title": slug, "team": team, **REVIEW, **values})
    assert response.status_code == 302, response.content.decode()[:3000]
client.force_login(people["approver"])
for stage in sorted(set(re.findall(r"/approvals/stages/(\\d+)/decide/", client.get("/approvals/").content.decode()))):
    client.post(f"/approvals/stages/{stage}/decide/", {"outcome": "approve", "comment": "ok"})
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    statuses = sorted(OnboardingRequest.objects.values_list("status", flat=True))
    if statuses == ["active", "active"] or "failed" in statuses:
        break
    time.sleep(1)
print("STATUSES", statuses)
"""


@pytest.fixture
def portal_env(tmp_path):
    """The embedded default (SQLite, file broker, local state) in a data dir of its own."""
    modules = tmp_path / "modules" / "secret_out"
    modules.mkdir(parents=True)
    (modules / "main.tf").write_text(SECRET_MODULE)
    for builtin in (REPO / "terraform" / "modules").iterdir():  # the demo's templates freeze theirs at seed
        (modules.parent / builtin.name).symlink_to(builtin)
    env = {name: os.environ[name] for name in ("PATH", "LANG", "TERRAFORM_PROVIDER_MIRROR") if name in os.environ}
    env.update(HOME=str(tmp_path), PORTAL_DATA_DIR=str(tmp_path / "data"), TERRAFORM_MODULES_DIR=str(modules.parent),
               DJANGO_SETTINGS_MODULE="portal.settings.local", PORTAL_CLOUD="sandbox", PORTAL_GIT_HTTP_ADDR="",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    return env


def run(argv: list[str], env: dict, timeout: float = 300) -> str:
    """A portal command started with a permissive umask (022), as a shell or service manager would."""
    result = subprocess.run([sys.executable, *argv], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=timeout, umask=0o022, check=False)
    assert result.returncode == 0, result.stderr[-4000:] + result.stdout[-2000:]
    return result.stdout


def provision_with_a_worker(env: dict, log: Path, send: list[str]) -> None:
    with open(log, "wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
                                   "--loglevel=INFO", "-Q", "runs,previews,default", "--without-gossip",
                                   "--without-mingle",
                                   "-n", f"perm-{os.getpid()}@%h"],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, umask=0o022)
    try:
        deadline = time.monotonic() + 120
        while b" ready." not in log.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        shown = run(send, env, timeout=900)
        assert "STATUSES ['active', 'active']" in shown, shown[-3000:] + log.read_text()[-5000:]
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def modes_under(root: Path) -> dict[str, int]:
    found = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        if not stat.S_ISLNK(info.st_mode):  # Terraform links the provider from the mirror
            found[str(path.relative_to(root.parent))] = stat.S_IMODE(info.st_mode)
    return found


@pytest.mark.e2e
def test_everything_the_portal_writes_is_private_to_its_user(portal_env, tmp_path):
    run(["manage.py", "migrate", "--noinput"], portal_env)
    run(["manage.py", "seed_demo"], portal_env)
    provision_with_a_worker(portal_env, tmp_path / "worker.log",
                            ["manage.py", "shell", "-c", f"REVIEW = {REVIEW!r}\n{PROVISION}"])

    data = tmp_path / "data"
    modes = modes_under(data)
    written = set(modes)
    # What the check looks at is really there (else it would prove nothing).
    assert "data/broker" in written and (data / "portal.sqlite3").is_file()
    states = [path for path in data.rglob("*.tfstate") if "tok-" in path.read_text()]
    assert states, "no Terraform state holding the sensitive output was written"  # it is in clear there
    for pattern in (r"data/workspaces/.+\.tfvars\.json", r"data/workspaces/.+/\.portal-logs/.", r"data/terraform/.",
                    r"data/git/.*perm-repo\.git/objects/", r"data/scaffolds/.+\.git/objects/"):
        assert any(re.match(pattern, path) for path in written), f"nothing written like {pattern}"

    too_open = {path: oct(mode) for path, mode in modes.items()
                if mode & 0o077}
    assert too_open == {}, f"readable or writable by others: {too_open}"
    dirs = {path: oct(mode) for path, mode in modes.items() if (data.parent / path).is_dir() and mode != 0o700}
    assert dirs == {}


@pytest.mark.parametrize("module", ["portal.wsgi", "portal.asgi", "portal.celery"])
def test_every_entry_point_sets_the_private_umask(portal_env, module):
    shown = run(["-c", f"import os, {module}; print(oct(os.umask(0)))"], portal_env)
    assert shown.split()[-1] == "0o77"


def test_an_older_wider_data_dir_is_narrowed(portal_env, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    run(["manage.py", "check"], portal_env)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
