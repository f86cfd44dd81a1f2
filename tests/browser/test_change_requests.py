"""After provisioning, in real Chromium: the team asks for more time for a resource, an approver
approves it from the queue, and the request page shows the new expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.inventory.models import ProvisionedResource
from portal.onboarding.services import start_fulfilment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_extension_is_asked_for_approved_and_shown(page, live_server, mlops_only, approved_request,
                                                      fake_engine, inline_tasks, login, screenshot):
    demo = mlops_only
    values = {"name": "train-gpu", "instance_type": "g5.xlarge", "disk_size_gb": 100, "purpose": "training"}
    request = approved_request([(demo.versions["gpu-vm"], values)], title="GPU for training")
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()
    resource = ProvisionedResource.objects.get(item__request=request)
    ends = timezone.now() + timedelta(days=3)
    ProvisionedResource.objects.filter(pk=resource.pk).update(expires_at=ends)

    login(page, "requester", "requester-demo")
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    expect(page.locator("[data-expires]")).to_contain_text(f"Expires {ends:%Y-%m-%d}")
    page.get_by_role("link", name="Ask for more time").click()
    page.get_by_label("Days to add").fill("500")
    page.get_by_label("Why (your approvers read it)").fill("The hyper-parameter sweep runs two more weeks")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".field-error")).to_contain_text("between 1 and 90 days")  # what was typed stays
    expect(page.get_by_label("Why (your approvers read it)")).to_have_value(
        "The hyper-parameter sweep runs two more weeks")
    page.get_by_label("Days to add").fill("14")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#request-kind")).to_contain_text("Lifetime extension")
    expect(page.locator("#request-status")).to_have_text("In review")
    expect(page.locator("[data-extension]")).to_contain_text("Asks for 14 more days")
    screenshot(page, "extension-in-review")
    page.get_by_role("button", name="Log out").click()

    login(page, "approver", "approver-demo")
    page.goto(f"{live_server.url}/approvals/")
    row = page.locator("section.queue-row", has_text="Extend train-gpu by 14 days")
    expect(row).to_contain_text("Lifetime extension of GPU virtual machine")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    page.get_by_role("button", name="Log out").click()

    login(page, "requester", "requester-demo")
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    new_end = ends + timedelta(days=14)
    expect(page.locator("[data-expires]")).to_contain_text(f"Expires {new_end:%Y-%m-%d}")
    expect(page.locator("#change-requests")).to_contain_text("Done")
    screenshot(page, "request-after-extension")
