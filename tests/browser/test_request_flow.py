"""A person's path through the portal in real Chromium: request, decide, watch it go live."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_requester_submits_approver_approves_requester_sees_outputs(
    page, live_server, demo, celery_worker_process, login, screenshot
):
    login(page, "requester", "requester-demo")
    page.goto(f"{live_server.url}/catalog/")
    screenshot(page, "catalog")
    page.get_by_role("link", name="Request").first.click()

    page.get_by_label("Request title").fill("Churn notebook VM")
    page.get_by_label("Name").fill("Bad Name")
    page.get_by_label("Disk size (GiB)").fill("5")
    page.get_by_label("Purpose").fill("feature engineering for churn")
    page.get_by_role("button", name="Submit for review").click()
    # The message stands next to its field, and what was typed is still there.
    expect(page.locator("#id_v-name_error")).to_contain_text("lowercase letters")
    expect(page.locator("#id_v-disk_size_gb_error")).to_contain_text("20")
    expect(page.get_by_label("Purpose")).to_have_value("feature engineering for churn")
    screenshot(page, "request-form-errors")

    page.get_by_label("Name").fill("churn-browser-vm")
    page.get_by_label("Disk size (GiB)").fill("30")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#request-status")).to_have_text("In review")
    request_url = page.url

    page.get_by_role("button", name="Log out").click()
    login(page, "approver", "approver-demo")
    page.goto(f"{live_server.url}/approvals/")
    expect(page.get_by_text("Churn notebook VM")).to_be_visible()
    screenshot(page, "approver-queue")
    page.get_by_role("button", name="Approve").first.click()
    expect(page.get_by_role("status")).to_contain_text("approved")

    page.get_by_role("button", name="Log out").click()
    login(page, "requester", "requester-demo")
    page.goto(request_url)
    # The page polls by itself: no reload needed to see the run finish.
    expect(page.locator("#request-status")).to_have_text("Active", timeout=240_000)
    expect(page.locator('[data-output="instance_id"]')).to_have_text(re.compile(r"^i-[0-9a-f]+$"))
    screenshot(page, "request-active")


def test_rejected_request_shows_the_comment(page, live_server, demo, login, screenshot):
    from portal.onboarding.services import submit_new_request
    from tests.fixtures.people import CPU_VM_VALUES

    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"],
                                 title="Too big a VM", items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])
    login(page, "approver", "approver-demo")
    page.goto(f"{live_server.url}/approvals/")
    page.get_by_label("Comment").fill("Use the shared cluster instead")
    page.get_by_role("button", name="Reject").click()
    page.get_by_role("button", name="Log out").click()
    login(page, "requester", "requester-demo")
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    expect(page.locator("#request-status")).to_have_text("Rejected")
    expect(page.get_by_text("Use the shared cluster instead").first).to_be_visible()
    screenshot(page, "request-rejected")
