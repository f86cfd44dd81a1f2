"""Requests through the API: create (a template, a bundle, items), validate without saving, idempotency,
lists and details as each person may see them, withdraw / retry / cancel, change requests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.approvals.models import ApprovalStage
from portal.core.secrets import MASK, seal
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import IdempotencyKey, OnboardingRequest, RequestItem, RequestStatus
from portal.teams.models import Membership, Quota, Team
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db

DETAILS = {"data_classification": "internal", "business_justification": "feature engineering for churn",
           "cost_centre": "CC-1042", "expected_duration_days": 90}
GPU_VALUES = {"name": "gpu-box", "instance_type": "g4dn.xlarge", "disk_size_gb": 200, "purpose": "training"}
BUCKET_VALUES = {"name": "churn-datasets", "sse_algorithm": "AES256", "versioning": False, "expected_size_gb": 10,
                 "purpose": "datasets"}


def one_vm(**changes) -> dict:
    return {"team": "churn-modelling", "title": "A VM", "template": "cpu-vm", "values": dict(CPU_VM_VALUES),
            "details": dict(DETAILS), **changes}


@pytest.fixture
def requester(mlops_only, api_as):
    return api_as(mlops_only.people["requester"])


@pytest.fixture
def other_team(mlops_only, make_user):
    """Team B: a modelling team of its own with its own requester."""
    team = Team.objects.create(slug="fraud-modelling", name="Fraud modelling", kind=Team.Kind.MODELLING)
    person = make_user("fraud-requester", team=team)
    return type("TeamB", (), {"team": team, "requester": person})


# -- create ---------------------------------------------------------------------------------------------
def test_one_template_is_submitted_for_review_and_answered_with_its_detail(mlops_only, requester):
    answer = requester.post("/api/v1/requests", one_vm(), format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    created = OnboardingRequest.objects.get()
    assert body["id"] == created.pk and body["status"] == "in_review" and body["kind"] == "new"
    assert body["team"] == "churn-modelling" and body["requester"] == "requester"
    assert body["details"] == {**DETAILS}
    [item] = body["items"]
    assert item["template"] == "cpu-vm" and item["version"] == 1 and item["values"] == CPU_VM_VALUES
    assert item["status"] == "pending" and item["resource_id"] is None and item["outputs"] == {}
    assert [stage["team"] for stage in body["stages"]] == ["mlops-enablement"] == body["pending_stages"]
    assert Decimal(body["estimated_monthly_cost"]) == created.estimated_monthly_cost > 0
    assert body["changes"] == []


def test_a_bundle_gets_the_bundles_templates_in_order(mlops_only, requester):
    answer = requester.post("/api/v1/requests", {
        "team": "churn-modelling", "title": "Training", "bundle": "gpu-training",
        "items": [{"values": GPU_VALUES}, {"values": BUCKET_VALUES}], "details": DETAILS}, format="json")
    assert answer.status_code == 201, answer.json()
    assert [(i["template"], i["values"]["name"]) for i in answer.json()["items"]] == [
        ("gpu-vm", "gpu-box"), ("storage-bucket", "churn-datasets")]


def test_a_list_of_items_of_any_templates(mlops_only, requester):
    answer = requester.post("/api/v1/requests", {
        "team": "churn-modelling", "title": "Two", "details": DETAILS,
        "items": [{"template": "storage-bucket", "values": BUCKET_VALUES}, {"template": "cpu-vm",
                                                                            "values": CPU_VM_VALUES}]}, format="json")
    assert answer.status_code == 201, answer.json()
    assert [item["template"] for item in answer.json()["items"]] == ["storage-bucket", "cpu-vm"]
    assert RequestItem.objects.count() == 2


@pytest.mark.parametrize(("body", "pointer"), [
    (one_vm(values={**CPU_VM_VALUES, "disk_size_gb": 1}), "/values/disk_size_gb"),
    (one_vm(values={**CPU_VM_VALUES, "disk_size_gb": "big"}), "/values/disk_size_gb"),
    ({**one_vm(template=None), "template": "no-such-template"}, "/template"),
    ({"team": "churn-modelling", "title": "x", "items": [{"template": "cpu-vm", "values": CPU_VM_VALUES},
                                                         {"template": "gpu-vm", "values": {**GPU_VALUES,
                                                                                           "purpose": 7}}]},
     "/items/1/values/purpose"),
    ({"team": "churn-modelling", "title": "x", "items": [{"values": CPU_VM_VALUES}]}, "/items/0/template"),
    ({"team": "churn-modelling", "title": "x", "bundle": "no-such-bundle", "items": [{"values": {}}]}, "/bundle"),
    ({"team": "churn-modelling", "title": "x", "bundle": "gpu-training", "items": [{"values": GPU_VALUES}]},
     "/items"),
    (one_vm(details={**DETAILS, "cost_centre": "not a centre"}), "/details/cost_centre"),
    (one_vm(details={**DETAILS, "colour": "red"}), "/details/colour"),
    (one_vm(details={**DETAILS, "business_justification": "bidi \u202e override"}), "/details/business_justification"),
    (one_vm(details="internal"), "/details"),
    (one_vm(values="big"), "/values"),
    (one_vm(title=["a", "list"]), "/title"),
    (one_vm(title="tab\u202econtrol"), "/title"),
    (one_vm(items=[]), "/items"),
    (one_vm(details={**DETAILS, "business_justification": "nul\x00byte"}), "/details"),
    (one_vm(values={**CPU_VM_VALUES, "purpose": "nul\x00byte"}), "/values"),
    (one_vm(values={**CPU_VM_VALUES, "k\x00ey": 1}), "/values"),
    (one_vm(title="nul\x00byte"), "/title"),
    (one_vm(team=None), "/team"),
    ({"team": "churn-modelling", "title": "nothing asked"}, "/"),
])
def test_bad_input_is_a_400_problem_pointing_at_the_value_and_saves_nothing(mlops_only, requester, body, pointer):
    answer = requester.post("/api/v1/requests", body, format="json")
    assert answer.status_code == 400, answer.json()
    assert answer["Content-Type"] == "application/problem+json"
    assert pointer in [error["pointer"] for error in answer.json()["errors"]]
    assert not OnboardingRequest.objects.exists()


def test_a_body_that_is_not_json_is_a_400_problem(mlops_only, requester):
    answer = requester.post("/api/v1/requests", "{not json", content_type="application/json")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert requester.post("/api/v1/requests", [1, 2], format="json").status_code == 400


def test_a_team_you_are_not_in_is_not_found(mlops_only, requester, other_team):
    for slug in ("fraud-modelling", "no-such-team", "mlops-enablement"):
        answer = requester.post("/api/v1/requests", one_vm(team=slug), format="json")
        assert answer.status_code == 404 and answer.json()["errors"][0]["pointer"] == "/team"
    assert not OnboardingRequest.objects.exists()


def test_a_platform_admin_sees_the_team_but_requests_only_for_their_own_teams(mlops_only, api_as):
    answer = api_as(mlops_only.people["admin"]).post("/api/v1/requests", one_vm(), format="json")
    assert answer.status_code == 403 and "team you belong to" in answer.json()["detail"]
    assert not OnboardingRequest.objects.exists()


def test_going_over_the_quota_is_refused_with_what_is_left(mlops_only, requester):
    Quota.objects.create(team=mlops_only.teams["churn-modelling"], max_vms=0)
    answer = requester.post("/api/v1/requests", one_vm(), format="json")
    assert answer.status_code == 400 and "Virtual machines" in answer.json()["detail"]
    assert not OnboardingRequest.objects.exists()


def test_a_read_only_token_cannot_create_a_request(mlops_only, api_as):
    reader = api_as(mlops_only.people["requester"], scopes=["read"])
    answer = reader.post("/api/v1/requests", one_vm(), format="json")
    assert answer.status_code == 403 and "request" in answer.json()["detail"]
    assert not OnboardingRequest.objects.exists()
    assert reader.get("/api/v1/requests").status_code == 200


# -- idempotency --------------------------------------------------------------------------------------------
def test_the_same_key_and_body_twice_make_one_request(mlops_only, requester):
    first = requester.post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY="run-42")
    again = requester.post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY="run-42")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] == OnboardingRequest.objects.get().pk
    assert (first["Idempotent-Replayed"], again["Idempotent-Replayed"]) == ("false", "true")


def test_the_same_key_with_another_body_is_a_409_and_makes_nothing(mlops_only, requester):
    requester.post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY="run-42")
    other = requester.post("/api/v1/requests", one_vm(title="Another VM"), format="json",
                           HTTP_IDEMPOTENCY_KEY="run-42")
    assert other.status_code == 409 and other["Content-Type"] == "application/problem+json"
    assert OnboardingRequest.objects.count() == 1


def test_keys_are_per_person_and_a_refused_body_does_not_use_the_key(mlops_only, requester, api_as, make_user):
    refused = requester.post("/api/v1/requests", one_vm(values={}), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert refused.status_code == 400 and not IdempotencyKey.objects.exists()
    fixed = requester.post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert fixed.status_code == 201
    colleague = make_user("colleague", team=mlops_only.teams["churn-modelling"])
    theirs = api_as(colleague).post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert theirs.status_code == 201 and theirs.json()["id"] != fixed.json()["id"]
    assert OnboardingRequest.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 101, "with space", "ünïcode"])
def test_a_malformed_key_is_a_400_problem(mlops_only, requester, key):
    answer = requester.post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert not OnboardingRequest.objects.exists()


# -- validate ------------------------------------------------------------------------------------------------
def test_validate_reports_pointers_estimate_quota_and_stages_and_saves_nothing(mlops_only, requester):
    Quota.objects.create(team=mlops_only.teams["churn-modelling"], max_vms=5)
    good = requester.post("/api/v1/requests/validate", one_vm(), format="json")
    assert good.status_code == 200
    body = good.json()
    assert body["valid"] is True and body["errors"] == []
    assert Decimal(body["estimate"]["monthly_total"]) > 0 and body["estimate"]["currency"] == "USD"
    assert [stage["team"] for stage in body["stages"]] == ["mlops-enablement"]
    vms = next(line for line in body["quota"]["lines"] if line["label"] == "Virtual machines")
    assert (vms["limit"], vms["used"], vms["requested"], vms["exceeded"]) == ("5", "0", "1", False)

    bad = requester.post("/api/v1/requests/validate", {
        "team": "churn-modelling", "title": "x", "details": {**DETAILS, "cost_centre": "lower case!"},
        "items": [{"template": "cpu-vm", "values": {**CPU_VM_VALUES, "disk_size_gb": 1}}]}, format="json").json()
    assert bad["valid"] is False
    assert {"/items/0/values/disk_size_gb", "/details/cost_centre"} <= {e["pointer"] for e in bad["errors"]}
    assert bad["estimate"] is not None and bad["quota"] is None
    assert not OnboardingRequest.objects.exists() and not ApprovalStage.objects.exists()


def test_validate_saves_nothing_so_a_read_only_token_may_call_it(mlops_only, api_as):
    reader = api_as(mlops_only.people["requester"], scopes=["read"])
    answer = reader.post("/api/v1/requests/validate", one_vm(), format="json")
    assert answer.status_code == 200 and answer.json()["valid"] is True
    assert not OnboardingRequest.objects.exists()


def test_validate_names_the_steering_teams_the_rules_would_add(demo, api_as):
    gpu = {"team": "churn-modelling", "title": "GPU", "template": "gpu-vm", "values": GPU_VALUES,
           "details": {**DETAILS, "data_classification": "confidential"}}
    plain = api_as(demo.people["requester"]).post("/api/v1/requests/validate", one_vm(), format="json").json()
    dear = api_as(demo.people["requester"]).post("/api/v1/requests/validate", gpu, format="json").json()
    assert len(dear["stages"]) > len(plain["stages"]) >= 1
    assert all(stage["reason"] for stage in dear["stages"])


def test_validate_reports_a_quota_that_would_be_exceeded(mlops_only, requester):
    Quota.objects.create(team=mlops_only.teams["churn-modelling"], max_vms=0)
    body = requester.post("/api/v1/requests/validate", one_vm(), format="json").json()
    assert body["valid"] is False and body["quota"]["exceeded"] is True
    assert "Virtual machines" in body["errors"][0]["detail"]


def test_validate_of_a_shapeless_body_says_where(mlops_only, requester):
    body = requester.post("/api/v1/requests/validate", {"team": 7, "title": "x", "items": "all"},
                          format="json").json()
    assert body["valid"] is False and "/items" in [e["pointer"] for e in body["errors"]]
    assert requester.post("/api/v1/requests/validate", one_vm(team="fraud-or-nothing"),
                          format="json").status_code == 404


# -- list and detail --------------------------------------------------------------------------------------------
def make_requests(demo, count: int, *, team=None, requester=None, **fields) -> list[OnboardingRequest]:
    team, requester = team or demo.teams["churn-modelling"], requester or demo.people["requester"]
    made = []
    for number in range(count):
        request = OnboardingRequest.objects.create(team=team, requester=requester, title=f"r{number}",
                                                   status=fields.get("status", RequestStatus.IN_REVIEW))
        RequestItem.objects.create(request=request, template_version=fields.get("version", demo.versions["cpu-vm"]),
                                   values=CPU_VM_VALUES)
        ApprovalStage.objects.create(request=request, team=demo.teams["mlops-enablement"], reason="always")
        made.append(request)
    return made


def test_the_list_is_newest_first_in_cursor_pages(mlops_only, requester):
    made = make_requests(mlops_only, 5)
    first = requester.get("/api/v1/requests?page_size=2").json()
    assert [r["id"] for r in first["results"]] == [made[4].pk, made[3].pk] and first["previous"] is None
    second = requester.get(first["next"]).json()
    third = requester.get(second["next"]).json()
    assert [r["id"] for r in second["results"] + third["results"]] == [made[2].pk, made[1].pk, made[0].pk]
    assert third["next"] is None
    summary = first["results"][0]
    assert summary["pending_stages"] == ["mlops-enablement"] and summary["estimated_monthly_cost"] is None
    assert set(summary) == {"id", "title", "team", "requester", "kind", "status", "created_at", "submitted_at",
                            "estimated_monthly_cost", "pending_stages"}


def test_filters(mlops_only, requester, other_team):
    demo = mlops_only
    [vm] = make_requests(demo, 1)
    [bucket] = make_requests(demo, 1, version=demo.versions["storage-bucket"], status=RequestStatus.ACTIVE)
    OnboardingRequest.objects.filter(pk=vm.pk).update(created_at=timezone.now() - timedelta(days=3))
    make_requests(demo, 1, team=other_team.team, requester=other_team.requester)

    def ids(query: str) -> list[int]:
        answer = requester.get(f"/api/v1/requests?{query}")
        assert answer.status_code == 200, answer.json()
        return [r["id"] for r in answer.json()["results"]]

    assert ids("") == [bucket.pk, vm.pk]  # team B's request is not visible
    assert ids("team=churn-modelling&status=active") == [bucket.pk]
    assert ids("template=cpu-vm") == [vm.pk]
    assert ids("kind=new") == [bucket.pk, vm.pk] and ids("kind=decommission") == []
    day = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"created_after={day}") == [bucket.pk] and ids(f"created_before={day}") == [vm.pk]
    assert ids("team=fraud-modelling") == []
    for bad in ("status=sleeping", "kind=everything", "created_after=yesterday"):
        refused = requester.get(f"/api/v1/requests?{bad}")
        assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
        assert refused.json()["errors"][0]["pointer"] == "/" + bad.split("=")[0]


def test_the_list_costs_the_same_number_of_queries_for_3_or_30_requests(mlops_only, requester,
                                                                         django_assert_max_num_queries):
    make_requests(mlops_only, 3)
    with CaptureQueriesContext(connection) as three:
        assert len(requester.get("/api/v1/requests").json()["results"]) == 3
    make_requests(mlops_only, 27)
    with django_assert_max_num_queries(len(three.captured_queries)):
        assert len(requester.get("/api/v1/requests").json()["results"]) == 30


def test_team_bs_requester_sees_a_404_exactly_like_a_missing_request(mlops_only, requester, other_team, api_as):
    created = requester.post("/api/v1/requests", one_vm(), format="json").json()
    outsider = api_as(other_team.requester)
    hidden = outsider.get(f"/api/v1/requests/{created['id']}")
    missing = outsider.get(f"/api/v1/requests/{created['id'] + 1000}")
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert outsider.post(f"/api/v1/requests/{created['id']}/withdraw").status_code == 404
    assert requester.get(f"/api/v1/requests/{created['id']}").json()["id"] == created["id"]
    approver = api_as(mlops_only.people["approver"])  # its steering team has a stage on it
    assert approver.get(f"/api/v1/requests/{created['id']}").status_code == 200


# -- withdraw, retry, cancel -------------------------------------------------------------------------------
def test_the_requester_withdraws_and_a_second_withdraw_is_a_conflict(mlops_only, requester, api_as):
    created = requester.post("/api/v1/requests", one_vm(), format="json").json()
    approver = api_as(mlops_only.people["approver"])
    refused = approver.post(f"/api/v1/requests/{created['id']}/withdraw")
    assert refused.status_code == 403 and "requester" in refused.json()["detail"]
    done = requester.post(f"/api/v1/requests/{created['id']}/withdraw")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert all(stage["status"] == "void" for stage in done.json()["stages"])
    again = requester.post(f"/api/v1/requests/{created['id']}/withdraw")
    assert again.status_code == 409 and "cannot be withdrawn" in again.json()["detail"]


def test_retry_and_cancel_refuse_what_is_not_failed_or_running(mlops_only, requester, api_as):
    created = requester.post("/api/v1/requests", one_vm(), format="json").json()
    retry = requester.post(f"/api/v1/requests/{created['id']}/retry")
    assert retry.status_code == 409 and retry.json()["detail"] == "Only a failed request can be retried."
    cancel = requester.post(f"/api/v1/requests/{created['id']}/cancel")
    assert cancel.status_code == 409 and "Nothing is running" in cancel.json()["detail"]
    approver = api_as(mlops_only.people["approver"])  # sees it, but does not operate it
    assert approver.post(f"/api/v1/requests/{created['id']}/retry").status_code == 403
    assert OnboardingRequest.objects.get().status == RequestStatus.IN_REVIEW


def test_retry_of_a_failed_request_starts_provisioning_again(mlops_only, requester, monkeypatch):
    monkeypatch.setattr("provisioning.services.send_run_task", lambda pk, **kw: None)
    [failed] = make_requests(mlops_only, 1, status=RequestStatus.FAILED)
    failed.items.update(status=RequestItem.Status.FAILED)
    answer = requester.post(f"/api/v1/requests/{failed.pk}/retry")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "provisioning"
    assert [run["action"] for run in answer.json()["runs"]] == ["apply"]


# -- change requests -------------------------------------------------------------------------------------------
@pytest.fixture
def active_vm(mlops_only):
    """An active request whose VM exists (with a sensitive output) and expires in a week."""
    demo = mlops_only
    [origin] = make_requests(demo, 1, status=RequestStatus.ACTIVE)
    item = origin.items.get()
    RequestItem.objects.filter(pk=item.pk).update(status=RequestItem.Status.ACTIVE)
    return ProvisionedResource.objects.create(
        item=item, team=origin.team, template_version=item.template_version, kind="cpu_vm", name="churn-vm",
        outputs={"public_ip": "10.0.0.7", "password": seal("hunter2")}, expires_at=timezone.now() + timedelta(days=7))


def test_the_detail_masks_sensitive_outputs(mlops_only, requester, active_vm):
    body = requester.get(f"/api/v1/requests/{active_vm.item.request_id}").json()
    [item] = body["items"]
    assert item["resource_id"] == active_vm.pk and item["outputs"]["public_ip"] == "10.0.0.7"
    assert item["outputs"]["password"] == MASK and "hunter2" not in str(body)


def test_decommission_of_a_request_is_a_change_request_in_review(mlops_only, requester, active_vm):
    origin = active_vm.item.request_id
    refused = requester.post(f"/api/v1/requests/{origin}/decommission", {"reason": "  "}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/reason"
    unknown = requester.post(f"/api/v1/requests/{origin}/decommission", {"reason": "done", "items": [999999]},
                             format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["pointer"] == "/items/0"
    answer = requester.post(f"/api/v1/requests/{origin}/decommission",
                            {"reason": "project finished", "items": [active_vm.item_id]}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "decommission" and body["status"] == "in_review" and body["items"] == []
    assert [(c["resource_id"], c["status"]) for c in body["changes"]] == [(active_vm.pk, "pending")]
    busy = requester.post(f"/api/v1/requests/{origin}/decommission", {"reason": "again"}, format="json")
    assert busy.status_code == 400 and "already has a change under way" in busy.json()["detail"]


def test_extension_and_its_day_limits(mlops_only, requester, active_vm, settings):
    too_many = requester.post(f"/api/v1/resources/{active_vm.pk}/extend",
                              {"days": settings.PORTAL_MAX_EXTENSION_DAYS + 1, "reason": "longer"}, format="json")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["pointer"] == "/days"
    wrong_type = requester.post(f"/api/v1/resources/{active_vm.pk}/extend", {"days": "many", "reason": "x"},
                                format="json")
    assert wrong_type.status_code == 400 and wrong_type.json()["errors"][0]["pointer"] == "/days"
    answer = requester.post(f"/api/v1/resources/{active_vm.pk}/extend", {"days": 14, "reason": "longer training"},
                            format="json")
    assert answer.status_code == 201 and answer.json()["kind"] == "extend"
    assert answer.json()["changes"][0]["extend_days"] == 14


def test_a_change_of_values_out_of_the_schema_points_at_the_value(mlops_only, requester, active_vm):
    bad = requester.post(f"/api/v1/resources/{active_vm.pk}/modify",
                         {"values": {"disk_size_gb": 1}, "reason": "smaller"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/values/disk_size_gb"
    renamed = requester.post(f"/api/v1/resources/{active_vm.pk}/modify",
                             {"values": {"name": "another-name"}, "reason": "rename"}, format="json")
    assert renamed.status_code == 400 and renamed.json()["errors"][0]["pointer"] == "/values/name"
    answer = requester.post(f"/api/v1/resources/{active_vm.pk}/modify",
                            {"values": {"disk_size_gb": 80}, "reason": "more disk"}, format="json")
    assert answer.status_code == 201, answer.json()
    [change] = answer.json()["changes"]
    assert change["values"] == {**CPU_VM_VALUES, "disk_size_gb": 80} and change["previous_values"] == CPU_VM_VALUES


def test_offboarding_a_team_and_others_resources_are_not_found(mlops_only, requester, active_vm, other_team, api_as):
    outsider = api_as(other_team.requester)
    assert outsider.post("/api/v1/teams/churn-modelling/offboard", {"reason": "x"}, format="json").status_code == 404
    assert outsider.post(f"/api/v1/resources/{active_vm.pk}/extend", {"days": 3, "reason": "x"},
                         format="json").status_code == 404
    assert outsider.post(f"/api/v1/requests/{active_vm.item.request_id}/decommission", {"reason": "x"},
                         format="json").status_code == 404
    answer = requester.post("/api/v1/teams/churn-modelling/offboard", {"reason": "project over"}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["kind"] == "decommission" and answer.json()["title"] == "Offboard Churn modelling"


def test_a_read_only_token_cannot_ask_for_changes(mlops_only, api_as, active_vm):
    reader = api_as(mlops_only.people["requester"], scopes=["read"])
    assert reader.post(f"/api/v1/resources/{active_vm.pk}/extend", {"days": 3, "reason": "x"},
                       format="json").status_code == 403
    assert not OnboardingRequest.objects.exclude(kind="new").exists()


def test_membership_is_what_counts_for_a_team(mlops_only, requester, other_team):
    Membership.objects.create(team=other_team.team, user=mlops_only.people["requester"])
    answer = requester.post("/api/v1/requests", one_vm(team="fraud-modelling"), format="json")
    assert answer.status_code == 201 and answer.json()["team"] == "fraud-modelling"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_calls_with_one_key_make_one_request(mlops_only, api_as, monkeypatch):
    """Both calls reach the key's insert at once: the unique constraint makes the second wait for the
    first and answer with its request."""
    import threading

    from django.db import connections

    from portal.onboarding import idempotency

    both_there = threading.Barrier(2, timeout=30)
    real_create = idempotency.IdempotencyKey.objects.create

    def create_together(**fields):
        both_there.wait()
        return real_create(**fields)

    monkeypatch.setattr(idempotency.IdempotencyKey.objects, "create", create_together)
    token = api_as(mlops_only.people["requester"]).token_text
    answers = []

    def call():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            answers.append(client.post("/api/v1/requests", one_vm(), format="json", HTTP_IDEMPOTENCY_KEY="once"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"] == OnboardingRequest.objects.get().pk
    assert sorted(answer["Idempotent-Replayed"] for answer in answers) == ["false", "true"]


def test_cancel_stops_what_runs_and_answers_with_the_request(mlops_only, requester, monkeypatch):
    from provisioning.models import Run
    from tests.fixtures.runs import make_run

    monkeypatch.setattr("provisioning.services.send_run_task", lambda pk, **kw: None)
    [running] = make_requests(mlops_only, 1, status=RequestStatus.PROVISIONING)
    item = running.items.get()
    RequestItem.objects.filter(pk=item.pk).update(status=RequestItem.Status.PROVISIONING)
    item.refresh_from_db()
    apply = make_run(item=item, action="apply")
    answer = requester.post(f"/api/v1/requests/{running.pk}/cancel")
    assert answer.status_code == 200, answer.json()
    assert Run.objects.get(pk=apply.pk).status == "cancelled"
    shown = next(run for run in answer.json()["runs"] if run["id"] == apply.pk)
    assert shown["status"] == "cancelled" and shown["item"] == item.pk


def test_the_detail_shows_each_stages_decisions(mlops_only, requester, api_as):
    from portal.onboarding.services import record_decision

    created = requester.post("/api/v1/requests", one_vm(), format="json").json()
    stage = ApprovalStage.objects.get(request_id=created["id"])
    record_decision(stage=stage, actor=mlops_only.people["approver"], outcome="approve", comment="fine by me")
    body = requester.get(f"/api/v1/requests/{created['id']}").json()
    [shown] = body["stages"]
    assert shown["status"] == "approved" and shown["team"] == "mlops-enablement"
    [decision] = shown["decisions"]
    assert (decision["actor"], decision["outcome"], decision["comment"]) == ("approver", "approve", "fine by me")
    assert body["status"] == "provisioning" and body["pending_stages"] == []
