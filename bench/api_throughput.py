"""Benchmark: the API on gunicorn with ~2,000 requests in PostgreSQL — requests per second and
p50/p95/p99 latency of list, detail, create (validate-only) and the approval queue, and the number of
database queries per call for a small and a large page (it must not grow with the page).

Run: .venv/bin/python bench/api_throughput.py [requests=2000] [calls per operation=300] [concurrency=4]
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.portal_env import REPO, portal_env  # noqa: E402

VALUES = {"name": "bench-vm", "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "bench"}


def seed(count: int):
    from portal.accounts.models import User
    from portal.catalog.models import TemplateVersion
    from portal.onboarding.services import submit_new_request
    from portal.teams.models import Team

    requester, approver = User.objects.get(username="requester"), User.objects.get(username="approver")
    team = Team.objects.get(slug="churn-modelling")
    version = TemplateVersion.objects.get(template__slug="cpu-vm", status="published")
    started = time.perf_counter()
    ids = [submit_new_request(actor=requester, team=team, title=f"bench {n}",
                              items=[(version, {**VALUES, "name": f"bench-{n}"})]).pk for n in range(count)]
    print(f"seeded {count} requests through the services in {time.perf_counter() - started:.0f} s")
    return requester, approver, ids


def queries_per_call(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200, answer.content[:300]
    return len(captured)


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    from provisioning.cloud.sandbox import free_port

    port = free_port()
    server = subprocess.Popen([str(REPO / ".venv/bin/gunicorn"), "portal.wsgi", "-w", "2", "--threads", "2",
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=REPO, env=env)
    return server, f"http://127.0.0.1:{port}"


def measure(base: str, token: str, name: str, call, calls: int, concurrency: int) -> None:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)

    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        for _ in range(10):  # warm up (connections, caches)
            call(http)

        def timed(_):
            started = time.perf_counter()
            answer = call(http)
            assert answer.status_code < 300, (answer.status_code, answer.text[:300])
            return time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            latencies = sorted(pool.map(timed, range(calls)))
        wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} {calls / wall:8.1f} req/s   p50 {q[49] * 1000:7.1f} ms   p95 {q[94] * 1000:7.1f} ms   "
          f"p99 {q[98] * 1000:7.1f} ms")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    with portal_env(workers=0):
        import os

        from django.conf import settings
        from rest_framework.test import APIClient

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        from portal.accounts.tokens import create_token

        requester, approver, ids = seed(count)
        _, mine = create_token(user=requester, name="bench", scopes=["read", "request"])
        _, theirs = create_token(user=approver, name="bench", scopes=["read", "approve"])

        print("\nqueries per call (page of 5 vs page of 200 rows — must be equal):")
        for token, path in [(mine, "/api/v1/requests?page_size={}"), (theirs, "/api/v1/approvals?page_size={}")]:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            small, large = queries_per_call(client, path.format(5)), queries_per_call(client, path.format(200))
            print(f"  {path.split('?')[0]:<24} {small:3d} vs {large:3d}  {'constant' if small == large else 'GROWS'}")

        server, base = serve({**os.environ, "PYTHONPATH": str(REPO)})
        try:
            import httpx

            for _ in range(100):
                try:
                    httpx.get(f"{base}/api/v1/me", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            print(f"\ngunicorn (2 processes × 2 threads), {count} requests in the database, {calls} calls per "
                  f"operation, {concurrency} at a time:")
            body = {"team": "churn-modelling", "title": "bench", "template": "cpu-vm", "values": VALUES}
            measure(base, mine, "list (page of 50)", lambda h: h.get("/api/v1/requests"), calls, concurrency)
            pick = random.Random(7).choice  # noqa: S311  (which request to read, not a secret)
            measure(base, mine, "detail", lambda h: h.get(f"/api/v1/requests/{pick(ids)}"), calls, concurrency)
            measure(base, mine, "create, validate-only", lambda h: h.post("/api/v1/requests/validate", json=body),
                    calls, concurrency)
            measure(base, theirs, "approval queue (page of 50)", lambda h: h.get("/api/v1/approvals"), calls,
                    concurrency)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
