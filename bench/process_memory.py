"""Benchmark: memory of each kind of portal process, for the resource requests in deploy/k8s.

Starts the real processes with the production settings — gunicorn (2 workers) after a few hundred page and
API requests, a Celery worker per queue as the manifests run them, beat — and one Terraform plan + apply of a
cpu_vm against the sandbox while sampling Terraform's and the AWS provider's memory. Prints RSS and PSS
(proportional: shared pages split between the processes sharing them; PSS adds up, RSS does not) in MB.

Run: .venv/bin/python bench/process_memory.py
Env: BENCH_DATABASE (default portal_bench_memory; dropped and made again), REDIS_URL (default db 13).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from provisioning.cloud.sandbox import free_port, start_sandbox  # noqa: E402
from provisioning.runners.terraform import TerraformRunner, terraform_env  # noqa: E402
from provisioning.workspace import VAR_FILE, CloudTarget, prepare_workspace, read_module, write_cli_config  # noqa: E402

MB = 1024 * 1024
VALUES = {"name": "bench-vm", "instance_type": "t3.large", "disk_size_gb": 30, "purpose": "bench",
          "ami": "ami-04681a1dbd79675a5", "tags": {"portal:team": "bench"}}


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB, from /proc/<pid>/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) * 1024
    return fields["Rss"] / MB, fields["Pss"] / MB


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return [pid, *(p for child in children for p in tree(child))]


def report(label: str, pid: int) -> None:
    pids = tree(pid)
    rows = [(p, *memory(p)) for p in pids]
    total_pss = sum(pss for _, _, pss in rows)
    print(f"{label}: {len(pids)} processes, PSS total {total_pss:6.0f} MB")
    for p, rss, pss in rows:
        print(f"    pid {p:>7}  RSS {rss:6.0f} MB   PSS {pss:6.0f} MB   {command(p)}")


def command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:70]


def production_env(database_url: str, data_dir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production", DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), PORTAL_SECRETS_KEY=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", PORTAL_BASE_URL="http://127.0.0.1", PORTAL_SSL_REDIRECT="false",
        PORTAL_DATA_DIR=str(data_dir), PORTAL_METRICS_TOKEN=secrets.token_urlsafe(24),
        TERRAFORM_PROVIDER_MIRROR=os.environ.get("TERRAFORM_PROVIDER_MIRROR", "/opt/tf-plugins"),
    )
    return env


@contextlib.contextmanager
def started(args: list[str], env: dict[str, str], log: Path, ready: bytes) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while ready not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[0]} did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        time.sleep(2)  # let it settle (prefork children, first beat tick)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def web(env: dict[str, str], tmp: Path, token: str) -> None:
    port = free_port()
    conf = REPO / "portal" / "gunicorn_conf.py"
    env = {**env, "PORTAL_ADDR": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus")}
    (tmp / "prometheus").mkdir()
    args = [sys.executable, "-m", "gunicorn", "portal.wsgi"]
    args += ["-c", str(conf)] if conf.exists() else ["-w", "2", "-b", f"127.0.0.1:{port}"]
    with started(args, env, tmp / "web.log", b"Booting worker") as proc:
        base, api = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(40):
                for path, headers in (("/login/", {}), ("/api/v1/catalog/templates", api),
                                      ("/api/v1/requests", api), ("/api/v1/resources", api),
                                      ("/api/schema/", api), ("/static/core/portal.css", {})):
                    client.get(path, headers=headers)
        report(f"gunicorn, {env['WEB_CONCURRENCY']} workers, after 240 requests", proc.pid)


def workers(env: dict[str, str], tmp: Path) -> None:
    for queue, concurrency in (("runs", 1), ("previews", 1), ("default", 2)):
        args = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, "-n", f"{queue}@%h",
                "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO"]
        with started(args, env, tmp / f"worker-{queue}.log", b" ready.") as proc:
            report(f"celery worker -Q {queue} --concurrency={concurrency} (idle)", proc.pid)
    args = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
            f"--schedule={tmp / 'beat-schedule'}"]
    with started(args, env, tmp / "beat.log", b"beat: Starting") as proc:
        report("celery beat", proc.pid)


def terraform(tmp: Path) -> None:
    """Peak memory of terraform and its AWS provider over one plan and apply of a cpu_vm."""
    port = free_port()
    sandbox = start_sandbox(port)
    peaks: dict[str, tuple[float, float]] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in (int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()):
                with contextlib.suppress(OSError, KeyError, ValueError):
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                    if name.startswith("terraform"):
                        rss, pss = memory(pid)
                        old = peaks.get(name, (0.0, 0.0))
                        peaks[name] = (max(old[0], rss), max(old[1], pss))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        cli = write_cli_config(tmp / "cli.tfrc", Path(os.environ.get("TERRAFORM_PROVIDER_MIRROR", "/opt/tf-plugins")))
        target = CloudTarget(region="us-east-1", sandbox_url=f"http://127.0.0.1:{port}")
        workdir = tmp / "tf"
        prepare_workspace(workdir=workdir, module_files=read_module(REPO / "terraform/modules/cpu_vm"),
                          variables=VALUES, provider_block=target.provider_block(),
                          backend={"local": {"path": str(tmp / "bench.tfstate")}})
        runner = TerraformRunner(workdir=workdir, env=terraform_env(cli_config=cli, extra=target.credentials_env()))
        runner.init()
        runner.plan(var_file=VAR_FILE, out="p.tfplan")
        runner.apply_plan("p.tfplan")
    finally:
        done.set()
        sampler.join()
        sandbox.terminate()
    print("terraform plan + apply of a cpu_vm (peak of each process name over the run):")
    for name, (rss, pss) in sorted(peaks.items()):
        print(f"    {name:<28} RSS {rss:6.0f} MB   PSS {pss:6.0f} MB")


def main() -> None:
    database = os.environ.get("BENCH_DATABASE", "portal_bench_memory")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    database_url = f"postgres://postgres@127.0.0.1:5432/{database}"
    with tempfile.TemporaryDirectory(prefix="portal-memory-") as tmp_name:
        tmp = Path(tmp_name)
        env = production_env(database_url, tmp / "data")
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
        subprocess.run([*manage, "seed_demo"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        token = subprocess.run(
            [*manage, "shell", "-c", "from portal.accounts.models import User; from portal.accounts.tokens import "
             "create_token; print(create_token(user=User.objects.get(username='requester'), name='bench', "
             "scopes=['read'])[1])"], cwd=REPO, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        web(env, tmp, token)
        workers(env, tmp)
        terraform(tmp)


if __name__ == "__main__":
    main()
