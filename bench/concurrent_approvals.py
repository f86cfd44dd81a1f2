"""Benchmark: ten approved cpu_vm requests at once through the portal (a worker with two processes, the
pg state backend) vs a bare loop of the same ten ``terraform init && terraform apply -auto-approve`` at
its best concurrency (1, 2 or 4 at a time, local state files: the loop's easiest case).

The portal's figure runs from the ten approvals (their previews done, as approvers look at plans first)
to all ten active. Prints both and the ratio.

Run: .venv/bin/python bench/concurrent_approvals.py [count]
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.approved_apply import wait  # noqa: E402
from bench.portal_env import portal_env  # noqa: E402
from bench.raw_terraform import destroy, init_and_apply, raw_dir  # noqa: E402


def portal_round(count: int) -> tuple[float, list[dict], int]:
    from django.conf import settings

    from portal.accounts.models import User
    from portal.approvals.models import ApprovalRule
    from portal.catalog.models import TemplateVersion
    from portal.onboarding.models import OnboardingRequest
    from portal.onboarding.services import record_decision, submit_new_request
    from portal.teams.models import Team
    from provisioning.models import Run

    ApprovalRule.objects.exclude(team__slug=settings.PORTAL_DEFAULT_STEERING_TEAM).delete()
    requester, approver = User.objects.get(username="requester"), User.objects.get(username="approver")
    version = TemplateVersion.objects.get(template__slug="cpu-vm", status="published")
    team = Team.objects.get(slug="churn-modelling")
    requests = [submit_new_request(actor=requester, team=team, title=f"bench {n}", items=[(version, {
        "name": f"bench-{n}", "instance_type": "t3.large", "disk_size_gb": 20, "purpose": "bench"})])
        for n in range(count)]
    wait(lambda: not Run.objects.filter(action="plan", status__in=["queued", "running"]).exists(), timeout=1800)
    started = time.perf_counter()
    for request in requests:
        record_decision(stage=request.stages.get(), actor=approver, outcome="approve")
    pks = [r.pk for r in requests]
    wait(lambda: OnboardingRequest.objects.filter(pk__in=pks, status__in=["active", "failed"]).count() == count,
         timeout=3600, interval=0.2)
    seconds = time.perf_counter() - started
    applies = list(Run.objects.filter(item__request__in=pks, action="apply"))
    failed = [r.pk for r in applies if r.status != "succeeded"]
    if failed:
        raise RuntimeError(f"applies failed: {failed}")
    return seconds, [r.variables for r in applies], sum(1 for r in applies if r.applied_plan_of_id)


def raw_round(root: Path, variables: list[dict], sandbox_url: str, parallel: int) -> float:
    dirs = []
    for n, values in enumerate(variables):
        workdir, env = raw_dir(root / f"p{parallel}", f"raw-{n}", variables=values, sandbox_url=sandbox_url,
                               pg_url="")
        (workdir / "_gen.tf.json").write_text(json.dumps({
            "terraform": {"backend": {"local": {"path": str(workdir / "state.tfstate")}}},
            "provider": json.loads((workdir / "_gen.tf.json").read_text())["provider"]}))
        dirs.append((workdir, env))
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda d: init_and_apply(*d), dirs))
    seconds = time.perf_counter() - started
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda d: destroy(*d), dirs))
    return seconds


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with portal_env(concurrency=2) as env:
        portal, variables, used = portal_round(count)
        print(f"  portal: {count} approvals → all active in {portal:.1f} s "
              f"(applied their preview's plan: {used}/{count})", flush=True)
        raw = {}
        for parallel in (1, 2, 4):
            raw[parallel] = raw_round(env.tmp / "raw", variables, env.sandbox_url, parallel)
            print(f"  raw loop, {parallel} at a time: {raw[parallel]:.1f} s", flush=True)
    best = min(raw, key=raw.get)
    print(f"\n{count} approved cpu_vm at once (seconds)")
    print(f"  portal, 2 worker processes        {portal:7.1f}")
    print(f"  raw loop at its best ({best} at a time)  {raw[best]:7.1f}")
    print(f"  portal ÷ raw                      {portal / raw[best]:7.2f}")


if __name__ == "__main__":
    main()
