"""The request's door (the map and the race for every status field: tests/core/test_status_doors.py)."""

from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.services import move_request


def test_transition_writes_an_audit_event(demo):
    from portal.audit.selectors import events_for

    request = OnboardingRequest.objects.create(team=demo.teams["churn-modelling"],
                                               requester=demo.people["requester"], title="t")
    OnboardingRequest.objects.filter(pk=request.pk).update(status=RequestStatus.APPROVED)
    request.refresh_from_db()
    move_request(request, RequestStatus.PROVISIONING, actor=demo.people["approver"])
    event = events_for(request).get()
    assert (event.verb, event.actor, event.data) == ("request.provisioning", demo.people["approver"],
                                                     {"from": "approved"})
