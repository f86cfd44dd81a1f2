"""Real Terraform, no cloud provider: a sensitive output is sealed everywhere the portal keeps
things, and a run over its time limit stops Terraform's whole process group cleanly."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.db import connection

from portal.core.secrets import unseal
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import start_fulfilment
from provisioning.executor import execute_run
from provisioning.models import Run, RunLogLine
from provisioning.runners.terraform import terraform_processes
from tests.fixtures.runs import make_version

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_MODULE = """
variable "name" {
  type = string
}
variable "tags" {
  type    = map(string)
  default = {}
}
resource "terraform_data" "token" {
  input = "tok-${uuid()}"
  lifecycle {
    ignore_changes = [input]
  }
}
output "token" {
  value     = terraform_data.token.output
  sensitive = true
}
output "name" {
  value = var.name
}
"""

SLOW_MODULE = """
variable "name" {
  type = string
}
variable "tags" {
  type    = map(string)
  default = {}
}
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 120"
  }
}
"""


@pytest.fixture
def modules(settings, in_process_terraform):
    """The test modules above, run in this process (state in the test database's pg backend)."""
    root = in_process_terraform / "modules"
    for name, text in (("secret_out", SECRET_MODULE), ("slow", SLOW_MODULE)):
        (root / name).mkdir(parents=True)
        (root / name / "main.tf").write_text(text)
    settings.TERRAFORM_MODULES_DIR = root
    return root


def dump_database(*, schemas: str | None = None, exclude: str | None = None) -> str:
    db = django_settings.DATABASES["default"]
    argv = ["pg_dump", "--data-only", "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]]
    argv += [f"--schema={schemas}"] if schemas else []
    argv += [f"--exclude-schema={exclude}"] if exclude else []
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout


def test_sensitive_output_never_appears_in_clear(client, demo, approved_request, modules, inline_tasks, caplog):
    caplog.set_level("DEBUG")
    request = approved_request([(make_version("storage", module="secret_out"), {"name": "secret-holder"})])
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()
    request.refresh_from_db()
    run = Run.objects.get()
    assert request.status == RequestStatus.ACTIVE, run.error

    resource = ProvisionedResource.objects.get()
    token = unseal(resource.outputs["token"])
    assert token.startswith("tok-") and resource.outputs["name"] == "secret-holder"
    assert resource.display_outputs["token"] == "(sensitive)"

    portal_tables = dump_database(exclude="tfstate_*")
    assert "secret-holder" in portal_tables  # the dump is real…
    assert token not in portal_tables  # …and holds the token only sealed
    assert token not in "\n".join(RunLogLine.objects.values_list("text", flat=True))
    assert token not in caplog.text
    client.force_login(demo.people["requester"])
    for url in (f"/requests/{request.pk}/", f"/requests/{request.pk}/progress/"):
        page = client.get(url).content.decode()
        assert "(sensitive)" in page and token not in page
    workdir = Path(django_settings.TERRAFORM_WORKSPACES_DIR)
    for path in workdir.rglob("*"):
        if path.is_file() and ".terraform" not in path.parts:
            assert token not in path.read_text(errors="replace"), path
    # Terraform's own state keeps outputs in clear (it always does): it lives in its own schema
    # per item (production: a separate database or encrypted S3), never in the portal's tables.
    assert token in dump_database(schemas=f"tfstate_item_{run.item_id}")


def test_time_limit_stops_terraform_group_and_fails_the_run(demo, approved_request, modules, inline_tasks):
    """Celery's soft time limit raises SoftTimeLimitExceeded in the task (from SIGUSR1 in the pool
    child); here the same signal is sent during the apply of a module whose provisioner sleeps."""
    request = approved_request([(make_version("storage", module="slow"), {"name": "slow-one"})])
    start_fulfilment(request=request, actor=demo.people["approver"])
    run = Run.objects.get()
    inline_tasks.sent.clear()

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    def fire_when_sleeping():
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                current = Run.objects.get(pk=run.pk)
                if current.phase == "apply" and current.pgid and _sleeping_in_group(current.pgid):
                    os.kill(os.getpid(), signal.SIGUSR1)
                    return
                time.sleep(0.5)
        finally:
            connection.close()

    previous = signal.signal(signal.SIGUSR1, soft_limit)
    timer = threading.Thread(target=fire_when_sleeping, daemon=True)
    timer.start()
    try:
        ended = execute_run(run.pk)
    finally:
        signal.signal(signal.SIGUSR1, previous)
        timer.join(timeout=5)
    assert ended.status == "failed" and "time limit" in ended.error and "permanent" in ended.error
    assert ended.pgid and terraform_processes(ended.pgid) == []
    with pytest.raises(ProcessLookupError):
        os.killpg(ended.pgid, 0)  # nothing left in the group, not even the provisioner's sleep
    lines = list(ended.log_lines.values_list("text", flat=True))
    assert any("Interrupt received" in line or "Stopping operation" in line for line in lines), lines[-15:]


def _sleeping_in_group(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if "(sleep)" in stat and int(stat[stat.rindex(")") + 2:].split()[2]) == pgid:
                return True
    return False
