"""Delegation while an approver is away: the delegate decides, recorded on behalf of the member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.approvals.delegations import create_delegation, end_delegation
from portal.approvals.models import ApprovalStage
from portal.approvals.selectors import queue_for
from portal.audit.models import AuditEvent
from portal.core.errors import ApplicationError, PermissionDenied
from portal.onboarding.services import record_decision
from tests.approvals.conftest import GPU_VALUES, stage_of

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


@pytest.fixture
def away(demo, make_user):
    """The MLOps approver is away; ``stand-in`` (in no steering team) decides for them."""
    stand_in = make_user("stand-in")
    now = timezone.now()
    delegation = create_delegation(actor=demo.people["approver"], from_user=demo.people["approver"],
                                   to_user=stand_in, starts_at=now - HOUR, ends_at=now + 24 * HOUR, reason="leave")
    return stand_in, delegation


def test_the_delegate_decides_and_is_recorded_on_behalf_of_the_member(demo, submit, away):
    stand_in, _ = away
    request = submit()
    assert list(queue_for(stand_in)) == [request.stages.get()]
    decision = record_decision(stage=request.stages.get(), actor=stand_in, outcome="approve", comment="covering")
    assert (decision.actor, decision.on_behalf_of) == (stand_in, demo.people["approver"])
    event = AuditEvent.objects.get(verb="stage.approve")
    assert event.data["on_behalf_of"] == "approver" and event.actor == stand_in


def test_the_delegate_decides_after_others_decided_other_stages(demo, submit, away):
    stand_in, _ = away
    request = submit(data_classification="confidential")
    record_decision(stage=stage_of(request, "infosec"), actor=demo.people["infosec-approver"], outcome="approve")
    assert list(queue_for(stand_in)) == [stage_of(request, "mlops-enablement")]
    decision = record_decision(stage=stage_of(request, "mlops-enablement"), actor=stand_in, outcome="approve")
    assert decision.on_behalf_of == demo.people["approver"]


def test_no_delegation_outside_its_period(demo, submit, make_user):
    stand_in, now = make_user("stand-in"), timezone.now()
    create_delegation(actor=demo.people["approver"], from_user=demo.people["approver"], to_user=stand_in,
                      starts_at=now + HOUR, ends_at=now + 48 * HOUR)
    request = submit()
    assert list(queue_for(stand_in)) == []
    with pytest.raises(PermissionDenied, match="Only members"):
        record_decision(stage=request.stages.get(), actor=stand_in, outcome="approve")


def test_an_ended_delegation_stops_at_once(demo, submit, away):
    stand_in, delegation = away
    request = submit()
    end_delegation(actor=demo.people["approver"], delegation=delegation)
    assert list(queue_for(stand_in)) == []
    with pytest.raises(PermissionDenied):
        record_decision(stage=request.stages.get(), actor=stand_in, outcome="approve")
    assert list(AuditEvent.objects.filter(object_type="approvals.delegation").values_list("verb", flat=True)) == [
        "delegation.created", "delegation.ended"]


def test_a_delegate_cannot_decide_their_own_request(demo, away):
    from portal.onboarding.services import submit_new_request
    from portal.teams.models import Membership
    from tests.fixtures.people import CPU_VM_VALUES

    stand_in, _ = away
    Membership.objects.create(team=demo.teams["churn-modelling"], user=stand_in)
    request = submit_new_request(actor=stand_in, team=demo.teams["churn-modelling"], title="mine",
                                 items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])
    assert list(queue_for(stand_in)) == []
    with pytest.raises(PermissionDenied, match="your own request"):
        record_decision(stage=request.stages.get(), actor=stand_in, outcome="approve")


def test_a_delegate_of_the_requester_cannot_approve_for_them(demo, submit, make_user):
    from portal.teams.models import Membership

    requester, stand_in, now = demo.people["requester"], make_user("stand-in"), timezone.now()
    Membership.objects.create(team=demo.teams["mlops-enablement"], user=requester)
    create_delegation(actor=requester, from_user=requester, to_user=stand_in, starts_at=now - HOUR,
                      ends_at=now + HOUR)
    request = submit()
    assert list(queue_for(stand_in)) == []
    with pytest.raises(PermissionDenied):
        record_decision(stage=request.stages.get(), actor=stand_in, outcome="approve")


def test_member_and_delegate_count_as_one_person(demo, submit, away):
    """The away member approved already: their delegate cannot add a second approval for them."""
    stand_in, _ = away
    request = submit()
    ApprovalStage.objects.filter(request=request).update(required_approvals=2)
    record_decision(stage=request.stages.get(), actor=demo.people["approver"], outcome="approve")
    assert list(queue_for(stand_in)) == []
    with pytest.raises(PermissionDenied):
        record_decision(stage=request.stages.get(), actor=stand_in, outcome="approve")


def test_a_delegate_decides_one_stage_of_a_request(demo, submit, gpu_version, away):
    from portal.teams.models import Membership

    stand_in, _ = away
    Membership.objects.create(team=demo.teams["infosec"], user=stand_in)
    request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
    assert {s.team.slug for s in queue_for(stand_in)} == {"mlops-enablement", "infosec"}
    record_decision(stage=stage_of(request, "mlops-enablement"), actor=stand_in, outcome="approve")
    assert list(queue_for(stand_in)) == []
    with pytest.raises(PermissionDenied, match="another stage"):
        record_decision(stage=stage_of(request, "infosec"), actor=stand_in, outcome="approve")


@pytest.mark.parametrize(("change", "message"), [
    ({"to_user": "self"}, "someone else"),
    ({"ends_at": -2}, "after the start"),
    ({"starts_at": -10, "ends_at": -5}, "already past"),
    ({"ends_at": 24 * 200}, "at most"),
])
def test_bad_delegations_are_refused(demo, make_user, change, message):
    approver, now = demo.people["approver"], timezone.now()
    args = {"to_user": make_user("x"), "starts_at": now, "ends_at": now + 24 * HOUR}
    for key, value in change.items():
        args[key] = approver if value == "self" else now + value * HOUR
    with pytest.raises(ApplicationError, match=message):
        create_delegation(actor=approver, from_user=approver, **args)


def test_only_you_delegate_your_approvals(demo, make_user):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        create_delegation(actor=demo.people["requester"], from_user=demo.people["approver"],
                          to_user=demo.people["requester"], starts_at=now, ends_at=now + HOUR)


def test_delegation_page_creates_and_ends_by_post(client, demo, make_user):
    from portal.approvals.models import Delegation

    make_user("stand-in")
    client.force_login(demo.people["approver"])
    assert client.get("/approvals/delegations/").status_code == 200
    now = timezone.localtime()
    response = client.post("/approvals/delegations/", {
        "to_user": "stand-in", "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + 48 * HOUR).strftime("%Y-%m-%dT%H:%M"), "reason": "holiday"})
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert client.get(f"/approvals/delegations/{delegation.pk}/end/").status_code == 405
    client.force_login(make_user("stranger"))
    client.post(f"/approvals/delegations/{delegation.pk}/end/")
    delegation.refresh_from_db()
    assert delegation.ends_at > timezone.now()  # a stranger cannot end it
