"""A triage goes through the approval engine: the team confirms or overrides the proposed R (with a
justification), MLOps enablement decides it in the same queue, with the same segregation of duties and
audit, and the product follows the outcome."""

import re

import pytest

from portal.approvals.models import ApprovalStage
from portal.audit.selectors import events_for
from portal.migration.models import DataProduct, Triage
from portal.onboarding.models import OnboardingRequest, RequestStatus


def propose_and_send(client, product, *, chosen, justification=""):
    client.post(f"/migrations/products/{product.pk}/triage/")
    return client.post(f"/migrations/products/{product.pk}/triage/confirm/",
                       {"chosen_r": chosen, "justification": justification}, follow=True)


def test_the_team_overrides_with_a_reason_and_mlops_approves_it_from_the_queue(client, make_product, migration):
    product = make_product(languages=["SAS"])
    client.force_login(migration.people["requester"])
    page = client.get(f"/migrations/products/{product.pk}/").content.decode()
    assert "Triage it" in page
    refused = propose_and_send(client, product, chosen="rehost").content.decode()
    assert "Say why Rehost rather than Refactor (the reviewers read it)." in refused
    product.refresh_from_db()
    assert product.status == DataProduct.Status.CATALOGUED
    page = client.post(f"/migrations/products/{product.pk}/triage/confirm/", {
        "chosen_r": "rehost", "justification": "The SAS runtime is licensed in the cloud too."}, follow=True)
    text = page.content.decode()
    assert "It is written in SAS, which the cloud platform does not run." in text  # the reasons stay on the page
    assert "Triage sent to MLOps enablement for review." in text
    product.refresh_from_db()
    assert product.status == DataProduct.Status.IN_REVIEW
    review = OnboardingRequest.objects.get(kind="triage")
    assert review.status == RequestStatus.IN_REVIEW and review.triage.chosen_r == "rehost"
    assert [s.team.slug for s in review.stages.all()] == ["mlops-enablement"]  # only triage rules apply

    client.force_login(migration.people["approver"])
    detail = client.get(f"/requests/{review.pk}/").content.decode()
    assert "Migration triage of the data product" in detail and "licensed in the cloud too" in detail
    queue = client.get("/approvals/").content.decode()
    assert "Triage of churn-scoring: Rehost" in queue and "The SAS runtime is licensed in the cloud too." in queue
    stage_id = re.search(r"/approvals/stages/(\d+)/decide/", queue).group(1)
    client.post(f"/approvals/stages/{stage_id}/decide/", {"outcome": "approve", "comment": "ok"})
    product.refresh_from_db()
    review.refresh_from_db()
    assert (product.status, product.r) == (DataProduct.Status.TRIAGED, "rehost")
    assert review.status == RequestStatus.COMPLETED and review.triage.status == Triage.Status.APPROVED
    verbs = set(events_for(product).values_list("verb", flat=True))
    assert {"triage.proposed", "triage.in_review", "triage.approved", "product.triaged"} <= verbs
    assert "stage.approve" in set(events_for(review).values_list("verb", flat=True))


def test_a_sent_back_triage_returns_the_product_to_be_triaged_again(client, make_product, migration):
    from portal.onboarding.services import record_decision

    product = make_product()
    client.force_login(migration.people["requester"])
    propose_and_send(client, product, chosen="rehost")
    stage = ApprovalStage.objects.get(request__kind="triage")
    record_decision(stage=stage, actor=migration.people["approver"], outcome="request_changes",
                    comment="Check the dependencies first")
    product.refresh_from_db()
    assert product.status == DataProduct.Status.CATALOGUED and product.r == ""
    propose_and_send(client, product, chosen="rehost")  # a second triage replaces the first review
    first, second = OnboardingRequest.objects.filter(kind="triage").order_by("pk")
    assert (first.status, second.status) == (RequestStatus.WITHDRAWN, RequestStatus.IN_REVIEW)


def test_segregation_of_duties_holds_for_triage_reviews(client, make_product, migration, make_user):
    from portal.core.errors import PermissionDenied
    from portal.onboarding.services import record_decision

    both = make_user("both", team=migration.teams["churn-modelling"])
    from portal.teams.models import Membership

    Membership.objects.create(team=migration.teams["mlops-enablement"], user=both)
    product = make_product()
    client.force_login(migration.people["requester"])
    propose_and_send(client, product, chosen="rehost")
    stage = ApprovalStage.objects.get(request__kind="triage")
    for person in (migration.people["requester"], both):
        with pytest.raises(PermissionDenied):
            record_decision(stage=stage, actor=person, outcome="approve")


def test_withdrawing_a_triage_review_lets_the_team_triage_again(client, make_product, migration):
    product = make_product()
    client.force_login(migration.people["requester"])
    propose_and_send(client, product, chosen="rehost")
    review = OnboardingRequest.objects.get(kind="triage")
    client.post(f"/requests/{review.pk}/withdraw/")
    product.refresh_from_db()
    review.refresh_from_db()
    assert review.status == RequestStatus.WITHDRAWN and product.status == DataProduct.Status.CATALOGUED
