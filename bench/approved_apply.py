"""Benchmark: one approved cpu_vm through the portal vs raw ``terraform init && terraform apply``, in
interleaved pairs (portal, raw, portal, raw…) so machine load hits both alike.

The portal's figure is from the approval to the request being active (task hand-off, the apply of the
plan the preview made before the approval, outputs, settling). The raw figure is a fresh directory's
init plus ``apply -auto-approve`` (which plans). Goal: portal ÷ raw ≤ 1.0.

Run: .venv/bin/python bench/approved_apply.py [pairs]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.portal_env import portal_env  # noqa: E402
from bench.raw_terraform import destroy, init_and_apply, raw_dir  # noqa: E402


def wait(predicate, timeout: float = 600, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("gave up waiting")


def portal_once(n: int, demo) -> tuple[float, dict]:
    from portal.onboarding.models import OnboardingRequest
    from portal.onboarding.services import record_decision, submit_new_request
    from provisioning.models import Run

    request = submit_new_request(actor=demo["requester"], team=demo["team"], title=f"bench {n}",
                                 items=[(demo["version"], {"name": f"bench-{n}", "instance_type": "t3.large",
                                                           "disk_size_gb": 20, "purpose": "bench"})])
    preview = Run.objects.get(item__request=request, action="plan")
    wait(lambda: Run.objects.get(pk=preview.pk).is_terminal)  # the approver looks at the plan first
    approved = time.perf_counter()
    record_decision(stage=request.stages.get(), actor=demo["approver"], outcome="approve")
    wait(lambda: OnboardingRequest.objects.get(pk=request.pk).status in ("active", "failed"), interval=0.05)
    seconds = time.perf_counter() - approved
    apply = Run.objects.get(item__request=request, action="apply")
    assert apply.status == "succeeded", apply.error
    return seconds, {"applied_preview": bool(apply.applied_plan_of_id), "variables": apply.variables}


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with portal_env() as env:
        from django.conf import settings

        from portal.accounts.models import User
        from portal.catalog.models import TemplateVersion
        from portal.teams.models import Team
        from provisioning.config import pg_conn

        demo = {"requester": User.objects.get(username="requester"), "approver": User.objects.get(username="approver"),
                "team": Team.objects.get(slug="churn-modelling"),
                "version": TemplateVersion.objects.get(template__slug="cpu-vm", status="published")}
        from portal.approvals.models import ApprovalRule

        ApprovalRule.objects.exclude(team__slug=settings.PORTAL_DEFAULT_STEERING_TEAM).delete()
        portal, raw, used = [], [], 0
        for n in range(pairs):
            seconds, info = portal_once(n, demo)
            portal.append(seconds)
            used += info["applied_preview"]
            workdir, tf_env = raw_dir(env.tmp / "raw", f"raw-{n}", variables=info["variables"],
                                      sandbox_url=env.sandbox_url, pg_url=pg_conn())
            raw.append(init_and_apply(workdir, tf_env))
            destroy(workdir, tf_env)
            print(f"  pair {n + 1}: portal {seconds:6.1f} s   raw {raw[-1]:6.1f} s   ratio {seconds / raw[-1]:.2f}",
                  flush=True)
    print(f"\none approved cpu_vm, {pairs} interleaved pairs (seconds)")
    print(f"  portal (approval → active)   median {statistics.median(portal):6.1f}   min {min(portal):6.1f}   "
          f"max {max(portal):6.1f}   applied the preview's plan: {used}/{pairs}")
    print(f"  raw (init + apply)           median {statistics.median(raw):6.1f}   min {min(raw):6.1f}   "
          f"max {max(raw):6.1f}")
    ratios = [p / r for p, r in zip(portal, raw, strict=True)]
    print(f"  portal ÷ raw                 median {statistics.median(ratios):6.2f}   "
          f"min {min(ratios):6.2f}   max {max(ratios):6.2f}   (goal ≤ 1.0)")


if __name__ == "__main__":
    main()
