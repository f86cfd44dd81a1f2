import pytest

from portal.approvals.services import record_decision
from portal.core.errors import ApplicationError, PermissionDenied
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import submit_new_request
from provisioning.models import Run
from tests.fixtures.people import CPU_VM_VALUES


@pytest.fixture
def submitted(demo):
    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                              title="VM", items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])


def test_approval_queues_one_run_on_commit(demo, submitted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        record_decision(stage=submitted.stages.get(), actor=demo.people["approver"], outcome="approve")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PROVISIONING
    assert Run.objects.filter(item__request=submitted, status="queued").count() == 1
    assert len(callbacks) == 1


def test_nobody_approves_their_own_request(demo, submitted):
    from portal.teams.models import Membership

    Membership.objects.create(team=demo.teams["mlops-enablement"], user=demo.people["requester"])
    with pytest.raises(PermissionDenied, match="your own request"):
        record_decision(stage=submitted.stages.get(), actor=demo.people["requester"], outcome="approve")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.IN_REVIEW


def test_only_the_stage_team_decides(demo, submitted, make_user):
    finance = make_user("fin", team=demo.teams["finance"])
    with pytest.raises(PermissionDenied, match="Only members"):
        record_decision(stage=submitted.stages.get(), actor=finance, outcome="approve")


def test_reject_needs_a_comment_and_ends_the_request(demo, submitted):
    stage = submitted.stages.get()
    with pytest.raises(ApplicationError, match="why"):
        record_decision(stage=stage, actor=demo.people["approver"], outcome="reject", comment="  ")
    record_decision(stage=stage, actor=demo.people["approver"], outcome="reject", comment="too big")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.REJECTED
    assert not Run.objects.exists()


def test_a_stage_is_decided_once(demo, submitted, make_user):
    other = make_user("other-approver", team=demo.teams["mlops-enablement"])
    stage = submitted.stages.get()
    record_decision(stage=stage, actor=demo.people["approver"], outcome="approve")
    with pytest.raises(ApplicationError, match="already been decided"):
        record_decision(stage=stage, actor=other, outcome="approve")
    assert Run.objects.count() == 1
