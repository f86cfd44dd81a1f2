import pytest

from portal.core.errors import ApplicationError, Conflict
from portal.onboarding.models import TRANSITIONS, OnboardingRequest, RequestStatus
from portal.onboarding.services import move_request as _transition

ALL = list(RequestStatus)


def make_request(demo, status):
    request = OnboardingRequest.objects.create(
        team=demo.teams["churn-modelling"], requester=demo.people["requester"], title="t"
    )
    OnboardingRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()
    return request


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_only_mapped_transitions_are_allowed(demo, old, new):
    request = make_request(demo, old)
    if new in TRANSITIONS[old]:
        _transition(request, new, actor=None)
        assert OnboardingRequest.objects.get(pk=request.pk).status == new
    else:
        with pytest.raises(ApplicationError):
            _transition(request, new, actor=None)
        assert OnboardingRequest.objects.get(pk=request.pk).status == old


def test_every_state_has_a_transition_entry():
    assert set(TRANSITIONS) == set(RequestStatus)


def test_a_stale_copy_loses_the_race(demo):
    """Two holders of the same request: the second transition is refused, not applied twice."""
    first = make_request(demo, RequestStatus.APPROVED)
    second = OnboardingRequest.objects.get(pk=first.pk)
    _transition(first, RequestStatus.PROVISIONING, actor=None)
    with pytest.raises(Conflict):
        _transition(second, RequestStatus.PROVISIONING, actor=None)


def test_transition_writes_an_audit_event(demo):
    from portal.audit.selectors import events_for

    request = make_request(demo, RequestStatus.APPROVED)
    _transition(request, RequestStatus.PROVISIONING, actor=demo.people["approver"])
    event = events_for(request).get()
    assert (event.verb, event.actor, event.data) == ("request.provisioning", demo.people["approver"],
                                                     {"from": "approved"})
