"""The approver's queue: only what they may decide, markers, plan preview, filters, sort, pages,
bulk approval of low-risk items, and a constant number of SQL queries per page."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.approvals.models import ApprovalStage
from portal.onboarding.models import OnboardingRequest, RequestItem
from portal.onboarding.services import record_decision
from provisioning.models import Run, Workspace
from tests.approvals.conftest import GPU_VALUES, stage_of
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
PLAN = {"add": 2, "change": 0, "destroy": 0, "resources": [
    {"address": "aws_instance.this", "type": "aws_instance", "actions": ["create"]},
    {"address": "aws_ebs_volume.data", "type": "aws_ebs_volume", "actions": ["create"]}]}


def queue_page(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/approvals/{query}")
    assert response.status_code == 200
    return response.content.decode()


def shown(page) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-stage="(\d+)"', page)]


@pytest.fixture
def gpu_confidential(submit, gpu_version):
    return submit(gpu_version, GPU_VALUES, data_classification="confidential", title="GPU for PII")


def test_each_approver_sees_only_what_they_may_decide(client, demo, gpu_confidential, submit):
    cpu = submit(title="Plain VM")
    people = demo.people
    assert set(shown(queue_page(client, people["approver"]))) == {
        stage_of(gpu_confidential, "mlops-enablement").pk, stage_of(cpu, "mlops-enablement").pk}
    assert shown(queue_page(client, people["infosec-approver"])) == [stage_of(gpu_confidential, "infosec").pk]
    assert shown(queue_page(client, people["finance-approver"])) == []  # Finance's group is not open yet
    assert shown(queue_page(client, people["requester"])) == []
    record_decision(stage=stage_of(gpu_confidential, "mlops-enablement"), actor=people["approver"], outcome="approve")
    assert shown(queue_page(client, people["approver"])) == [stage_of(cpu, "mlops-enablement").pk]


def test_a_row_shows_cost_risks_sla_and_the_plan(client, demo, gpu_confidential):
    item = gpu_confidential.items.get()
    Run.objects.filter(item=item, action="plan").update(status="succeeded", plan_summary=PLAN)
    page = queue_page(client, demo.people["approver"])
    assert "GPU for PII" in page and "GPU" in page and "Confidential data" in page
    assert f"${gpu_confidential.estimated_monthly_cost}/month" in page
    assert "+2 to add, ~0 to change, −0 to destroy" in page
    assert "aws_instance.this" in page and "aws_ebs_volume" in page
    assert "on time" in page and "approvals 0 of 1" in page
    assert 'name="stages"' not in page  # a risky request cannot be bulk-approved
    detail = client.get(f"/requests/{gpu_confidential.pk}/").content.decode()  # the approver's view of it
    assert "Plan: +2 to add, ~0 to change, −0 to destroy" in detail and "aws_ebs_volume.data" in detail
    assert f"${gpu_confidential.estimated_monthly_cost}/month" in detail


def test_a_pending_plan_says_so(client, demo, submit):
    submit()
    assert "plan preview queued" in queue_page(client, demo.people["approver"])


def make_requests(demo, count, *, cost=Decimal("100"), gpu=False, classification="internal", overdue=False):
    """Many requests in review with an open MLOps stage and a finished plan each, written in bulk."""
    now, team, requester = timezone.now(), demo.teams["churn-modelling"], demo.people["requester"]
    requests = OnboardingRequest.objects.bulk_create([OnboardingRequest(
        team=team, requester=requester, title=f"bulk {i}", status="in_review", submitted_at=now,
        estimated_monthly_cost=cost, data_classification=classification, routing_facts={"any_gpu": gpu})
        for i in range(count)])
    items = RequestItem.objects.bulk_create([RequestItem(request=r, template_version=demo.versions["cpu-vm"],
                                                         values=CPU_VM_VALUES) for r in requests])
    spaces = Workspace.objects.bulk_create([Workspace(key=f"item-{i.pk}") for i in items])
    Run.objects.bulk_create([Run(item=i, workspace=w, action="plan", engine="terraform", module="cpu_vm",
                                 status="succeeded", plan_summary=PLAN) for i, w in zip(items, spaces, strict=True)])
    due = now - timedelta(hours=1) if overdue else now + timedelta(hours=40)
    ApprovalStage.objects.bulk_create([ApprovalStage(
        request=r, team=demo.teams["mlops-enablement"], reason="bulk", status="pending", opened_at=now,
        due_at=due, remind_at=due - timedelta(hours=12)) for r in requests])
    return requests


def test_a_page_costs_the_same_queries_at_10_and_1000_rows(client, demo, django_assert_max_num_queries):
    client.force_login(demo.people["approver"])
    make_requests(demo, 10)
    with CaptureQueriesContext(connection) as small:
        assert len(shown(client.get("/approvals/").content.decode())) == 10
    make_requests(demo, 1000, gpu=True)
    with django_assert_max_num_queries(len(small)), CaptureQueriesContext(connection) as large:
        page = client.get("/approvals/?sort=cost").content.decode()
    assert len(shown(page)) == 25 and "Page 1 of 41" in page
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    print(f"queue page: {len(small)} queries at 10 rows, {len(large)} at 1010 rows")


def test_filters_sort_and_pages(client, demo):
    cheap = make_requests(demo, 3, cost=Decimal("50"))
    gpu = make_requests(demo, 2, cost=Decimal("900"), gpu=True)
    secret = make_requests(demo, 2, cost=Decimal("300"), classification="restricted")
    dear = make_requests(demo, 1, cost=Decimal("5000"))
    late = make_requests(demo, 2, cost=Decimal("60"), overdue=True)
    approver = demo.people["approver"]

    def requests(query):
        stages = ApprovalStage.objects.in_bulk(shown(queue_page(client, approver, query)))
        return {stages[pk].request_id for pk in stages}

    ids = lambda group: {r.pk for r in group}  # noqa: E731
    assert requests("?risk=gpu") == ids(gpu)
    assert requests("?risk=confidential") == ids(secret)
    assert requests("?risk=high_cost") == ids(dear)
    assert requests("?risk=low") == ids(cheap) | ids(late)
    assert requests("?overdue=on") == ids(late)
    everything = ids(cheap) | ids(gpu) | ids(secret) | ids(dear) | ids(late)
    assert requests("?team=mlops-enablement") == everything
    assert requests("?team=finance&sort=drop+table") == everything  # not my team, no such sort: ignored
    by_cost = shown(queue_page(client, approver, "?sort=cost"))
    assert ApprovalStage.objects.get(pk=by_cost[0]).request_id == dear[0].pk
    assert "overdue" in queue_page(client, approver, "?overdue=on")
    make_requests(demo, 20)
    page_two = queue_page(client, approver, "?sort=age&page=2")
    assert len(shown(page_two)) == 30 - 25 and "Page 2 of 2" in page_two


def test_bulk_approve_low_risk_only_reporting_each_item(client, demo, submit, gpu_confidential, make_user):
    low = [submit(title=f"low {i}") for i in range(2)]
    someone_elses = submit(title="decided by someone else")
    ApprovalStage.objects.filter(request=someone_elses).update(status="approved")
    stages = [stage_of(r, "mlops-enablement").pk for r in low]
    risky = stage_of(gpu_confidential, "mlops-enablement").pk
    client.force_login(demo.people["approver"])
    response = client.post("/approvals/bulk-approve/", {
        "stages": [*stages, risky, someone_elses.stages.get().pk, 999999], "comment": "routine"}, follow=True)
    page = response.content.decode()
    for request in low:
        request.refresh_from_db()
        assert request.status == "provisioning"
        assert f"Request #{request.pk}: Approved." in page
    assert f"Request #{gpu_confidential.pk}: Not low risk (gpu, confidential)" in page
    assert f"Request #{someone_elses.pk}: This stage has already been decided." in page
    assert "Stage 999999: No such approval stage." in page
    gpu_confidential.refresh_from_db()
    assert gpu_confidential.status == "in_review"


def test_bulk_approve_goes_through_segregation_of_duties(client, demo, make_user):
    from portal.teams.models import Membership

    outsider = make_user("outsider", team=demo.teams["finance"])
    mine = make_requests(demo, 1)[0]
    OnboardingRequest.objects.filter(pk=mine.pk).update(requester=demo.people["approver"])
    client.force_login(outsider)
    page = client.post("/approvals/bulk-approve/", {"stages": [mine.stages.get().pk]}, follow=True).content.decode()
    assert "Only members of MLOps enablement" in page
    Membership.objects.create(team=demo.teams["mlops-enablement"], user=outsider)
    client.force_login(demo.people["approver"])
    page = client.post("/approvals/bulk-approve/", {"stages": [mine.stages.get().pk]}, follow=True).content.decode()
    assert "your own request" in page


@pytest.mark.parametrize("path", ["/approvals/bulk-approve/", "/approvals/stages/1/decide/"])
def test_decisions_are_posts_only(client, demo, path):
    client.force_login(demo.people["approver"])
    assert client.get(path).status_code == 405


def test_decide_by_post_with_request_changes(client, demo, submit):
    request = submit()
    client.force_login(demo.people["approver"])
    stage = request.stages.get()
    page = client.post(f"/approvals/stages/{stage.pk}/decide/", {"outcome": "request_changes"},
                       follow=True).content.decode()
    assert "Say what should change" in page
    client.post(f"/approvals/stages/{stage.pk}/decide/", {"outcome": "request_changes", "comment": "smaller disk",
                                                          "next": "https://evil.example/"})
    request.refresh_from_db()
    assert request.status == "changes_requested"
