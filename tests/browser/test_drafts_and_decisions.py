"""In real Chromium, without a worker: a bad value and its message, a draft kept and resumed, the
review step, and a rejection the requester reads with its comment."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_details(page):
    page.get_by_label("Data classification").select_option("internal")
    page.get_by_label("Business justification").fill("Notebook work on the churn features")
    page.get_by_label("Cost centre").fill("cc-1042")
    page.get_by_label("Expected duration").select_option("90")


def test_draft_saved_resumed_reviewed_submitted_then_rejected_with_a_comment(page, live_server, demo, login,
                                                                            screenshot):
    login(page, "requester", "requester-demo")
    page.goto(f"{live_server.url}/requests/new/cpu-vm/")
    name, disk = page.get_by_label("Name", exact=True), page.get_by_label("Disk size (GiB)")
    page.get_by_label("Request title").fill("Churn notebook VM")
    name.fill("Bad Name")
    disk.fill("5")
    disk.press("Tab")  # leaving a field checks it on the server; its message shows beside it at once
    expect(page.locator("#id_v-name_error")).to_contain_text("lowercase letters")
    expect(page.locator("#id_v-disk_size_gb_error")).to_contain_text("20")
    # Click only once the inline messages have moved the layout (a moving button loses the click).
    page.get_by_role("button", name="Review request").click()

    # Every message stands next to its field, and what was typed is still there.
    expect(page.locator("#form-problems")).to_be_visible()
    expect(page.locator("#id_v-name_error")).to_contain_text("lowercase letters")
    expect(page.locator("#id_v-disk_size_gb_error")).to_contain_text("20")
    expect(page.locator("#id_business_justification_error")).to_contain_text("required")
    expect(name).to_have_value("Bad Name")
    expect(page.get_by_label("Request title")).to_have_value("Churn notebook VM")
    screenshot(page, "wizard-errors")

    # Inline check: fixing a field clears its message without submitting.
    name.fill("churn-notebook")
    name.press("Tab")
    expect(page.locator("#id_v-name_error")).to_be_empty()
    expect(page.locator("#field-v-name")).not_to_have_class("field has-error")

    # Save the draft as it is (the disk size is still wrong) and come back to it later.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    expect(page.locator("#drafts")).to_contain_text("Churn notebook VM")
    screenshot(page, "my-requests")
    page.get_by_role("link", name="Continue the draft Churn notebook VM").click()
    expect(name).to_have_value("churn-notebook")
    expect(disk).to_have_value("5")

    disk.fill("40")
    page.get_by_label("Purpose").fill("feature engineering for churn")
    fill_details(page)
    expect(page.locator("#id_v-disk_size_gb_error")).to_be_empty()  # the fixed value's check has landed
    page.get_by_role("button", name="Review request").click()
    expect(page.get_by_role("heading", name="Review: Churn notebook VM")).to_be_visible()
    expect(page.locator("#review-approvals")).to_contain_text("MLOps enablement")
    expect(page.locator(".review-item")).to_contain_text("40")
    screenshot(page, "review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#request-status")).to_have_text("In review")
    request_url = page.url

    page.get_by_role("button", name="Log out").click()
    login(page, "approver", "approver-demo")
    page.goto(f"{live_server.url}/approvals/")
    row = page.locator("section.queue-row", has_text="Churn notebook VM")
    row.get_by_label("Comment").fill("Use the shared cluster instead")
    row.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text("rejected")

    page.get_by_role("button", name="Log out").click()
    login(page, "requester", "requester-demo")
    page.goto(request_url)
    expect(page.locator("#request-status")).to_have_text("Rejected")
    expect(page.locator("#verdict")).to_contain_text("Use the shared cluster instead")
    expect(page.locator("#verdict")).to_contain_text("approver")
    screenshot(page, "request-rejected")
