"""A migrated product's one-click environment request reaches active in the sandbox (real worker,
Terraform, moto), and the product's parallel run starts."""

import pytest

from portal.migration.models import DataProduct
from portal.migration.seed import ensure_decision_tree, ensure_environment_mappings
from portal.migration.services import create_product, propose_triage
from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.services import record_decision, submit_triage_review
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rehosted_product_gets_its_environment_in_one_click_and_starts_its_parallel_run(
    client, demo, celery_worker_process, sandbox_client
):
    ensure_decision_tree()
    ensure_environment_mappings()
    requester, approver = demo.people["requester"], demo.people["approver"]
    product = create_product(actor=requester, team=demo.teams["churn-modelling"], data={
        "name": "churn-notebook", "kind": "notebook", "owner": "ana@example.org", "current_platform": "JupyterHub",
        "languages": ["Python"], "cadence": "daily", "data_sources": [], "criticality": "low",
        "regulatory_constraints": "", "complexity": "low", "depends_on": [], "in_use": True,
        "commercial_alternative": False, "cores": 2, "memory_gb": 8, "gpus": 0, "hours_per_week": 10})
    triage = propose_triage(actor=requester, product=product)
    assert triage.proposed_r == "rehost"
    review = submit_triage_review(actor=requester, triage=triage, chosen_r="rehost")
    record_decision(stage=review.stages.get(), actor=approver, outcome="approve")

    client.force_login(requester)
    response = client.post(f"/migrations/products/{product.pk}/environment/")  # the one click
    draft = OnboardingRequest.objects.get(migration_product=product)
    assert response.url == f"/requests/{draft.pk}/draft/"
    values = draft.items.get().values
    assert values["instance_type"] == "t3.large"  # 2 cores, 8 GB: the smallest that fits
    form = {"action": "submit", "title": draft.title, "team": draft.team_id, "data_classification": "internal",
            "business_justification": draft.business_justification, "cost_centre": "CC-1",
            "expected_duration_days": "365", **{f"v-{name}": value for name, value in values.items()}}
    response = client.post(f"/requests/{draft.pk}/draft/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == RequestStatus.IN_REVIEW

    client.force_login(approver)
    assert f"#{draft.pk} Migration of churn-notebook" in client.get("/approvals/").content.decode()
    stage = draft.stages.get(status="pending")
    client.post(f"/approvals/stages/{stage.pk}/decide/", {"outcome": "approve", "comment": "go"})

    def settled():
        draft.refresh_from_db()
        return draft.status in (RequestStatus.ACTIVE, RequestStatus.FAILED)

    wait_for(settled, timeout=240, interval=2, what="the environment's apply")
    run = draft.items.get().runs.get(action="apply")
    assert draft.status == RequestStatus.ACTIVE, run.error
    instances = [i for r in sandbox_client("ec2").describe_instances(Filters=[
        {"Name": "tag:portal:request", "Values": [str(draft.pk)]}])["Reservations"] for i in r["Instances"]]
    assert [i["InstanceType"] for i in instances] == ["t3.large"]

    product.refresh_from_db()
    assert product.status == DataProduct.Status.PARALLEL_RUN
    assert product.parallel_run.environment_request_id == draft.pk
    client.force_login(requester)
    page = client.get(f"/migrations/products/{product.pk}/").content.decode()
    assert "Parallel run" in page and "Record cycle 1" in page and f"request #{draft.pk}" in page
