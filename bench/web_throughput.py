"""Benchmark: the portal's pages on gunicorn (portal/gunicorn_conf.py, 2 processes) with ~2,000 requests in
PostgreSQL — requests per second and p50/p95/p99 latency of the catalog, a request page, the approver queue
and the team dashboard; then gunicorn and ``runserver`` side by side: how many of N connections opened at
once each one fails (runserver's small listen backlog drops them).

Run: .venv/bin/python bench/web_throughput.py [requests=2000] [calls per page=200] [concurrency=8] [parallel=50]
Its own database (portal_bench_web) and Redis db 12; requests are seeded with bulk_create (seconds, not the
minutes the services take), cloned from one request submitted through the services so they look real.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.portal_env import REPO, portal_env  # noqa: E402

DB = "portal_bench_web"
VALUES = {"name": "bench-vm", "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "bench"}


def copy_of(obj, **changes):
    """A new unsaved row with ``obj``'s field values (timestamps are set again on insert)."""
    fields = {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if not f.primary_key}
    return type(obj)(**{**fields, **changes})


def seed(count: int, active: int) -> list[int]:
    """``count`` requests of the demo team: ``count - active`` in review (in the approvers' queue), ``active``
    provisioned (each with its resource on the team dashboard). Returns the requests' ids."""
    from django.db import transaction

    from portal.accounts.models import User
    from portal.approvals.models import ApprovalStage
    from portal.catalog.models import TemplateVersion
    from portal.inventory.models import ProvisionedResource
    from portal.onboarding.models import OnboardingRequest, RequestItem, RequestStatus
    from portal.onboarding.services import submit_new_request
    from portal.teams.models import Team

    started = time.perf_counter()
    requester, team = User.objects.get(username="requester"), Team.objects.get(slug="churn-modelling")
    version = TemplateVersion.objects.get(template__slug="cpu-vm", status="published")
    model = submit_new_request(actor=requester, team=team, title="bench model", items=[(version, VALUES)])
    item, stages = model.items.get(), list(model.stages.all())
    with transaction.atomic():
        requests = OnboardingRequest.objects.bulk_create(
            [copy_of(model, title=f"bench {n}", status=RequestStatus.ACTIVE if n < active else model.status)
             for n in range(count - 1)], batch_size=500)
        items = RequestItem.objects.bulk_create(
            [copy_of(item, request_id=r.pk, values={**VALUES, "name": f"bench-{n}"},
                     status=RequestItem.Status.ACTIVE if n < active else item.status)
             for n, r in enumerate(requests)], batch_size=500)
        ApprovalStage.objects.bulk_create([copy_of(s, request_id=r.pk) for r in requests[active:] for s in stages],
                                          batch_size=500)
        ProvisionedResource.objects.bulk_create(
            [ProvisionedResource(item=i, team=team, template_version=version, kind="cpu_vm", name=f"bench-{n}",
                                 outputs={"instance_id": f"i-{n:017x}", "private_ip": f"10.0.{n // 250}.{n % 250}"})
             for n, i in enumerate(items[:active])], batch_size=500)
    print(f"seeded {count} requests ({active} active with a resource each, the rest in review) with bulk_create "
          f"in {time.perf_counter() - started:.1f} s")
    return [model.pk, *(r.pk for r in requests)]


def session_cookie(username: str) -> dict:
    """A logged-in session stored in the database, as a browser would hold it."""
    from django.conf import settings
    from django.test import Client

    from portal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def start(argv: list[str], env: dict, base: str) -> subprocess.Popen:
    import httpx

    server = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"{base}/login/", timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"{argv[:4]} did not answer on {base}")


def measure(base: str, cookies: dict, name: str, path, calls: int, concurrency: int) -> None:
    import httpx

    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as http:
        for _ in range(5):  # warm up (connections, caches)
            http.get(path())

        def timed(_):
            started = time.perf_counter()
            answer = http.get(path())
            assert answer.status_code == 200, (answer.status_code, answer.text[:300])
            return time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            latencies = sorted(pool.map(timed, range(calls)))
        wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} {calls / wall:8.1f} req/s   p50 {q[49] * 1000:7.1f} ms   p95 {q[94] * 1000:7.1f} ms   "
          f"p99 {q[98] * 1000:7.1f} ms")


def parallel_failures(base: str, cookies: dict, connections: int) -> int:
    """``connections`` clients at once, each on its own connection, each posting a login form (as a browser
    posts a form; the answer is the login page again or a redirect): how many got no answer (connection
    reset, refused or timed out) or a server error."""
    import httpx

    barrier = threading.Barrier(connections)
    form = {"username": "nobody", "password": "x" * 20, "next": "/catalog/" + "a" * 2000}

    def one(_) -> bool:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as http:
            barrier.wait()
            try:
                return http.post("/login/", data=form).status_code < 500
            except httpx.TransportError:
                return False

    with ThreadPoolExecutor(connections) as pool:
        return sum(not ok for ok in pool.map(one, range(connections)))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    with portal_env(workers=0, db=DB, redis_db=12):
        import logging

        from provisioning.cloud.sandbox import free_port

        logging.getLogger("httpx").setLevel(logging.WARNING)
        ids = seed(count, active=count // 10)
        requester, approver = session_cookie("requester"), session_cookie("approver")
        env = {**os.environ, "PYTHONPATH": str(REPO), "WEB_CONCURRENCY": "2"}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start([sys.executable, "-m", "gunicorn", "portal.wsgi", "-c", "portal/gunicorn_conf.py"],
                         {**env, "PORTAL_ADDR": f"127.0.0.1:{port}"}, base)
        try:
            print(f"\ngunicorn (portal/gunicorn_conf.py: 2 processes × {os.environ.get('PORTAL_WEB_THREADS', 4)} "
                  f"threads), {count} requests in the database, {calls} calls per page, {concurrency} at a time:")
            pick = random.Random(7).choice  # noqa: S311  (which request to read, not a secret)
            measure(base, requester, "catalog", lambda: "/catalog/", calls, concurrency)
            measure(base, requester, "request page", lambda: f"/requests/{pick(ids)}/", calls, concurrency)
            measure(base, approver, "approver queue", lambda: "/approvals/", calls, concurrency)
            measure(base, requester, "team dashboard", lambda: "/teams/churn-modelling/", calls, concurrency)
            on_gunicorn = parallel_failures(base, requester, connections)
        finally:
            gunicorn.terminate()
            gunicorn.wait(30)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        runserver = start([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env, base)
        try:
            on_runserver = parallel_failures(base, requester, connections)
        finally:
            runserver.terminate()
            runserver.wait(30)
        print(f"\n{connections} connections at once (a login form posted), failed: gunicorn {on_gunicorn} of "
              f"{connections}, runserver {on_runserver} of {connections}")


if __name__ == "__main__":
    main()
