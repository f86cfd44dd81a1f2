"""The request form asks what routing needs; the form and the service both validate it."""

import pytest

from portal.onboarding.details import InvalidDetails, clean_details
from portal.onboarding.models import OnboardingRequest
from portal.onboarding.services import submit_new_request
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
GOOD = {"title": "My VM", "data_classification": "confidential", "business_justification": "training data prep",
        "cost_centre": "cc-42", "expected_duration_days": "90", "v-name": "churn-vm", "v-instance_type": "t3.large",
        "v-disk_size_gb": "40", "v-purpose": "features"}


def test_the_form_asks_and_stores_the_details(client, demo):
    client.force_login(demo.people["requester"])
    page = client.get("/requests/new/cpu-vm/").content.decode()
    for label in ("Data classification", "Business justification", "Cost centre", "Expected duration"):
        assert label in page
    response = client.post("/requests/new/cpu-vm/", {**GOOD, "team": demo.teams["churn-modelling"].pk})
    assert response.status_code == 302
    request = OnboardingRequest.objects.get()
    assert (request.data_classification, request.cost_centre, request.expected_duration_days) == (
        "confidential", "CC-42", 90)
    assert {s.team.slug for s in request.stages.all()} == {"mlops-enablement", "infosec"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("data_classification", "secret", "valid choice"),
    ("business_justification", "", "required"),
    ("cost_centre", "cc 42; drop", "capital letters"),
    ("expected_duration_days", "9999", "valid choice"),
])
def test_bad_details_are_refused_by_the_server(client, demo, field, value, message):
    client.force_login(demo.people["requester"])
    response = client.post("/requests/new/cpu-vm/", {**GOOD, field: value, "team": demo.teams["churn-modelling"].pk})
    assert response.status_code == 400 and message in response.content.decode()
    assert not OnboardingRequest.objects.exists()


@pytest.mark.parametrize(("details", "field"), [
    ({"data_classification": "top-secret"}, "data_classification"),
    ({"cost_centre": "no spaces allowed"}, "cost_centre"),
    ({"expected_duration_days": 0}, "expected_duration_days"),
    ({"expected_duration_days": True}, "expected_duration_days"),
    ({"requester": 1}, "requester"),
    ({"business_justification": "approve \u202eme"}, "business_justification"),
])
def test_the_service_validates_details_too(demo, details, field):
    with pytest.raises(InvalidDetails) as error:
        submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="VM",
                           items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)], details=details)
    assert field in error.value.errors
    assert not OnboardingRequest.objects.exists()


def test_clean_details_normalises():
    assert clean_details({"cost_centre": " cc-1 ", "business_justification": "  why  "}) == {
        "cost_centre": "CC-1", "business_justification": "why"}
