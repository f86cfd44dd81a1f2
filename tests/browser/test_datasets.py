"""Datasets in real Chromium: the demo catalogue (a restricted dataset of another team shows only its name and
owner), a search, asking for access on a dataset's page (a bad duration answered on its field), and the data
owner finding the ask in their approval queue."""

import pytest
from playwright.sync_api import expect

from portal.datasets.seed import ensure_demo_datasets
from portal.migration.seed import DEMO_LOGIN, ensure_demo_migration
from tests.datasets.conftest import give_directory_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_catalogue_and_an_access_request(page, live_server, demo, login, screenshot):
    ensure_demo_migration(demo.teams)
    ensure_demo_datasets()
    risk = demo.teams["risk-analytics"]
    give_directory_group(risk, demo.versions["directory-group"], risk.memberships.first().user,
                         role_arn="arn:aws:iam::123456789012:role/risk-analytics-team")
    login(page, *DEMO_LOGIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Datasets").click()
    expect(page.get_by_role("heading", name="Datasets")).to_be_visible()
    rows = page.locator("#dataset-table tbody tr")
    expect(rows).to_have_count(4)
    restricted = page.locator('tr[data-dataset="customer-contacts"]')
    expect(restricted).to_contain_text("requester")
    expect(restricted).to_contain_text("Details are shown to its team only")
    expect(page.locator("#dataset-table")).not_to_contain_text("call notes")
    screenshot(page, "datasets-catalogue")

    page.get_by_label("Search").fill("churn")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="churn-features").click()
    expect(page.locator("#details")).to_contain_text("s3://demo-churn-data/features/")
    form = page.locator("#ask-access")
    form.get_by_label("Access").select_option("read")
    form.get_by_label("For how many days").fill("999")
    form.get_by_label("Purpose").fill("behaviour features for the credit risk model")
    form.get_by_role("button", name="Ask for access").click()
    expect(page.locator("#id_days_error")).to_contain_text("at most 180 days")
    page.locator("#ask-access").get_by_label("For how many days").fill("30")
    page.locator("#ask-access").get_by_role("button", name="Ask for access").click()
    page.wait_for_url(lambda url: "/requests/" in url)
    expect(page.locator(".stage-reason").first).to_have_text("requester owns the data and decides who may use it.")
    screenshot(page, "datasets-access-request")
    page.get_by_role("button", name="Log out").click()

    login(page, "requester", "requester-demo")  # the data owner
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(page.locator("main")).to_contain_text("Read access to churn-features for Risk analytics")
    screenshot(page, "datasets-owner-queue")
