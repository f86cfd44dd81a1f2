"""Drafts: what was typed is kept (valid or not), only its requester sees it, review, submit, discard."""

import pytest

from portal.onboarding.models import OnboardingRequest
from tests.fixtures.people import REVIEW_DETAILS

BAD = {"title": "Half done", "v-name": "Bad Name", "v-instance_type": "t3.large", "v-disk_size_gb": "5",
       "v-purpose": ""}
GOOD = {"v-name": "churn-vm", "v-instance_type": "t3.large", "v-disk_size_gb": "40", "v-purpose": "notebooks"}


@pytest.fixture
def requester_client(client, demo):
    client.force_login(demo.people["requester"])
    return client


def post(client, url, data, demo, action):
    return client.post(url, {"team": demo.teams["churn-modelling"].pk, "action": action, **data})


def test_save_draft_keeps_what_was_typed_even_when_wrong(requester_client, demo):
    response = post(requester_client, "/requests/new/cpu-vm/", BAD, demo, "draft")
    draft = OnboardingRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/requests/{draft.pk}/draft/"
    assert draft.status == "draft" and draft.title == "Half done" and draft.requester == demo.people["requester"]
    assert draft.items.get().values == {"name": "Bad Name", "instance_type": "t3.large", "disk_size_gb": "5"}
    page = requester_client.get(response.url).content.decode()
    assert 'value="Bad Name"' in page and 'value="5"' in page and 'value="Half done"' in page
    assert "Draft saved" in page


def test_a_draft_is_seen_only_by_whoever_started_it(client, requester_client, demo, make_user):
    post(requester_client, "/requests/new/cpu-vm/", BAD, demo, "draft")
    draft = OnboardingRequest.objects.get()
    assert "Half done" in requester_client.get("/requests/").content.decode()
    assert requester_client.get(f"/requests/{draft.pk}/").url == f"/requests/{draft.pk}/draft/"
    teammate = make_user("teammate", team=demo.teams["churn-modelling"])
    for who in (teammate, demo.people["admin"], demo.people["approver"]):
        client.force_login(who)
        assert "Half done" not in client.get("/requests/").content.decode()
        for path in ("", "draft/", "review/", "progress/"):
            assert client.get(f"/requests/{draft.pk}/{path}").status_code == 404, (who, path)
        assert client.post(f"/requests/{draft.pk}/discard/").status_code == 404


def test_review_shows_values_cost_and_the_teams_that_will_approve_then_submits(requester_client, demo):
    data = {"title": "GPU box", **REVIEW_DETAILS, "v-name": "churn-gpu", "v-instance_type": "g5.xlarge",
            "v-disk_size_gb": "200", "v-purpose": "training"}
    response = post(requester_client, "/requests/new/gpu-vm/", data, demo, "review")
    draft = OnboardingRequest.objects.get()
    assert response.url == f"/requests/{draft.pk}/review/" and draft.status == "draft"
    page = requester_client.get(response.url).content.decode()
    assert "g5.xlarge" in page and "CC-1042" in page and "3 months" in page
    assert 'data-stage-team="mlops-enablement"' in page and 'data-stage-team="finance"' in page
    assert "Estimated cost" in page
    response = requester_client.post(f"/requests/{draft.pk}/review/")
    assert response.status_code == 302 and response.url == f"/requests/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == "in_review" and draft.stages.count() == 2
    assert "Waiting for MLOps enablement" in requester_client.get(response.url).content.decode()
    assert requester_client.get(f"/requests/{draft.pk}/review/").url == f"/requests/{draft.pk}/"


def test_an_incomplete_draft_cannot_be_submitted_from_review(requester_client, demo):
    post(requester_client, "/requests/new/cpu-vm/", BAD, demo, "draft")
    draft = OnboardingRequest.objects.get()
    for response in (requester_client.get(f"/requests/{draft.pk}/review/"),
                     requester_client.post(f"/requests/{draft.pk}/review/")):
        page = response.content.decode()
        assert response.status_code == 400 and "still need attention" in page and "lowercase letters" in page
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_continuing_a_draft_updates_it_and_can_submit(requester_client, demo):
    post(requester_client, "/requests/new/cpu-vm/", BAD, demo, "draft")
    draft = OnboardingRequest.objects.get()
    response = post(requester_client, f"/requests/{draft.pk}/draft/",
                    {"title": "Done now", **REVIEW_DETAILS, **GOOD}, demo, "review")
    assert response.url == f"/requests/{draft.pk}/review/"
    draft.refresh_from_db()
    assert draft.title == "Done now" and draft.items.get().values["disk_size_gb"] == 40
    assert OnboardingRequest.objects.count() == 1


def test_review_with_bad_values_shows_them_and_saves_nothing(requester_client, demo):
    response = post(requester_client, "/requests/new/cpu-vm/", {**BAD, **REVIEW_DETAILS}, demo, "review")
    assert response.status_code == 400 and 'value="Bad Name"' in response.content.decode()
    assert not OnboardingRequest.objects.exists()


def test_discard_deletes_the_draft(requester_client, demo):
    post(requester_client, "/requests/new/cpu-vm/", BAD, demo, "draft")
    draft = OnboardingRequest.objects.get()
    response = requester_client.post(f"/requests/{draft.pk}/discard/", follow=True)
    assert "discarded" in response.content.decode() and not OnboardingRequest.objects.exists()


def test_inline_check_returns_the_messages_of_one_field(requester_client, demo):
    gpu = demo.versions["gpu-vm"]
    base = {"section": f"v:{gpu.pk}", "v-name": "Bad Name", "v-disk_size_gb": "10", "title": "",
            "v-instance_type": "g5.xlarge"}
    for field, expected in [("v-name", "lowercase letters"), ("v-disk_size_gb", "greater than or equal to 50"),
                            ("title", "required"), ("v-instance_type", "")]:
        page = requester_client.post("/requests/check-field/", {**base, "_field": field}).content.decode()
        assert (expected in page) if expected else "errorlist" not in page, field
    page = requester_client.post("/requests/check-field/", {**base, "_field": "nonsense"})
    assert page.status_code == 200 and "errorlist" not in page.content.decode()
