"""Every list page is cut into pages that say how many rows there are; a page link keeps the filters,
and a bad ``page`` value shows the first or the last page — never an error."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from portal.approvals.models import ApprovalStage, Delegation
from portal.core.pagination import page_number
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest, RequestItem
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db
BAD_PAGES = {"abc": 1, "0": 1, "-3": 1, "1.5": 1, "": 1, "٣": 1, "99999": "last", "9" * 40: "last"}


@pytest.mark.parametrize(("value", "expected"), [
    (None, 1), ("", 1), ("2", 2), (" 3 ", 3), ("0", 1), ("-1", 1), ("x", 1), ("1e3", 1), ("NaN", 1),
    ("7", 5), ("9" * 5000, 5), ("²", 1), ("\x00", 1),
])
def test_a_page_value_always_means_a_page(value, expected):
    assert page_number(value, 5) == expected


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def requests_of(demo, count, *, status="in_review", title="bulk", requester=None):
    now = timezone.now()
    made = OnboardingRequest.objects.bulk_create([OnboardingRequest(
        team=demo.teams["churn-modelling"], requester=requester or demo.people["requester"], title=f"{title} {i:03d}",
        status=status, submitted_at=now, estimated_monthly_cost=Decimal("10")) for i in range(count)])
    # Distinct creation times, oldest first: the pages show the newest first.
    for position, request in enumerate(made):
        OnboardingRequest.objects.filter(pk=request.pk).update(created_at=now - timedelta(minutes=count - position))
    return made


def shown(page: str, attribute: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'{attribute}="(\d+)"', page)]


def test_my_requests_are_no_longer_cut_at_200(demo):
    made = requests_of(demo, 230)
    client = login(demo.people["requester"])
    first = client.get("/requests/").content.decode()
    assert "Showing 1–50 of 230 requests" in first
    assert shown(first, "data-request") == [r.pk for r in reversed(made)][:50]
    second = client.get("/requests/", {"page": "2"}).content.decode()
    assert "Showing 51–100 of 230 requests" in second
    assert shown(second, "data-request") == [r.pk for r in reversed(made)][50:100]
    last = client.get("/requests/", {"page": "5"}).content.decode()
    assert "Showing 201–230 of 230 requests" in last and made[0].pk in shown(last, "data-request")
    assert 'href="?page=4"' in last and "Page 5 of 5" in last


def test_drafts_have_their_own_pages(demo):
    drafts = requests_of(demo, 55, status="draft", title="draft")
    requests_of(demo, 3)
    client = login(demo.people["requester"])
    page = client.get("/requests/", {"page": "1", "drafts_page": "2"}).content.decode()
    assert "Showing 51–55 of 55 drafts" in page and "3 requests" in page
    assert 'href="?page=1&amp;drafts_page=1"' in page  # the other list's page is kept in the links
    assert set(shown(page, "data-request")) >= {d.pk for d in drafts[:5]}
    assert not {d.pk for d in drafts[5:]} & set(shown(page, "data-request"))


@pytest.mark.parametrize(("value", "expected"), BAD_PAGES.items())
def test_a_bad_page_value_shows_the_first_or_last_page(demo, value, expected):
    requests_of(demo, 60)
    answer = login(demo.people["requester"]).get("/requests/", {"page": value})
    assert answer.status_code == 200
    expected_text = "Showing 51–60 of 60 requests" if expected == "last" else "Showing 1–50 of 60 requests"
    assert expected_text in answer.content.decode()


def test_the_approvals_queue_says_how_many_and_keeps_its_filters(demo):
    made = requests_of(demo, 30)
    now = timezone.now()
    ApprovalStage.objects.bulk_create([ApprovalStage(
        request=r, team=demo.teams["mlops-enablement"], reason="bulk", status="pending", opened_at=now,
        due_at=now + timedelta(hours=40), remind_at=now + timedelta(hours=28)) for r in made])
    client = login(demo.people["approver"])
    first = client.get("/approvals/", {"sort": "age", "team": "mlops-enablement"}).content.decode()
    assert "Showing 1–25 of 30 stages you may decide" in first
    assert 'href="?sort=age&amp;team=mlops-enablement&amp;page=2"' in first
    second = client.get("/approvals/", {"sort": "age", "team": "mlops-enablement", "page": "2"}).content.decode()
    assert "Showing 26–30 of 30 stages you may decide" in second and len(shown(second, "data-stage")) == 5
    assert client.get("/approvals/", {"page": "zzz"}).status_code == 200


def test_delegations_are_paginated(demo):
    approver, now = demo.people["approver"], timezone.now()
    Delegation.objects.bulk_create([Delegation(
        from_user=approver, to_user=demo.people["infosec-approver"], starts_at=now - timedelta(days=60 - i),
        ends_at=now - timedelta(days=59 - i), reason=f"holiday {i:02d}") for i in range(30)])
    client = login(approver)
    first = client.get("/approvals/delegations/").content.decode()
    assert "Showing 1–25 of 30 delegations" in first and "holiday 29" in first and "holiday 04" not in first
    second = client.get("/approvals/delegations/", {"page": "2"}).content.decode()
    assert "Showing 26–30 of 30 delegations" in second and "holiday 04" in second and "holiday 29" not in second


def test_the_team_dashboard_pages_resources_and_requests_in_progress(demo):
    active = requests_of(demo, 55, status="active", title="active")
    items = RequestItem.objects.bulk_create([RequestItem(
        request=r, template_version=demo.versions["cpu-vm"], values={**CPU_VM_VALUES, "name": f"vm-{i:03d}"},
        status="active") for i, r in enumerate(active)])
    ProvisionedResource.objects.bulk_create([ProvisionedResource(
        item=item, team=demo.teams["churn-modelling"], template_version=item.template_version, kind="vm",
        name=item.values["name"]) for item in items])
    requests_of(demo, 25, status="in_review", title="waiting")
    client = login(demo.people["requester"])
    first = client.get("/teams/churn-modelling/").content.decode()
    assert re.search(r'id="resource-count">55<', first) and re.search(r'id="in-flight-count">25<', first)
    assert "Showing 1–50 of 55 active resources" in first and "Showing 1–20 of 25 requests in progress" in first
    assert 'data-resource="vm-049"' in first and 'data-resource="vm-050"' not in first
    assert "waiting 024" in first and "waiting 000" not in first
    second = client.get("/teams/churn-modelling/", {"page": "2", "in_flight_page": "2"}).content.decode()
    assert "Showing 51–55 of 55 active resources" in second and "Showing 21–25 of 25 requests in progress" in second
    assert 'data-resource="vm-050"' in second and 'data-resource="vm-049"' not in second
    assert "waiting 000" in second and "waiting 024" not in second
    assert client.get("/teams/churn-modelling/", {"page": "-1", "in_flight_page": "x"}).status_code == 200
