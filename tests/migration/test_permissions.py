"""Other teams never see a team's products (404 everywhere, absent from lists and charts); MLOps
enablement and platform admins see every team's; only the team changes its own."""

import pytest

from portal.migration.models import DataProduct

PAGES = ["/migrations/products/{pk}/", "/migrations/products/{pk}/edit/"]
ACTIONS = ["triage/", "triage/confirm/", "environment/", "decommission/", "decommission/checklist/", "retain/",
           "tolerances/", "cycles/", "retire-original/", "lessons/", "wave/"]


@pytest.fixture
def secret(portfolio):
    return DataProduct.objects.get(team__slug="risk-analytics", name="pd-scorecard")


@pytest.fixture
def outsider(portfolio, make_user):
    return make_user("churn-person", team=portfolio.teams["churn-modelling"])


def test_another_team_gets_404_on_every_page_and_action(client, secret, outsider):
    client.force_login(outsider)
    for page in PAGES:
        assert client.get(page.format(pk=secret.pk)).status_code == 404, page
    for action in ACTIONS:
        assert client.post(f"/migrations/products/{secret.pk}/{action}").status_code == 404, action
    for url in ("/migrations/teams/risk-analytics/products/new/", "/migrations/teams/risk-analytics/products/import/"):
        assert client.get(url).status_code == 404


def test_another_team_sees_none_of_them_in_lists_dashboards_or_plans(client, secret, outsider):
    client.force_login(outsider)
    for url in ("/migrations/products/", "/migrations/products/?team=risk-analytics", "/migrations/",
                "/migrations/?team=risk-analytics"):
        page = client.get(url).content.decode()
        assert "pd-scorecard" not in page and "Risk analytics" not in page, url
    assert client.get("/migrations/plan/").status_code == 403


def test_mlops_enablement_sees_every_team_but_changes_none(client, secret, portfolio):
    approver = portfolio.people["approver"]
    client.force_login(approver)
    assert "pd-scorecard" in client.get("/migrations/products/").content.decode()
    page = client.get(f"/migrations/products/{secret.pk}/").content.decode()
    assert "SAS Grid" in page and "Change</a>" not in page
    assert client.get(f"/migrations/products/{secret.pk}/edit/").status_code == 403
    assert client.post(f"/migrations/products/{secret.pk}/triage/").status_code == 403
    assert client.get("/migrations/plan/").status_code == 200


def test_anonymous_people_are_sent_to_log_in(client, secret):
    response = client.get(f"/migrations/products/{secret.pk}/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_team_sees_and_edits_its_own(client, secret, portfolio):
    lead = portfolio.people["risk-lead"]
    client.force_login(lead)
    assert client.get(f"/migrations/products/{secret.pk}/edit/").status_code == 200
    page = client.get("/migrations/products/").content.decode()
    assert "pd-scorecard" in page and "12 data products" in page
