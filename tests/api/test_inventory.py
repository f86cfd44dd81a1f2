"""Resources and quotas through the API: a team's own (every team's for platform admins), outputs masked,
costs from the price list, the quota as on the dashboard."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.catalog.pricing import estimate_items
from portal.core.secrets import seal
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest, RequestItem, RequestStatus
from portal.teams.models import Quota, Team
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
SECRET = "kubeconfig-secret-value"


@pytest.fixture
def fraud(make_user):
    team = Team.objects.create(slug="fraud-detection", name="Fraud detection", kind=Team.Kind.MODELLING)
    return team, make_user("fraud-analyst", team=team)


def make_resource(demo, *, team=None, name="churn-vm", status=RequestStatus.ACTIVE, **fields):
    team = team or demo.teams["churn-modelling"]
    request = OnboardingRequest.objects.create(team=team, requester=demo.people["requester"], title=name)
    OnboardingRequest.objects.filter(pk=request.pk).update(status=status)
    version = demo.versions["cpu-vm"]
    item = RequestItem.objects.create(request=request, template_version=version, values={**CPU_VM_VALUES,
                                                                                           "name": name})
    RequestItem.objects.filter(pk=item.pk).update(status=RequestItem.Status.ACTIVE)
    return ProvisionedResource.objects.create(
        item=item, team=team, template_version=version, kind=version.template.kind, name=name,
        outputs={"private_ip": "10.0.0.7", "admin_password": seal(SECRET)}, **fields)


def test_a_teams_resources_with_masked_outputs_and_their_cost(demo, api_as):
    expires = timezone.now() + timedelta(days=30)
    resource = make_resource(demo, expires_at=expires)
    answer = api_as(demo.people["requester"], scopes=["read"]).get("/api/v1/resources")
    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert row["id"] == resource.pk and row["name"] == "churn-vm" and row["kind"] == "cpu_vm"
    assert (row["team"], row["status"], row["template"], row["version"]) == (
        "churn-modelling", "active", "cpu-vm", demo.versions["cpu-vm"].number)
    assert row["outputs"] == {"private_ip": "10.0.0.7", "admin_password": "(sensitive)"}
    assert SECRET not in answer.content.decode()
    monthly = estimate_items([(demo.versions["cpu-vm"], resource.item.values)]).monthly
    assert monthly > 0 and Decimal(row["monthly_cost"]) == monthly.quantize(Decimal("0.01"))
    assert row["drift_status"] == "none" and row["request"] == resource.item.request_id
    assert row["expires_at"].startswith(expires.strftime("%Y-%m-%dT%H:%M"))


def test_each_person_sees_the_resources_of_their_own_teams(demo, api_as, fraud):
    team, analyst = fraud
    ours, theirs = make_resource(demo), make_resource(demo, team=team, name="fraud-vm")

    def ids(user, query=""):
        answer = api_as(user).get(f"/api/v1/resources{query}")
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()["results"]]

    assert ids(demo.people["requester"]) == [ours.pk]
    assert ids(analyst) == [theirs.pk]
    assert ids(demo.people["approver"]) == []  # steering teams own nothing
    assert sorted(ids(demo.people["admin"])) == sorted([ours.pk, theirs.pk])
    assert ids(demo.people["admin"], "?team=fraud-detection") == [theirs.pk]


def test_another_teams_resources_are_a_404_like_a_missing_team_or_resource(demo, api_as, fraud):
    team, analyst = fraud
    theirs = make_resource(demo, team=team, name="fraud-vm")
    client = api_as(demo.people["requester"])
    for hidden, missing in [("/api/v1/resources?team=fraud-detection", "/api/v1/resources?team=no-such-team"),
                            (f"/api/v1/resources/{theirs.pk}", "/api/v1/resources/987654"),
                            ("/api/v1/teams/fraud-detection/quota", "/api/v1/teams/no-such-team/quota")]:
        refused, absent = client.get(hidden), client.get(missing)
        assert refused.status_code == absent.status_code == 404, hidden
        assert refused.json() == absent.json()
    assert api_as(analyst).get(f"/api/v1/resources/{theirs.pk}").json()["name"] == "fraud-vm"


def test_one_resource_for_whoever_may_see_its_request(demo, api_as):
    resource = make_resource(demo)
    answer = api_as(demo.people["requester"]).get(f"/api/v1/resources/{resource.pk}")
    assert answer.status_code == 200 and answer.json()["outputs"]["admin_password"] == "(sensitive)"
    assert api_as(demo.people["admin"]).get(f"/api/v1/resources/{resource.pk}").status_code == 200


def test_destroyed_resources_only_when_asked_for(demo, api_as):
    active, gone = make_resource(demo), make_resource(demo, name="old-vm")
    ProvisionedResource.objects.filter(pk=gone.pk).update(status=ProvisionedResource.Status.DESTROYED)
    client = api_as(demo.people["requester"])
    assert [r["id"] for r in client.get("/api/v1/resources").json()["results"]] == [active.pk]
    destroyed = client.get("/api/v1/resources?status=destroyed").json()["results"]
    assert [(r["id"], r["status"]) for r in destroyed] == [(gone.pk, "destroyed")]
    assert len(client.get("/api/v1/resources?status=all").json()["results"]) == 2


@pytest.mark.parametrize(("query", "pointer"), [("status=gone", "/status"), ("team=a%20b", "/team")])
def test_bad_resource_filters_are_400_problems(demo, api_as, query, pointer):
    make_resource(demo)
    answer = api_as(demo.people["requester"]).get(f"/api/v1/resources?{query}")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]


def test_a_cursor_the_portal_did_not_make_is_a_404_problem(demo, api_as):
    answer = api_as(demo.people["requester"]).get("/api/v1/resources?cursor=garbage")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/problem+json"


def test_the_resource_list_reads_the_same_number_of_queries_for_one_or_many(
        demo, api_as, django_assert_max_num_queries):
    make_resource(demo, name="vm-0")
    client = api_as(demo.people["requester"])
    client.get("/api/v1/resources")  # what is read once per process
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/resources").json()["results"]) == 1
    for n in range(1, 7):
        make_resource(demo, name=f"vm-{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/resources").json()["results"]) == 7


def test_a_teams_quota_lines_as_the_dashboard_counts_them(demo, api_as):
    client = api_as(demo.people["requester"], scopes=["read"])
    none = client.get("/api/v1/teams/churn-modelling/quota").json()
    assert none == {"team": "churn-modelling", "has_quota": False, "lines": []}

    Quota.objects.create(team=demo.teams["churn-modelling"], max_vms=3, max_monthly_usd=Decimal("1000.00"))
    resource = make_resource(demo)  # an active request's item counts
    lines = {line["key"]: line for line in client.get("/api/v1/teams/churn-modelling/quota").json()["lines"]}
    assert set(lines) == {"gpus", "vms", "clusters", "monthly_cost"}
    assert lines["vms"] == {"key": "vms", "label": "Virtual machines", "money": False, "limit": "3", "used": "1",
                            "left": "2"}
    assert lines["gpus"]["limit"] is None and lines["gpus"]["left"] is None and lines["gpus"]["used"] == "0"
    cost = estimate_items([(demo.versions["cpu-vm"], resource.item.values)]).monthly.quantize(Decimal("0.01"))
    assert lines["monthly_cost"]["money"] is True and lines["monthly_cost"]["used"] == f"{cost:.2f}"
    assert lines["monthly_cost"]["left"] == f"{Decimal('1000.00') - cost:.2f}"


def test_a_steering_team_has_no_quota_page(demo, api_as):
    answer = api_as(demo.people["approver"]).get("/api/v1/teams/mlops-enablement/quota")
    assert answer.status_code == 404
