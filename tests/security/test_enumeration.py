"""Finding 3: ids of other teams' objects tell nothing. Who may see is checked before anything else
is said, and an object you may not see answers exactly like one that does not exist (404, same
body) — the bulk approval's messages included."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.approvals.models import ApprovalStage

TOKEN = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')
MISSING = 999_999_999


def body(response) -> str:
    return TOKEN.sub(r'\1"…"', response.content.decode())  # the CSRF token is masked anew per page


def test_bulk_approval_says_nothing_about_a_stage_you_may_not_see(client, world):
    """The reported leak: team B's requester read "Request #8: Not low risk (confidential)"."""
    client.force_login(world.people["other"])
    hidden = world.stage.pk
    response = client.post(reverse("approvals:bulk"), {"stages": [hidden, MISSING]}, follow=True)
    page = response.content.decode()
    assert f"Stage {hidden}: No such approval stage." in page and f"Stage {MISSING}: No such approval stage." in page
    assert f"Request #{world.in_review.pk}" not in page and "Not low risk" not in page
    assert ApprovalStage.objects.get(pk=hidden).status == "pending"


@pytest.mark.parametrize("role", ["other", "finance", "staff"])
def test_deciding_a_stage_you_may_not_see_is_the_404_of_a_missing_one(client, world, role):
    client.force_login(world.people[role])
    hidden = client.post(reverse("approvals:decide", args=[world.stage.pk]), {"outcome": "approve"})
    missing = client.post(reverse("approvals:decide", args=[MISSING]), {"outcome": "approve"})
    assert hidden.status_code == missing.status_code == 404
    assert body(hidden) == body(missing)
    assert f"#{world.in_review.pk}" not in body(hidden) and "MLOps" not in body(hidden)


def test_even_a_closed_stage_is_not_described_to_whoever_may_not_see_it(client, world):
    ApprovalStage.objects.filter(pk=world.stage.pk).update(status="approved")
    client.force_login(world.people["other"])
    response = client.post(reverse("approvals:decide", args=[world.stage.pk]), {"outcome": "approve"}, follow=True)
    assert response.status_code == 404 and "already been decided" not in response.content.decode()


def test_who_may_decide_comes_before_the_form_and_the_stage_state(client, world):
    """Someone who sees the request but may not decide is refused first, whatever else is wrong."""
    client.force_login(world.people["infosec"])  # InfoSec sees the request; the MLOps stage is not theirs
    response = client.post(reverse("approvals:decide", args=[world.stage.pk]), {"outcome": "not an outcome"})
    assert response.status_code == 403 and "Only members of MLOps enablement" in response.content.decode()


@pytest.mark.parametrize(("name", "hidden", "missing"), [
    ("onboarding:detail", lambda w: [w.in_review.pk], [MISSING]),
    ("onboarding:progress", lambda w: [w.in_review.pk], [MISSING]),
    ("onboarding:edit", lambda w: [w.in_review.pk], [MISSING]),
    ("teams:dashboard", lambda w: [w.team.slug], ["no-such-team"]),
    ("onboarding:offboard_team", lambda w: [w.team.slug], ["no-such-team"]),
    ("onboarding:extend_resource", lambda w: [w.resource.pk], [MISSING]),
    ("onboarding:decommission_request", lambda w: [w.active.pk], [MISSING]),
])
def test_pages_of_another_team_are_the_404_of_a_missing_page(client, world, name, hidden, missing):
    client.force_login(world.people["other"])
    seen, absent = client.get(reverse(name, args=hidden(world))), client.get(reverse(name, args=missing))
    assert seen.status_code == absent.status_code == 404
    assert body(seen) == body(absent)


@pytest.mark.parametrize(("name", "hidden", "missing"), [
    ("inventory:drift", lambda w: [w.resource.pk, "check"], [MISSING, "check"]),
    ("teams:upgrade_repo", lambda w: [w.team.slug, w.repo.pk], ["no-such-team", MISSING]),
    ("approvals:end_delegation", lambda w: [w.delegation.pk], [MISSING]),
    ("onboarding:withdraw", lambda w: [w.in_review.pk], [MISSING]),
])
def test_buttons_on_another_teams_objects_are_the_404_of_a_missing_one(client, world, name, hidden, missing):
    client.force_login(world.people["other"])
    seen, absent = client.post(reverse(name, args=hidden(world))), client.post(reverse(name, args=missing))
    assert seen.status_code == absent.status_code == 404
    assert body(seen) == body(absent)
