"""Decisions: outcomes, comments, N-of-M, groups, segregation of duties, one run on approval, audit."""

import pytest

from portal.approvals.models import ApprovalStage, Decision
from portal.audit.selectors import events_for
from portal.core.errors import ApplicationError, PermissionDenied
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import record_decision
from provisioning.models import Run
from tests.approvals.conftest import GPU_VALUES, stage_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(submit):
    return submit()


def test_approval_queues_one_apply_run_on_commit(demo, submitted, django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr("provisioning.services.send_run_task", lambda pk, **kw: enqueued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        record_decision(stage=submitted.stages.get(), actor=demo.people["approver"], outcome="approve")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PROVISIONING
    apply_run = Run.objects.get(item__request=submitted, action="apply")
    assert enqueued == [apply_run.pk]
    # The plan preview queued at submit still runs first (its item's runs go one at a time, oldest
    # first), and the apply then applies the plan the approvers saw.
    preview = Run.objects.get(item__request=submitted, action="plan")
    assert preview.status == "queued"
    assert preview.workspace_id == apply_run.workspace_id and preview.pk < apply_run.pk


def test_nobody_approves_their_own_request(demo, submitted):
    from portal.teams.models import Membership

    Membership.objects.create(team=demo.teams["mlops-enablement"], user=demo.people["requester"])
    with pytest.raises(PermissionDenied, match="your own request"):
        record_decision(stage=submitted.stages.get(), actor=demo.people["requester"], outcome="approve")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.IN_REVIEW and not Decision.objects.exists()


def test_only_the_stage_team_decides(demo, submitted, make_user):
    finance = make_user("fin", team=demo.teams["finance"])
    with pytest.raises(PermissionDenied, match="Only members"):
        record_decision(stage=submitted.stages.get(), actor=finance, outcome="approve")


@pytest.mark.parametrize(("outcome", "status", "message"), [
    ("reject", RequestStatus.REJECTED, "why"), ("request_changes", RequestStatus.CHANGES_REQUESTED, "what should"),
])
def test_reject_and_request_changes_need_a_comment(demo, submitted, outcome, status, message):
    stage = submitted.stages.get()
    with pytest.raises(ApplicationError, match=message):
        record_decision(stage=stage, actor=demo.people["approver"], outcome=outcome, comment="  ")
    record_decision(stage=stage, actor=demo.people["approver"], outcome=outcome, comment="too big")
    submitted.refresh_from_db()
    assert submitted.status == status
    assert not Run.objects.filter(action="apply").exists()
    assert ApprovalStage.objects.get(pk=stage.pk).status == {"reject": "rejected"}.get(outcome, "changes_requested")


def test_an_unknown_outcome_is_refused(demo, submitted):
    with pytest.raises(ApplicationError, match="Choose"):
        record_decision(stage=submitted.stages.get(), actor=demo.people["approver"], outcome="shrug")


def test_a_stage_is_decided_once(demo, submitted, make_user):
    other = make_user("other-approver", team=demo.teams["mlops-enablement"])
    stage = submitted.stages.get()
    record_decision(stage=stage, actor=demo.people["approver"], outcome="approve")
    with pytest.raises(ApplicationError, match="already been decided"):
        record_decision(stage=stage, actor=other, outcome="approve")
    assert Run.objects.filter(action="apply").count() == 1


def test_one_person_decides_one_stage_of_a_request(demo, submit, gpu_version):
    from portal.teams.models import Membership

    approver = demo.people["approver"]
    Membership.objects.create(team=demo.teams["infosec"], user=approver)
    request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
    from portal.approvals.selectors import queue_for

    assert stage_of(request, "infosec") in queue_for(approver)
    record_decision(stage=stage_of(request, "mlops-enablement"), actor=approver, outcome="approve")
    assert stage_of(request, "infosec") not in queue_for(approver)  # the queue follows the same rule
    with pytest.raises(PermissionDenied, match="another stage"):
        record_decision(stage=stage_of(request, "infosec"), actor=approver, outcome="approve")
    with pytest.raises(PermissionDenied, match="already decided this stage"):
        record_decision(stage=stage_of(request, "mlops-enablement"), actor=approver, outcome="approve")


def test_n_of_m_needs_n_different_members(demo, submitted, make_user):
    ApprovalStage.objects.filter(request=submitted).update(required_approvals=2)
    second = make_user("second", team=demo.teams["mlops-enablement"])
    stage = submitted.stages.get()
    record_decision(stage=stage, actor=demo.people["approver"], outcome="approve")
    stage.refresh_from_db()
    submitted.refresh_from_db()
    assert (stage.status, submitted.status) == ("pending", RequestStatus.IN_REVIEW)
    record_decision(stage=stage, actor=second, outcome="approve", comment="ok")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PROVISIONING


def test_later_groups_open_only_when_earlier_ones_are_approved(demo, submit, gpu_version):
    request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
    record_decision(stage=stage_of(request, "mlops-enablement"), actor=demo.people["approver"], outcome="approve")
    assert stage_of(request, "finance").status == "waiting"
    with pytest.raises(ApplicationError, match="not open yet: it waits for an earlier stage"):
        record_decision(stage=stage_of(request, "finance"), actor=demo.people["finance-approver"], outcome="approve")
    record_decision(stage=stage_of(request, "infosec"), actor=demo.people["infosec-approver"], outcome="approve")
    finance = stage_of(request, "finance")
    assert finance.status == "pending" and finance.due_at is not None
    record_decision(stage=finance, actor=demo.people["finance-approver"], outcome="approve")
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONING
    assert Run.objects.filter(item__request=request, action="apply").count() == 1


def test_a_rejection_in_a_parallel_group_ends_the_request(demo, submit, gpu_version):
    request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
    record_decision(stage=stage_of(request, "infosec"), actor=demo.people["infosec-approver"], outcome="reject",
                    comment="no PII on GPUs")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    with pytest.raises(ApplicationError, match="not needed any more: another stage rejected"):
        record_decision(stage=stage_of(request, "mlops-enablement"), actor=demo.people["approver"],
                        outcome="approve")


def test_every_decision_is_audited_with_its_comment(demo, submitted):
    record_decision(stage=submitted.stages.get(), actor=demo.people["approver"], outcome="approve", comment="fine")
    event = events_for(submitted).get(verb="stage.approve")
    assert event.actor == demo.people["approver"]
    assert event.data["comment"] == "fine" and event.data["team"] == "mlops-enablement"
