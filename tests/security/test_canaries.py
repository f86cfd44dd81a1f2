"""Canary secrets: a request goes from the request page through approval to a real Terraform apply by
a real Celery worker against the sandbox cloud, with canary values in the worker's cloud credentials,
the directory's bind password, the git token and a module output marked sensitive. None of them may
show up in the database (every text/JSON column of every table; sealed values are ciphertext), the
logs, any page the requester or an admin can reach, the working directories left behind (plan files
unzipped), or the arguments (and, for Terraform, the environment) of any process while it runs.

Sandbox mode gives Terraform fixed fake keys (provisioning/workspace.py), so the worker's own AWS_*
canaries must stay in the worker; in AWS mode they are passed to Terraform's environment, on purpose.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import zipfile
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection

from portal.catalog.seed.properties import NAME_PROPERTY, PURPOSE_FOR_APPROVERS
from portal.core.secrets import is_sealed, unseal
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest, RequestStatus
from tests.fixtures.people import REVIEW_DETAILS
from tests.fixtures.runs import make_version
from tests.fixtures.worker import WorkerHandle, wait_for, worker_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CANARY_MODULE = """
variable "name" {
  type = string
}
variable "tags" {
  type    = map(string)
  default = {}
}
resource "aws_s3_bucket" "this" {
  bucket        = "canary-${var.name}"
  force_destroy = true
  tags          = var.tags
}
resource "terraform_data" "token" {
  input = "CANARY-OUTPUT-${uuid()}"
  lifecycle {
    ignore_changes = [input]
  }
}
output "bucket" {
  value = aws_s3_bucket.this.bucket
}
output "token" {
  value     = terraform_data.token.output
  sensitive = true
}
"""
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name", "purpose"],
          "x-order": ["name", "purpose"], "properties": {"name": NAME_PROPERTY, "purpose": PURPOSE_FOR_APPROVERS}}
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")
LINK = re.compile(r'\b(?:href|hx-get)="([^"#]+)"')
NEVER_FOLLOW = ("/logout/", "/admin/logout/", "/static/")


class ProcessWatch:
    """Samples every process's command line, and each Terraform process's environment, while it runs."""

    def __init__(self):
        self.cmdlines: set[bytes] = set()
        self.terraform_environments: set[bytes] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self.stop.is_set():
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    cmdline = (proc / "cmdline").read_bytes()
                    self.cmdlines.add(cmdline)
                    if b"terraform" in Path(cmdline.split(b"\0")[0].decode(errors="replace")).name.encode():
                        self.terraform_environments.add((proc / "environ").read_bytes())
                except OSError:  # the process ended meanwhile
                    continue
            self.stop.wait(0.1)

    def terraform_cmdlines(self) -> list[str]:
        return [c.replace(b"\0", b" ").decode(errors="replace") for c in self.cmdlines
                if b"terraform" in Path(c.split(b"\0")[0].decode(errors="replace")).name.encode()]


def database_hits(value: str) -> dict[str, int]:
    """``schema.table.column`` → rows holding ``value``, over every text and JSON column of the database."""
    hits = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND data_type = ANY(%s)",
                       [list(TEXT_TYPES)])
        for schema, table, column in cursor.fetchall():
            quote = connection.ops.quote_name  # names from the catalogue, not from input
            cursor.execute(f"SELECT count(*) FROM {quote(schema)}.{quote(table)} "  # noqa: S608
                           f"WHERE strpos({quote(column)}::text, %s) > 0", [value])
            if count := cursor.fetchone()[0]:
                hits[f"{schema}.{table}.{column}"] = count
    return hits


def file_hits(root: Path, value: str) -> list[str]:
    """Files under ``root`` (plan files and other zips opened) whose bytes hold ``value``."""
    needle, found = value.encode(), []
    for path in root.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if needle in path.read_bytes():
            found.append(str(path))
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found += [f"{path}!{member}" for member in archive.namelist() if needle in archive.read(member)]
    return found


def crawl(client, seeds: list[str], limit: int) -> dict[str, str]:
    """Every page reachable by GET from ``seeds`` (same site, links and htmx gets, without query strings)."""
    pages: dict[str, str] = {}
    queue = deque(seeds)
    while queue and len(pages) < limit:
        path = queue.popleft()
        if path in pages:
            continue
        response = client.get(path)
        pages[path] = response.content.decode(errors="replace")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(pages[path]):
            target = urlsplit(urljoin(path, html.unescape(link)))
            if target.scheme in ("", "http") and target.netloc in ("", "testserver") and target.path not in pages \
                    and not target.path.startswith(NEVER_FOLLOW):
                queue.append(target.path)
    return pages


@pytest.fixture
def canary_worker(celery_worker, sandbox_url, tmp_path_factory, monkeypatch, settings):
    """A worker (in place of the session's) whose environment holds the canaries; the web side has them too."""
    canaries = {name: f"CANARY-{name}-{secrets.token_hex(8)}" for name in
                ("aws-secret-key", "aws-session-token", "directory-bind-password", "git-token")}
    modules = tmp_path_factory.mktemp("canary-modules")
    (modules / "canary").mkdir()
    (modules / "canary" / "main.tf").write_text(CANARY_MODULE)
    data_dir = tmp_path_factory.mktemp("canary-worker")
    env = worker_env(sandbox_url=sandbox_url, data_dir=data_dir)
    secret_env = {"AWS_ACCESS_KEY_ID": "AKIACANARYKEYID", "AWS_SECRET_ACCESS_KEY": canaries["aws-secret-key"],
                  "AWS_SESSION_TOKEN": canaries["aws-session-token"],
                  "PORTAL_DIRECTORY_BIND_PASSWORD": canaries["directory-bind-password"],
                  "PORTAL_GIT_TOKEN": canaries["git-token"]}
    env.update(secret_env, TERRAFORM_MODULES_DIR=str(modules))
    for name, value in secret_env.items():
        monkeypatch.setenv(name, value)
    settings.PORTAL_DIRECTORY = {**settings.PORTAL_DIRECTORY, "bind_password": canaries["directory-bind-password"]}
    settings.PORTAL_GIT_TOKEN = canaries["git-token"]
    settings.TERRAFORM_MODULES_DIR = modules

    session_worker_was_running = celery_worker.proc is not None and celery_worker.proc.poll() is None
    celery_worker.stop()
    worker = WorkerHandle(env, data_dir)
    worker.start()
    yield worker, canaries
    worker.stop()
    if session_worker_was_running:
        celery_worker.start()


def test_canary_secrets_never_leak(client, mlops_only, canary_worker, caplog):
    worker, canaries = canary_worker
    demo = mlops_only
    caplog.set_level("DEBUG")
    worker_environment = Path(f"/proc/{worker.proc.pid}/environ").read_bytes()
    assert all(value.encode() in worker_environment for value in canaries.values())  # the worker holds them
    version = make_version("storage", slug="canary-store", module="canary", schema=SCHEMA)
    watch = ProcessWatch()
    watch.thread.start()
    try:
        client.force_login(demo.people["requester"])
        response = client.post(f"/requests/new/{version.template.slug}/", {
            "title": "Canary bucket", "team": demo.teams["churn-modelling"].pk, **REVIEW_DETAILS,
            "v-name": "canary-store", "v-purpose": "checks that secrets stay secret"})
        assert response.status_code == 302, response.content.decode()[:2000]
        request = OnboardingRequest.objects.get()
        plan = request.items.get().runs.get(action="plan")
        wait_for(lambda: plan.refresh_from_db() or plan.is_terminal, timeout=240, interval=2, what="the plan preview")
        assert plan.status == "succeeded", plan.error

        client.force_login(demo.people["approver"])
        queue = client.get("/approvals/").content.decode()
        stage_id = re.search(r"/approvals/stages/(\d+)/decide/", queue).group(1)
        client.post(f"/approvals/stages/{stage_id}/decide/", {"outcome": "approve", "comment": "ok"})
        wait_for(lambda: request.refresh_from_db() or request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED),
                 timeout=300, interval=2, what="the apply")
        assert request.status == RequestStatus.ACTIVE, request.items.get().runs.get(action="apply").error
    finally:
        watch.stop.set()
        watch.thread.join(timeout=10)

    resource = ProvisionedResource.objects.get()
    assert is_sealed(resource.outputs["token"]) and resource.outputs["bucket"] == "canary-canary-store"
    canaries["sensitive-output"] = unseal(resource.outputs["token"])
    assert canaries["sensitive-output"].startswith("CANARY-OUTPUT-")

    # The checks can see: Terraform's own state keeps outputs in clear (its schema, not the portal's
    # tables), the worker's environment holds its secrets, Terraform ran while we watched.
    state_hits = database_hits(canaries["sensitive-output"])
    assert [where for where in state_hits if where.startswith("tfstate_item_")], state_hits
    commands = {line.split()[1] for line in watch.terraform_cmdlines() if line.startswith("terraform ")}
    assert {"plan", "apply"} <= commands, watch.terraform_cmdlines()
    assert any(b"TF_CLI_CONFIG_FILE=" in env for env in watch.terraform_environments)
    assert file_hits(worker.data_dir, "canary-store")  # the working dir is scanned (its tfvars hold the name)

    client.force_login(demo.people["requester"])
    requester_pages = crawl(client, ["/", f"/requests/{request.pk}/", f"/requests/{request.pk}/progress/"], 150)
    assert "(sensitive)" in requester_pages[f"/requests/{request.pk}/"]  # the output is there, masked
    client.force_login(demo.people["admin"])
    admin_pages = crawl(client, ["/admin/provisioning/run/", "/admin/inventory/provisionedresource/",
                                 "/admin/audit/auditevent/", f"/requests/{request.pk}/", "/admin/"], 500)
    assert f"/admin/inventory/provisionedresource/{resource.pk}/change/" in admin_pages
    worker.stop()  # its log is complete
    logs = caplog.text + "".join(path.read_text(errors="replace") for path in worker.data_dir.glob("worker-*.log"))
    assert logs.count("succeeded in") >= 2  # the logs are real: the worker's plan and apply tasks

    leaks = {}
    for name, value in canaries.items():
        where = {
            "database": {k: v for k, v in database_hits(value).items() if not k.startswith("tfstate_item_")},
            "logs": value in logs,
            "requester pages": [path for path, body in requester_pages.items() if value in body],
            "admin pages": [path for path, body in admin_pages.items() if value in body],
            "working dirs": file_hits(worker.data_dir, value),
            "process arguments": [c.decode(errors="replace") for c in watch.cmdlines if value.encode() in c],
            "Terraform's environment": sum(value.encode() in env for env in watch.terraform_environments),
        }
        found = {place: hit for place, hit in where.items() if hit}
        if found:
            leaks[name] = found
    assert leaks == {}, f"canaries leaked: {leaks}"
