"""What the portal writes under its data dir is private to its user (files 0600, dirs 0700), whatever
the umask it was started with: checked on real files written by real entry points — ``manage.py
migrate`` (SQLite), a Terraform apply with local state and a scaffolded repo pushed to a bare remote
(``manage.py shell``), a Celery worker consuming a task from the file broker."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Terraform chmods its dependency lock file to 0644 itself (an atomic write, whatever the umask). It
# holds provider checksums only, and sits in 0700 directories nobody else can enter.
TERRAFORM_SETS_ITS_OWN_MODE = {".terraform.lock.hcl": 0o644}
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
WRITE_THINGS = """
import tempfile
from pathlib import Path
from django.conf import settings
from provisioning.config import cli_config
from provisioning.runners.terraform import TerraformRunner, terraform_env
from provisioning.scaffold import BareDirectoryRemote, materialise_scaffold, publish_repo, render_scaffold
from provisioning.workspace import VAR_FILE, CloudTarget, prepare_workspace

state = settings.DATA_DIR / "tfstate" / "item-1.tfstate"
state.parent.mkdir(parents=True, exist_ok=True)
workdir = prepare_workspace(workdir=Path(settings.TERRAFORM_WORKSPACES_DIR) / "item-1",
                            module_dir=Path(settings.PERMISSION_CHECK_MODULE), variables={"name": "perm"},
                            target=CloudTarget(region="us-east-1"), backend={"local": {"path": str(state)}})
runner = TerraformRunner(workdir=workdir, env=terraform_env(cli_config=cli_config()))
runner.init()
runner.plan(var_file=VAR_FILE)
runner.apply()

source = materialise_scaffold(settings.PORTAL_SCAFFOLDS_DIR / "ml-project", version=1,
                              cache_dir=settings.PORTAL_SCAFFOLD_CACHE)
answers = {"project_name": "Permission check", "team": "perm-team", "owner_email": "ana@example.org",
           "python_version": "3.11", "ci_provider": "github", "retrain_schedule": "0 3 * * 1",
           "model_kind": "classifier"}
with tempfile.TemporaryDirectory() as tmp:
    rendered = render_scaffold(source.src_path, source.ref, answers, Path(tmp) / "out")
    publish_repo(BareDirectoryRemote(settings.PORTAL_GIT_ROOT), "perm-check", rendered,
                 author=settings.PORTAL_GIT_AUTHOR, co_author=None, message="Permission check")

from portal.celery import app
app.send_task("provisioning.reap_runs")
print("WROTE")
"""


@pytest.fixture
def portal_env(tmp_path):
    """The embedded default (SQLite, file broker, local state) in a data dir of its own."""
    modules = tmp_path / "modules" / "secret_out"
    modules.mkdir(parents=True)
    (modules / "main.tf").write_text(SECRET_MODULE)
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir()
    (settings_dir / "perm_settings.py").write_text(
        f"from portal.settings.local import *  # noqa\nPERMISSION_CHECK_MODULE = {str(modules)!r}\n")
    env = {name: os.environ[name] for name in ("PATH", "LANG", "TERRAFORM_PROVIDER_MIRROR") if name in os.environ}
    env.update(HOME=str(tmp_path), PORTAL_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(settings_dir),
               DJANGO_SETTINGS_MODULE="perm_settings", PORTAL_CLOUD="sandbox")
    return env


def run(argv: list[str], env: dict, timeout: float = 300) -> str:
    """A portal command started with a permissive umask (022), as a shell or service manager would."""
    result = subprocess.run([sys.executable, *argv], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=timeout, umask=0o022, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def worker_consumes_one_task(env: dict, log: Path, send: list[str]) -> None:
    with open(log, "wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
                                   "--loglevel=INFO", "--without-gossip", "--without-mingle",
                                   "-n", f"perm-{os.getpid()}@%h"],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, umask=0o022)
    try:
        deadline = time.monotonic() + 120
        while b" ready." not in log.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        assert "WROTE" in run(send, env)
        deadline = time.monotonic() + 120
        while b"provisioning.reap_runs" not in log.read_bytes() or b"succeeded" not in log.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
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
    worker_consumes_one_task(portal_env, tmp_path / "worker.log", ["manage.py", "shell", "-c", WRITE_THINGS])

    data = tmp_path / "data"
    modes = modes_under(data)
    written = set(modes)
    for expected in ("data/portal.sqlite3", "data/tfstate/item-1.tfstate", "data/workspaces/item-1/portal.tfplan",
                     "data/workspaces/item-1/portal.tfvars.json", "data/workspaces/item-1/.portal-logs/apply.log",
                     "data/git/perm-check.git/HEAD", "data/broker", "data/terraform/cli.tfrc"):
        assert expected in written, f"{expected} was not written: the check would prove nothing"
    assert any(p.startswith("data/git/perm-check.git/objects/") for p in written)
    assert any(p.startswith("data/scaffolds/") for p in written)
    assert "tok-" in (data / "tfstate" / "item-1.tfstate").read_text()  # the sensitive output, in clear

    too_open = {path: oct(mode) for path, mode in modes.items()
                if mode & 0o077 and TERRAFORM_SETS_ITS_OWN_MODE.get(Path(path).name) != mode}
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
