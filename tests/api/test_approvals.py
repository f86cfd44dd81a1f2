"""Approvals through the API: the queue holds only what the caller may decide; deciding is the page's
decision (segregation of duties, delegation, comments); delegations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.approvals.delegations import create_delegation
from portal.approvals.models import ApprovalStage, Decision, Delegation
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import submit_new_request
from portal.teams.models import Membership
from provisioning.models import Run
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
DETAILS = {"data_classification": "internal", "business_justification": "train churn models",
           "cost_centre": "CC-1", "expected_duration_days": 90}
HOUR = timedelta(hours=1)


def submit(demo, *, title="VM", name="churn-vm", team="churn-modelling", requester="requester", **details):
    return submit_new_request(actor=demo.people[requester], team=demo.teams[team], title=title,
                              items=[(demo.versions["cpu-vm"], {**CPU_VM_VALUES, "name": name})],
                              details={**DETAILS, **details})


def decide_url(stage) -> str:
    return f"/api/v1/approvals/{stage.pk}/decide"


def request_page(client, user, request) -> str:
    client.force_login(user)
    answer = client.get(f"/requests/{request.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


# -- the queue ----------------------------------------------------------------------------------


def test_the_queue_shows_the_stages_the_caller_may_decide_with_their_request(mlops_only, api_as):
    demo = mlops_only
    request = submit(demo, title="Churn VM")
    stage = request.stages.get()
    body = api_as(demo.people["approver"], scopes=["read"]).get("/api/v1/approvals").json()
    assert body["next"] is None and body["previous"] is None
    [row] = body["results"]
    assert row["id"] == stage.pk and row["team"] == "mlops-enablement" and row["status"] == "pending"
    assert row["request"]["id"] == request.pk and row["request"]["title"] == "Churn VM"
    assert row["request"]["team"] == "churn-modelling" and row["request"]["requester"] == "requester"
    assert row["request"]["estimated_monthly_cost"] == f"{request.estimated_monthly_cost:.2f}"
    assert row["round"] == 1 and row["overdue"] is False and row["due_at"] and row["opened_at"]
    assert row["plan_ready"] is False  # the plan preview is queued, not done


def test_the_plan_is_ready_once_every_items_newest_plan_succeeded(mlops_only, api_as):
    demo = mlops_only
    request = submit(demo)
    Run.objects.filter(item__request=request, action="plan").update(status="succeeded")
    [row] = api_as(demo.people["approver"]).get("/api/v1/approvals").json()["results"]
    assert row["plan_ready"] is True


def test_nobody_sees_in_their_queue_what_they_may_not_decide(mlops_only, api_as, make_user):
    demo = mlops_only
    submit(demo)
    # the requester; a member of the steering team who is also in the requesting team; another steering team
    both = make_user("both", team=demo.teams["mlops-enablement"])
    Membership.objects.create(team=demo.teams["churn-modelling"], user=both)
    for person in (demo.people["requester"], both, demo.people["finance-approver"]):
        answer = api_as(person).get("/api/v1/approvals")
        assert answer.status_code == 200 and answer.json()["results"] == [], person


def test_the_queue_filters_as_the_page_does(mlops_only, api_as):
    demo = mlops_only
    late, on_time = submit(demo, title="late", name="late-vm"), submit(demo, title="on time", name="on-time-vm")
    ApprovalStage.objects.filter(request=late).update(due_at=timezone.now() - HOUR)
    client = api_as(demo.people["approver"])
    overdue = client.get("/api/v1/approvals?overdue=true").json()["results"]
    assert [(row["request"]["id"], row["overdue"]) for row in overdue] == [(late.pk, True)]
    newest_first = client.get("/api/v1/approvals?sort=-age").json()["results"]
    assert [row["request"]["id"] for row in newest_first] == [on_time.pk, late.pk]
    assert client.get("/api/v1/approvals?team=finance").json()["results"] == []
    assert client.get("/api/v1/approvals?risk=confidential").json()["results"] == []
    assert len(client.get("/api/v1/approvals?risk=low&team=mlops-enablement").json()["results"]) == 2


@pytest.mark.parametrize(("query", "pointer"), [
    ("risk=scary", "/risk"), ("sort=random", "/sort"), ("overdue=perhaps", "/overdue"), ("team=no%20slug", "/team"),
])
def test_bad_queue_filters_are_problems(mlops_only, api_as, query, pointer):
    submit(mlops_only)
    answer = api_as(mlops_only.people["approver"]).get(f"/api/v1/approvals?{query}")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]


def test_a_page_beyond_the_queue_is_a_404_problem(mlops_only, api_as):
    submit(mlops_only)
    answer = api_as(mlops_only.people["approver"]).get("/api/v1/approvals?page=x")
    assert answer.status_code == 404 and answer.json()["detail"] == "Invalid page."


def test_the_queue_reads_the_same_number_of_queries_for_one_stage_or_many(
        mlops_only, api_as, django_assert_max_num_queries):
    demo = mlops_only
    first = submit(demo, name="vm-0")
    Run.objects.filter(item__request=first, action="plan").update(status="succeeded")
    client = api_as(demo.people["approver"])
    client.get("/api/v1/approvals")  # what is read once per process (content types, permissions…)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/approvals").json()["results"]) == 1
    for n in range(1, 7):
        submit(demo, name=f"vm-{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = client.get("/api/v1/approvals").json()["results"]
    assert len(rows) == 7 and [row["plan_ready"] for row in rows] == [True] + [False] * 6


# -- deciding -----------------------------------------------------------------------------------


def test_an_approval_through_the_api_is_what_the_request_page_shows(mlops_only, api_as, client):
    demo = mlops_only
    request = submit(demo)
    stage = request.stages.get()
    answer = api_as(demo.people["approver"], scopes=["read", "approve"]).post(
        decide_url(stage), {"decision": "approve", "comment": "fine by us"}, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["stage"]["id"] == stage.pk and body["stage"]["status"] == "approved"
    assert body["stage"]["team"] == "mlops-enablement" and body["stage"]["round"] == 1
    [decision] = body["stage"]["decisions"]
    assert (decision["actor"], decision["outcome"], decision["comment"]) == ("approver", "approve", "fine by us")
    request.refresh_from_db()
    assert body["request_status"] == request.status == RequestStatus.PROVISIONING
    page = request_page(client, demo.people["requester"], request)
    assert "— approve: “fine by us”" in page and "status-approved" in page


def test_a_rejection_needs_a_comment_and_then_shows_on_the_request_page(mlops_only, api_as, client):
    demo = mlops_only
    request = submit(demo)
    stage = request.stages.get()
    approver = api_as(demo.people["approver"], scopes=["approve"])
    refused = approver.post(decide_url(stage), {"decision": "reject", "comment": "   "}, format="json")
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"] == [{"pointer": "/comment", "detail": "Say why you reject the request."}]
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_REVIEW and not Decision.objects.exists()

    answer = approver.post(decide_url(stage), {"decision": "reject", "comment": "use a smaller VM"}, format="json")
    assert answer.status_code == 200 and answer.json()["request_status"] == "rejected"
    assert answer.json()["stage"]["status"] == "rejected"
    page = request_page(client, demo.people["requester"], request)
    assert "Rejected by approver for" in page and "use a smaller VM" in page


@pytest.mark.parametrize(("body", "pointer"), [
    ({"decision": "shrug"}, "/decision"), ({}, "/decision"), ({"decision": "approve", "comment": 12 * "x" * 200},
                                                               "/comment"),
    ({"decision": "approve", "comment": "ok\u202e"}, "/comment"),
])
def test_a_bad_decision_is_a_problem_and_decides_nothing(mlops_only, api_as, body, pointer):
    request = submit(mlops_only)
    answer = api_as(mlops_only.people["approver"]).post(decide_url(request.stages.get()), body, format="json")
    assert answer.status_code == 400 and [e["pointer"] for e in answer.json()["errors"]] == [pointer]
    assert not Decision.objects.exists()


def test_a_member_of_the_requesting_team_is_refused_with_the_services_reason(mlops_only, api_as):
    demo = mlops_only
    request = submit(demo)
    Membership.objects.create(team=demo.teams["churn-modelling"], user=demo.people["approver"])
    answer = api_as(demo.people["approver"]).post(decide_url(request.stages.get()), {"decision": "approve"},
                                                  format="json")
    assert answer.status_code == 403 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"] == "You are in Churn modelling, the requesting team: someone outside it decides."
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_REVIEW and not Decision.objects.exists()


def test_a_delegate_in_the_requesting_team_is_refused_too(mlops_only, api_as, make_user):
    demo = mlops_only
    teammate = make_user("teammate", team=demo.teams["churn-modelling"])
    now = timezone.now()
    create_delegation(actor=demo.people["approver"], from_user=demo.people["approver"], to_user=teammate,
                      starts_at=now - HOUR, ends_at=now + 24 * HOUR)
    request = submit(demo)
    client = api_as(teammate)
    assert client.get("/api/v1/approvals").json()["results"] == []
    answer = client.post(decide_url(request.stages.get()), {"decision": "approve"}, format="json")
    assert answer.status_code == 403 and "requesting team" in answer.json()["detail"]
    assert not Decision.objects.exists()


def test_a_delegate_outside_the_requesting_team_decides_for_the_away_member(mlops_only, api_as, make_user, client):
    demo = mlops_only
    stand_in = make_user("stand-in")
    now = timezone.now()
    create_delegation(actor=demo.people["approver"], from_user=demo.people["approver"], to_user=stand_in,
                      starts_at=now - HOUR, ends_at=now + 24 * HOUR)
    request = submit(demo)
    api = api_as(stand_in)
    assert [row["id"] for row in api.get("/api/v1/approvals").json()["results"]] == [request.stages.get().pk]
    assert api.post(decide_url(request.stages.get()), {"decision": "approve"}, format="json").status_code == 200
    assert "stand-in</strong> (for approver)" in request_page(client, demo.people["requester"], request)


def test_a_read_only_token_cannot_decide(mlops_only, api_as):
    request = submit(mlops_only)
    answer = api_as(mlops_only.people["approver"], scopes=["read", "request"]).post(
        decide_url(request.stages.get()), {"decision": "approve"}, format="json")
    assert answer.status_code == 403 and "approve" in answer.json()["detail"]
    assert not Decision.objects.exists()


def test_a_stage_the_caller_may_not_see_is_a_404_like_a_missing_one(mlops_only, api_as):
    request = submit(mlops_only)
    outsider = api_as(mlops_only.people["finance-approver"])  # no stage of finance on this request
    hidden = outsider.post(decide_url(request.stages.get()), {"decision": "approve"}, format="json")
    missing = outsider.post("/api/v1/approvals/987654/decide", {"decision": "approve"}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert not Decision.objects.exists()


def test_a_decided_stage_is_refused_with_the_reason(mlops_only, api_as, make_user):
    demo = mlops_only
    request = submit(demo)
    other = make_user("other-approver", team=demo.teams["mlops-enablement"])
    api_as(demo.people["approver"]).post(decide_url(request.stages.get()), {"decision": "approve"}, format="json")
    answer = api_as(other).post(decide_url(request.stages.get()), {"decision": "approve"}, format="json")
    assert answer.status_code == 400 and answer.json()["detail"] == "This stage has already been decided."


# -- delegations --------------------------------------------------------------------------------


def test_a_delegation_is_made_listed_by_both_and_ended(demo, api_as, make_user):
    stand_in = make_user("stand-in")
    me = api_as(demo.people["approver"], scopes=["read", "approve"])
    start, end = timezone.now() - HOUR, timezone.now() + 48 * HOUR
    made = me.post("/api/v1/delegations", {"to": "stand-in", "starts_at": start.isoformat(),
                                           "ends_at": end.isoformat(), "note": "holiday"}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["from"], body["to"], body["note"], body["active"]) == ("approver", "stand-in", "holiday", True)
    delegation = Delegation.objects.get(pk=body["id"])
    assert (delegation.from_user, delegation.to_user) == (demo.people["approver"], stand_in)

    given = me.get("/api/v1/delegations").json()["results"]
    received = api_as(stand_in).get("/api/v1/delegations").json()["results"]
    assert [d["id"] for d in given] == [d["id"] for d in received] == [delegation.pk]
    assert api_as(demo.people["requester"]).get("/api/v1/delegations").json()["results"] == []

    assert api_as(demo.people["requester"]).post(f"/api/v1/delegations/{delegation.pk}/end").status_code == 404
    ended = api_as(stand_in, scopes=["approve"]).post(f"/api/v1/delegations/{delegation.pk}/end")
    assert ended.status_code == 200 and ended.json()["active"] is False
    again = me.post(f"/api/v1/delegations/{delegation.pk}/end")
    assert again.status_code == 400 and again.json()["detail"] == "This delegation has already ended."


@pytest.mark.parametrize(("change", "pointer"), [
    ({"to": "nobody-here"}, "/to"),
    ({"to": "approver"}, "/to"),  # oneself
    ({"starts_at": "yesterday"}, "/starts_at"),
    ({"ends_at": "2026-13-45T00:00:00Z"}, "/ends_at"),
    ({"ends_at": "2020-01-01T00:00:00Z", "starts_at": "2019-12-01T00:00:00Z"}, "/ends_at"),  # past
    ({"ends_at": "START"}, "/ends_at"),  # not after the start
    ({"ends_at": "FAR"}, "/ends_at"),  # too long
    ({"note": "x" * 201}, "/note"),
])
def test_bad_delegations_are_problems_naming_the_field(demo, api_as, make_user, change, pointer):
    make_user("stand-in")
    start = timezone.now() + HOUR
    body = {"to": "stand-in", "starts_at": start.isoformat(), "ends_at": (start + 24 * HOUR).isoformat()}
    body.update(change)
    if body["ends_at"] == "START":
        body["ends_at"] = body["starts_at"]
    if body["ends_at"] == "FAR":
        body["ends_at"] = (start + timedelta(days=400)).isoformat()
    answer = api_as(demo.people["approver"]).post("/api/v1/delegations", body, format="json")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]
    assert not Delegation.objects.exists()


def test_a_read_only_token_cannot_delegate(demo, api_as, make_user):
    make_user("stand-in")
    start = timezone.now()
    answer = api_as(demo.people["approver"], scopes=["read"]).post("/api/v1/delegations", {
        "to": "stand-in", "starts_at": start.isoformat(), "ends_at": (start + HOUR).isoformat()}, format="json")
    assert answer.status_code == 403 and not Delegation.objects.exists()


def test_the_delegation_list_reads_the_same_number_of_queries_for_one_or_many(
        demo, api_as, make_user, django_assert_max_num_queries):
    now = timezone.now()

    def delegate(to):
        create_delegation(actor=demo.people["approver"], from_user=demo.people["approver"], to_user=to,
                          starts_at=now + HOUR, ends_at=now + 2 * HOUR)

    delegate(make_user("stand-in-0"))
    client = api_as(demo.people["approver"])
    client.get("/api/v1/delegations")  # what is read once per process
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/delegations").json()["results"]) == 1
    for n in range(1, 7):
        delegate(make_user(f"stand-in-{n}"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = client.get("/api/v1/delegations").json()["results"]
    assert sorted(row["to"] for row in rows) == [f"stand-in-{n}" for n in range(7)]


def test_a_change_requests_plan_is_ready_once_the_plan_of_each_change_succeeded(
        mlops_only, api_as, django_assert_max_num_queries):
    from portal.onboarding.services import request_decommission
    from tests.api.test_inventory import make_resource

    demo = mlops_only

    def decommission(n):
        return request_decommission(actor=demo.people["requester"], reason="not needed",
                                    resources=[make_resource(demo, name=f"old-{n}")])

    first, new = decommission(0), submit(demo, name="new-0")
    client = api_as(demo.people["approver"])
    client.get("/api/v1/approvals")  # what is read once per process
    with CaptureQueriesContext(connection) as two:
        rows = client.get("/api/v1/approvals").json()["results"]
    assert [(row["request"]["id"], row["plan_ready"]) for row in rows] == [(first.pk, False), (new.pk, False)]

    plans = Run.objects.filter(change__request=first, action="plan")
    assert plans.exists()
    plans.update(status="succeeded")
    for n in range(1, 4):
        decommission(n), submit(demo, name=f"new-{n}")
    with django_assert_max_num_queries(len(two.captured_queries)):
        rows = client.get("/api/v1/approvals").json()["results"]
    assert [row["plan_ready"] for row in rows] == [True] + [False] * 7
