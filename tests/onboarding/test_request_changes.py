"""Request changes → the requester edits (the schema form) and resubmits → earlier approvals void,
stages worked out again. Editing in review after an approval voids it too."""

import pytest

from portal.approvals.models import Decision
from portal.audit.selectors import events_for
from portal.core.errors import ApplicationError, PermissionDenied
from portal.onboarding.models import RequestStatus
from portal.onboarding.revisions import revise_request
from portal.onboarding.services import record_decision, submit_new_request
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
DETAILS = {"data_classification": "internal", "business_justification": "feature engineering",
           "cost_centre": "CC-7", "expected_duration_days": 90}


@pytest.fixture
def request_obj(demo):
    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="VM",
                              items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)], details=DETAILS)


def edit_post(item, **changes):
    values = {**CPU_VM_VALUES, **changes.pop("values", {})}
    data = {**DETAILS, **changes}
    data.update({f"item{item.pk}-{name}": value for name, value in values.items()})
    return data


def test_changes_requested_edit_and_resubmit_by_the_pages(client, demo, request_obj):
    stage = request_obj.stages.get()
    record_decision(stage=stage, actor=demo.people["approver"], outcome="request_changes", comment="disk too big")
    request_obj.refresh_from_db()
    assert request_obj.status == RequestStatus.CHANGES_REQUESTED
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{request_obj.pk}/").content.decode()
    assert "Edit and resubmit" in page and "disk too big" in page
    item = request_obj.items.get()
    form = client.get(f"/requests/{request_obj.pk}/edit/").content.decode()
    assert f'name="item{item.pk}-disk_size_gb"' in form and 'value="40"' in form  # the schema form, filled in

    bad = client.post(f"/requests/{request_obj.pk}/edit/", edit_post(item, values={"disk_size_gb": 5}))
    assert bad.status_code == 400
    response = client.post(f"/requests/{request_obj.pk}/edit/",
                           edit_post(item, values={"disk_size_gb": 25}, data_classification="confidential",
                                     comment="smaller disk"))
    assert response.status_code == 302
    request_obj.refresh_from_db()
    item.refresh_from_db()
    assert request_obj.status == RequestStatus.IN_REVIEW and item.values["disk_size_gb"] == 25
    stages = list(request_obj.stages.order_by("round", "id"))
    assert [(s.round, s.team.slug, s.status) for s in stages] == [
        (1, "mlops-enablement", "void"), (2, "infosec", "pending"), (2, "mlops-enablement", "pending")]
    assert Decision.objects.get().status == "void"  # kept for the record
    verbs = [e.verb for e in events_for(request_obj)]
    assert "request.edited" in verbs and "approvals.voided" in verbs
    page = client.get(f"/requests/{request_obj.pk}/").content.decode()
    assert "Review round 1" in page and "smaller disk" in page


def test_editing_in_review_voids_earlier_approvals(demo, confidential_request):
    """One stage approved, another still open: an edit voids the approval and routes afresh."""
    request = confidential_request
    record_decision(stage=request.stages.get(team__slug="infosec"), actor=demo.people["infosec-approver"],
                    outcome="approve")
    item = request.items.get()
    revise_request(request=request, actor=demo.people["requester"],
                   item_values={item.pk: {**CPU_VM_VALUES, "disk_size_gb": 60}})
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_REVIEW
    assert Decision.objects.get().status == "void"
    current = request.stages.filter(round=2)
    assert {s.team.slug for s in current} == {"mlops-enablement", "infosec"}
    assert all(s.status == "pending" for s in current)
    # The InfoSec approver may decide the new round: the void decision does not count against them.
    record_decision(stage=current.get(team__slug="infosec"), actor=demo.people["infosec-approver"],
                    outcome="approve")


@pytest.fixture
def confidential_request(demo):
    """Confidential data: MLOps and InfoSec review in parallel."""
    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="PII VM",
                              items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)],
                              details={**DETAILS, "data_classification": "confidential"})


def test_only_the_requester_edits(demo, request_obj, client, make_user):
    item = request_obj.items.get()
    teammate = make_user("teammate", team=demo.teams["churn-modelling"])
    with pytest.raises(PermissionDenied):
        revise_request(request=request_obj, actor=teammate, item_values={item.pk: CPU_VM_VALUES})
    client.force_login(teammate)
    assert client.get(f"/requests/{request_obj.pk}/edit/").status_code == 403
    client.force_login(make_user("outsider"))
    assert client.get(f"/requests/{request_obj.pk}/edit/").status_code == 404


def test_an_approved_request_cannot_be_edited(demo, request_obj):
    record_decision(stage=request_obj.stages.get(), actor=demo.people["approver"], outcome="approve")
    item = request_obj.items.get()
    with pytest.raises(ApplicationError, match="cannot be edited"):
        revise_request(request=request_obj, actor=demo.people["requester"],
                       item_values={item.pk: {**CPU_VM_VALUES, "disk_size_gb": 99}})


def test_values_are_validated_and_foreign_items_refused(demo, request_obj):
    from portal.onboarding.services import InvalidValues

    item = request_obj.items.get()
    with pytest.raises(InvalidValues):
        revise_request(request=request_obj, actor=demo.people["requester"],
                       item_values={item.pk: {**CPU_VM_VALUES, "instance_type": "p4d.24xlarge"}})
    with pytest.raises(ApplicationError, match="not part of this request"):
        revise_request(request=request_obj, actor=demo.people["requester"], item_values={item.pk + 999: {}})


def test_an_edit_that_changes_nothing_in_review_is_refused(demo, request_obj):
    item = request_obj.items.get()
    with pytest.raises(ApplicationError, match="Nothing changed"):
        revise_request(request=request_obj, actor=demo.people["requester"], item_values={item.pk: CPU_VM_VALUES})
    assert request_obj.stages.get().status == "pending"
