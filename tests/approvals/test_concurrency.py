"""Two approvers decide at the same moment, each on their own PostgreSQL connection: exactly one
transition to approved and ONE apply run, whichever way the race goes."""

import threading
import time

import pytest
from django.db import connection

from portal.approvals.models import ApprovalStage, Decision
from portal.audit.models import AuditEvent
from portal.core.errors import ApplicationError
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import record_decision
from provisioning.models import Run
from tests.approvals.conftest import GPU_VALUES, stage_of

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run each call in its own thread and connection, released together; returns results or errors."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 — the test inspects what each side got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("provisioning.services.send_run_task", lambda *a, **k: None)


@pytest.fixture(autouse=True)
def wide_window(monkeypatch):
    """Hold each decision open a moment after its checks, so the two transactions surely overlap."""
    from portal.approvals import services

    checked = services.check_may_decide

    def slow_check(**kwargs):
        principal = checked(**kwargs)
        time.sleep(0.3)
        return principal

    monkeypatch.setattr(services, "check_may_decide", slow_check)


def assert_approved_once(request):
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONING
    assert Run.objects.filter(item__request=request, action="apply").count() == 1
    assert AuditEvent.objects.filter(object_id=str(request.pk), verb="request.approved").count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvers_on_the_same_last_stage(demo, submit, make_user, attempt):
    request = submit()
    other = make_user(f"other-{attempt}", team=demo.teams["mlops-enablement"])
    stage = request.stages.get()
    results = race(*(lambda who=who: record_decision(stage=stage, actor=who, outcome="approve")
                     for who in (demo.people["approver"], other)))
    assert sorted(type(r).__name__ for r in results) == ["ApplicationError", "Decision"], results
    assert Decision.objects.filter(stage=stage).count() == 1
    assert_approved_once(request)


def test_two_approvals_completing_n_of_m_together(demo, submit, make_user):
    request = submit()
    ApprovalStage.objects.filter(request=request).update(required_approvals=2)
    other = make_user("other", team=demo.teams["mlops-enablement"])
    stage = request.stages.get()
    results = race(*(lambda who=who: record_decision(stage=stage, actor=who, outcome="approve")
                     for who in (demo.people["approver"], other)))
    assert all(isinstance(r, Decision) for r in results), results
    assert_approved_once(request)


def test_the_last_two_parallel_stages_approved_together(demo, submit, gpu_version):
    """Each approver decides a different stage; neither may miss the other's approval."""
    request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
    ApprovalStage.objects.filter(request=request, team__slug="finance").update(group=1, status="pending")
    calls = [lambda slug=slug, who=who: record_decision(stage=stage_of(request, slug), actor=demo.people[who],
                                                        outcome="approve")
             for slug, who in (("mlops-enablement", "approver"), ("infosec", "infosec-approver"))]
    record_decision(stage=stage_of(request, "finance"), actor=demo.people["finance-approver"], outcome="approve")
    results = race(*calls)
    assert all(isinstance(r, Decision) for r in results), results
    assert_approved_once(request)


def test_a_rejection_racing_the_last_approval(demo, submit, make_user):
    request = submit()
    other = make_user("other", team=demo.teams["mlops-enablement"])
    stage = request.stages.get()
    results = race(lambda: record_decision(stage=stage, actor=demo.people["approver"], outcome="approve"),
                   lambda: record_decision(stage=stage, actor=other, outcome="reject", comment="no"))
    assert sum(isinstance(r, Decision) for r in results) == 1
    assert sum(isinstance(r, ApplicationError) for r in results) == 1
    request.refresh_from_db()
    assert request.status in (RequestStatus.PROVISIONING, RequestStatus.REJECTED)
    assert Run.objects.filter(item__request=request, action="apply").count() == (
        1 if request.status == RequestStatus.PROVISIONING else 0)
