"""Who sees what: anonymous, another team, the requesting team, the deciding steering team, staff."""

import pytest

from portal.onboarding.services import submit_new_request
from tests.fixtures.people import CPU_VM_VALUES


@pytest.fixture
def request_obj(demo):
    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                              title="VM for churn", items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])


@pytest.mark.parametrize("path", ["/catalog/", "/requests/", "/approvals/", "/requests/new/cpu-vm/"])
def test_anonymous_is_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(("who", "status"), [
    ("requester", 200), ("approver", 200), ("admin", 200), ("outsider", 404), ("finance", 404),
])
def test_request_page_visibility(client, demo, request_obj, make_user, who, status):
    if who == "outsider":
        user = make_user("outsider", team=demo.teams["churn-modelling"].__class__.objects.create(
            name="Other team", slug="other-team"))
    elif who == "finance":
        user = make_user("fin", team=demo.teams["finance"])
    else:
        user = demo.people[who]
    client.force_login(user)
    response = client.get(f"/requests/{request_obj.pk}/")
    assert response.status_code == status
    if status == 200:
        assert "VM for churn" in response.content.decode()


def test_queue_shows_only_stages_i_may_decide(client, demo, request_obj, make_user):
    client.force_login(demo.people["approver"])
    assert "VM for churn" in client.get("/approvals/").content.decode()
    client.force_login(make_user("fin", team=demo.teams["finance"]))
    assert "VM for churn" not in client.get("/approvals/").content.decode()


def test_deciding_someone_elses_stage_by_post_is_refused(client, demo, request_obj, make_user):
    client.force_login(make_user("fin", team=demo.teams["finance"]))  # no Finance stage: cannot see it
    stage = request_obj.stages.get()
    response = client.post(f"/approvals/stages/{stage.pk}/decide/", {"outcome": "approve"}, follow=True)
    assert response.status_code == 404 and "MLOps" not in response.content.decode()
    client.force_login(make_user("mate", team=demo.teams["churn-modelling"]))  # sees it, may not decide it
    response = client.post(f"/approvals/stages/{stage.pk}/decide/", {"outcome": "approve"}, follow=True)
    assert response.status_code == 403 and "the requesting team" in response.content.decode()
    request_obj.refresh_from_db()
    assert request_obj.status == "in_review"


def test_bad_form_post_keeps_what_was_typed_and_saves_nothing(client, demo):
    from portal.onboarding.models import OnboardingRequest

    client.force_login(demo.people["requester"])
    response = client.post("/requests/new/cpu-vm/", {
        "title": "My VM", "team": demo.teams["churn-modelling"].pk, "v-name": "Bad Name",
        "v-instance_type": "t3.large", "v-disk_size_gb": "9999", "v-purpose": "typed text stays",
    })
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 2000" in page
    assert "lowercase letters" in page
    assert "typed text stays" in page and 'value="My VM"' in page
    assert not OnboardingRequest.objects.exists()


def test_progress_fragment_polls_only_while_live(client, demo, request_obj):
    client.force_login(demo.people["requester"])
    fragment = client.get(f"/requests/{request_obj.pk}/progress/").content.decode()
    assert "In review" in fragment and "hx-trigger" not in fragment
