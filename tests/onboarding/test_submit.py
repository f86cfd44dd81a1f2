import pytest

from portal.core.errors import PermissionDenied
from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.services import InvalidValues, submit_new_request
from tests.fixtures.people import CPU_VM_VALUES


def test_submit_opens_the_mlops_stage_and_queues_only_a_plan_preview(demo, django_capture_on_commit_callbacks,
                                                                     monkeypatch):
    from provisioning.models import Run

    enqueued = []
    monkeypatch.setattr("provisioning.services.send_run_task", lambda pk, **kw: enqueued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                                     title="VM", items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])
    assert request.status == RequestStatus.IN_REVIEW
    assert [s.team.slug for s in request.stages.all()] == ["mlops-enablement"]
    plan = Run.objects.get(item__request=request)  # nothing is applied before approval
    assert plan.action == "plan" and enqueued == [plan.pk]


def test_invalid_values_save_nothing(demo):
    bad = {**CPU_VM_VALUES, "instance_type": "p4d.24xlarge", "disk_size_gb": 1}
    with pytest.raises(InvalidValues) as error:
        submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                           title="VM", items=[(demo.versions["cpu-vm"], bad)])
    assert set(error.value.errors) == {"instance_type", "disk_size_gb"}
    assert not OnboardingRequest.objects.exists()


def test_cannot_request_for_another_team(demo, make_user):
    outsider = make_user("outsider")
    with pytest.raises(PermissionDenied):
        submit_new_request(actor=outsider, team=demo.teams["churn-modelling"], title="VM",
                           items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])
    assert not OnboardingRequest.objects.exists()
