"""The migration dashboard in real Chromium: the demo team's charts (server-rendered SVG, within the
Content-Security-Policy), a product's page from the list, and MLOps enablement's pilot selection."""

import pytest
from playwright.sync_api import expect

from portal.migration.seed import DEMO_LOGIN, ensure_demo_migration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_shows_the_portfolio_as_charts(page, live_server, demo, login, screenshot):
    ensure_demo_migration(demo.teams)
    login(page, *DEMO_LOGIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Migrations").click()
    expect(page.get_by_role("heading", name="Migrations")).to_be_visible()
    expect(page.locator("#product-count")).to_have_text("12")
    by_r = page.get_by_role("img", name="Products by R")
    expect(by_r).to_be_visible()
    expect(by_r.locator('g.bar[data-label="Refactor"]')).to_have_attribute("data-value", "2")
    expect(page.get_by_role("img", name="Products by wave")).to_be_visible()
    expect(page.get_by_role("img", name="Products by status")).to_be_visible()
    expect(page.get_by_role("img", name="Burn-up: 3 of 12 done")).to_be_visible()
    expect(page.locator("#validation tr[data-cycle]")).to_have_count(6)
    box = by_r.locator('g.bar[data-label="Refactor"] rect').bounding_box()
    assert box is not None and box["width"] > 20  # drawn, not an empty element
    screenshot(page, "migration-dashboard")

    page.get_by_role("link", name="Data products").first.click()
    page.get_by_role("link", name="fraud-features").click()
    expect(page.locator("#product-status")).to_have_text("Parallel run")
    expect(page.locator("#triage-reasons")).to_contain_text("It runs on Spark")
    expect(page.locator("#cycle-overdue")).to_be_visible()  # daily, started a month ago, one cycle recorded
    screenshot(page, "migration-product")
    page.get_by_role("button", name="Log out").click()

    login(page, "approver", "approver-demo")
    page.goto(f"{live_server.url}/migrations/plan/")
    page.get_by_label("Pilots").fill("3")
    page.get_by_role("button", name="Choose pilots").click()
    expect(page.locator("#pilot-coverage")).to_contain_text("the most any 3 products can cover")
    expect(page.locator("li[data-pilot]")).to_have_count(3)
    screenshot(page, "migration-pilots")
