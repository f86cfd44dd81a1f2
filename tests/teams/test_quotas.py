"""Team quotas: refused at submit with what is left, and again at approval under a row lock."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from portal.onboarding import quotas
from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.quotas import QuotaExceeded, quota_report
from portal.onboarding.services import conclude_review, record_decision, submit_new_request
from portal.teams.models import Quota
from tests.fixtures.people import CPU_VM_VALUES

GPU_VM = {"name": "trainer", "instance_type": "g5.xlarge", "disk_size_gb": 100, "purpose": "training"}


def submit(demo, *items, title="req"):
    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title=title,
                              items=list(items))


def approve(demo, request, approver=None):
    record_decision(stage=request.stages.get(), actor=approver or demo.people["approver"], outcome="approve")


def test_submit_refuses_with_what_is_left(demo):
    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=4, max_vms=5)
    big = {**GPU_VM, "instance_type": "p4d.24xlarge"}  # 8 GPUs
    with pytest.raises(QuotaExceeded) as error:
        submit(demo, (demo.versions["gpu-vm"], big))
    assert "GPUs: 4 left of 4, this request needs 8." in error.value.message
    assert not OnboardingRequest.objects.exists()


def test_usage_counts_approved_and_later_not_requests_in_review(demo):
    team = demo.teams["churn-modelling"]
    Quota.objects.create(team=team, max_gpus=2, max_vms=3, max_monthly_usd=2000)
    first = submit(demo, (demo.versions["gpu-vm"], GPU_VM), (demo.versions["cpu-vm"], CPU_VM_VALUES))
    lines = {line.label: line for line in quota_report(team).lines}
    assert (lines["GPUs"].used, lines["Virtual machines"].used) == (0, 0)  # only in review
    approve(demo, first)
    lines = {line.label: line for line in quota_report(team).lines}
    assert (lines["GPUs"].used, lines["GPUs"].left, lines["Virtual machines"].left) == (1, 1, 1)
    assert lines["Monthly cost"].used == Decimal("1.006") * 730 + 100 * Decimal("0.08") + Decimal("63.94")
    OnboardingRequest.objects.filter(pk=first.pk).update(status=RequestStatus.DECOMMISSIONED)
    assert {line.label: line.used for line in quota_report(team).lines}["GPUs"] == 0


def test_cluster_gpus_count_at_the_node_groups_maximum(demo):
    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=3, max_clusters=1)
    cluster = {"name": "eks", "cpu_instance_types": ["m5.xlarge"], "cpu_min_size": 1, "cpu_desired_size": 1,
               "cpu_max_size": 2, "gpu_enabled": True, "gpu_instance_types": ["g5.xlarge"], "gpu_min_size": 0,
               "gpu_desired_size": 1, "gpu_max_size": 4, "node_disk_size_gb": 50, "purpose": "serving"}
    with pytest.raises(QuotaExceeded, match="GPUs: 3 left of 3, this request needs 4"):
        submit(demo, (demo.versions["eks-cluster"], cluster))
    submit(demo, (demo.versions["eks-cluster"], {**cluster, "gpu_max_size": 3}))


def test_approval_rechecks_and_the_second_of_two_fitting_requests_is_refused(demo):
    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=1)
    first, second = submit(demo, (demo.versions["gpu-vm"], GPU_VM)), submit(demo, (demo.versions["gpu-vm"], GPU_VM))
    approve(demo, first)
    with pytest.raises(QuotaExceeded, match="GPUs: 0 left of 1"):
        approve(demo, second)
    second.refresh_from_db()
    assert second.status == RequestStatus.IN_REVIEW and second.stages.get().status == "pending"


def test_no_quota_row_means_no_limit(demo):
    assert quota_report(demo.teams["churn-modelling"]) is None
    submit(demo, (demo.versions["gpu-vm"], {**GPU_VM, "instance_type": "p4d.24xlarge"}))


def _conclude(demo, request, approver):
    """The approval transaction as onboarding sees it once the last stage is approved."""
    with transaction.atomic():
        conclude_review(request=request, outcome=RequestStatus.APPROVED, actor=approver)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decide_with", [_conclude, approve], ids=["conclude_review", "record_decision"])
def test_two_concurrent_approvals_at_the_edge_exactly_one_passes(demo, make_user, monkeypatch, decide_with):
    """Each request fits alone, not both. Both approvals run at once in their own transactions and
    database connections; usage is counted slowly, so without the quota row lock both would pass.
    (record_decision also happens to serialize on the steering team's row; conclude_review shows
    that the quota lock alone is enough.)"""
    monkeypatch.setattr("provisioning.services.send_run_task", lambda *a, **k: None)
    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=1)
    requests = [submit(demo, (demo.versions["gpu-vm"], GPU_VM), title=f"r{n}") for n in (1, 2)]
    approvers = [demo.people["approver"], make_user("approver-2", team=demo.teams["mlops-enablement"])]
    counted = quotas.items_in_use

    def slow_count(*args, **kwargs):
        found = counted(*args, **kwargs)
        time.sleep(0.5)  # widen the window between counting and committing
        return found

    monkeypatch.setattr(quotas, "items_in_use", slow_count)
    barrier, outcomes = threading.Barrier(2), {}

    def decide(n):
        try:
            barrier.wait(timeout=10)
            decide_with(demo, requests[n], approvers[n])
            outcomes[n] = "approved"
        except QuotaExceeded as error:
            outcomes[n] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winner, loser = sorted(outcomes.values(), key=len)
    assert winner == "approved" and "GPUs: 0 left of 1" in loser
    statuses = sorted(OnboardingRequest.objects.values_list("status", flat=True))
    assert statuses == [RequestStatus.IN_REVIEW, RequestStatus.PROVISIONING]


@pytest.fixture(autouse=True)
def _one_stage(mlops_only):
    """These tests are about quotas and versions, not routing: one MLOps stage per request."""

