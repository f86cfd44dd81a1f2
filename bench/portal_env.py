"""A portal on its own database for the benches: migrated, seeded, a moto sandbox and Celery workers.

Used by the other bench scripts (no pytest run): ``with portal_env(workers=...) as env: ...``.
Its database is ``portal_bench`` (or ``db``) on the local PostgreSQL (dropped and made again), Redis db 13
(or ``redis_db``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DB = "portal_bench"


@contextlib.contextmanager
def portal_env(*, workers: int = 1, concurrency: int = 1, db: str = DB, redis_db: int = 13):
    sys.path.insert(0, str(REPO))
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    os.environ.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
                      REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}", DJANGO_SETTINGS_MODULE="portal.settings.test")
    os.environ.setdefault("TERRAFORM_PROVIDER_MIRROR", "/opt/tf-plugins")
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from provisioning.cloud.sandbox import free_port, start_sandbox
    from tests.fixtures.worker import WorkerHandle, worker_env

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from portal.teams.models import Quota

    Quota.objects.all().delete()  # the demo team's quota (6 VMs) would stop the bench, not measure it
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    port = free_port()
    sandbox = start_sandbox(port)
    sandbox_url = f"http://127.0.0.1:{port}"
    settings.PORTAL_SANDBOX_URL = sandbox_url
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        handles = []
        try:
            for n in range(workers):
                data = Path(tmp) / f"worker-{n}"
                data.mkdir()
                handle = WorkerHandle(worker_env(sandbox_url=sandbox_url, data_dir=data), data,
                                      pool="prefork" if concurrency > 1 else "solo", concurrency=concurrency)
                handle.start()
                handles.append(handle)
            yield type("Env", (), {"sandbox_url": sandbox_url, "tmp": Path(tmp), "workers": handles})
        finally:
            for handle in handles:
                handle.stop()
            sandbox.terminate()
