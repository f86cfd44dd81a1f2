"""A bundle's whole path in real Chromium with a real worker, Terraform and the sandbox cloud:
catalog → wizard → review → two steering teams approve → the run goes live on the request page
(htmx polling, no reload) → outputs with copy buttons → the team dashboard."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.approvals.seed import DEMO_APPROVERS

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MODULES = Path(__file__).resolve().parents[2] / "terraform" / "modules"
FINANCE_LOGIN = next((user, password) for user, password, team, _ in DEMO_APPROVERS if team == "finance")


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def approve(page, title: str):
    page.locator("section.queue-row", has_text=title).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved")


def test_gpu_bundle_approved_by_two_teams_goes_live_and_shows_on_the_team_dashboard(
    page, live_server, demo, celery_worker_process, login, screenshot
):
    missing = [m for m in ("gpu_vm", "storage") if not (MODULES / m / "main.tf").exists()]
    if missing:
        pytest.skip(f"terraform/modules/{', '.join(missing)} not in this checkout yet")
    from portal.teams.models import Quota

    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=4, max_vms=6, max_monthly_usd=5000)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    login(page, "requester", "requester-demo")
    page.goto(f"{live_server.url}/catalog/")
    bundle = page.locator("#bundles section", has_text="GPU training")
    expect(bundle.locator("[data-approvals]")).to_contain_text("Finance")
    expect(bundle.locator("[data-cost]")).to_contain_text("a month")
    screenshot(page, "catalog")
    page.get_by_role("link", name="Request GPU training bundle").click()

    expect(page.get_by_label("Request title")).to_have_value("GPU training")
    page.get_by_label("Business justification").fill("Train the churn transformer on last year's events")
    page.get_by_label("Cost centre").fill("CC-1042")
    gpu, bucket = page.locator("#section-i0"), page.locator("#section-i1")
    gpu.get_by_label("Name", exact=True).fill("churn-gpu")
    gpu.get_by_label("Instance type").select_option("g5.xlarge")
    gpu.get_by_label("Purpose").fill("fine-tune the churn model")
    bucket.get_by_label("Name", exact=True).fill("churn-datasets")
    bucket.get_by_label("Purpose").fill("datasets and checkpoints")
    expect(page.locator("#estimate-panel")).to_contain_text("g5.xlarge")  # the live estimate followed
    page.get_by_role("button", name="Review request").click()

    approvals = page.locator("#review-approvals")
    expect(approvals).to_contain_text("MLOps enablement")
    expect(approvals).to_contain_text("Finance")
    expect(page.locator("#estimate-panel")).to_contain_text("GPUs")  # quota left, shown before submitting
    screenshot(page, "review-bundle")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#request-status")).to_have_text("In review")
    request_url = page.url

    log_out(page)
    login(page, "approver", "approver-demo")  # MLOps enablement decides first …
    page.goto(f"{live_server.url}/approvals/")
    expect(page.locator("section.queue-row", has_text="GPU training")).to_be_visible()
    screenshot(page, "approver-queue")
    approve(page, "GPU training")
    log_out(page)
    login(page, *FINANCE_LOGIN)  # … then Finance, whose stage opens after that
    page.goto(f"{live_server.url}/approvals/")
    approve(page, "GPU training")
    log_out(page)

    login(page, "requester", "requester-demo")
    page.goto(request_url)
    status = page.locator("#request-status")
    # The page polls by itself: no reload from here on.
    expect(status).to_have_text(re.compile("Approved|Provisioning"), timeout=30_000)
    expect(page.locator("#progress h4", has_text="Apply run").first).to_be_visible(timeout=120_000)
    expect(page.locator("#next-step")).to_contain_text(re.compile(r"[01] of 2 items ready"))
    screenshot(page, "request-live")
    expect(status).to_have_text("Active", timeout=300_000)

    instance = page.locator('[data-ready-output="instance_id"] code')
    expect(instance).to_have_text(re.compile(r"^i-[0-9a-f]+$"))
    expect(page.locator('[data-ready-output="bucket_name"] code')).to_contain_text("churn-datasets")
    page.locator('[data-ready-output="instance_id"]').get_by_role("button", name=re.compile("^Copy")).click()
    expect(page.locator('[data-ready-output="instance_id"] button')).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == instance.inner_text()
    # How to connect: the session command, built from the outputs, copied as shown.
    session = page.locator("[data-connect-step]", has_text="aws ssm start-session").first
    expect(session.locator("code")).to_contain_text(f"aws ssm start-session --target {instance.inner_text()}")
    session.get_by_role("button", name=re.compile("^Copy")).click()
    assert page.evaluate("navigator.clipboard.readText()") == session.locator("code").inner_text()
    expect(page.locator("[data-connect-note]").first).to_be_visible()
    screenshot(page, "request-active")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "request-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("link", name="Team dashboard").click()
    resources = page.locator("#resources")
    expect(resources.locator("[data-resource]")).to_have_count(2)
    expect(resources).to_contain_text("churn-gpu")
    expect(resources).to_contain_text("churn-datasets")
    expect(resources.locator('[data-connect="churn-gpu"] code')).to_contain_text("aws ssm start-session --target i-")
    expect(resources.locator('[data-connect="churn-datasets"] code')).to_contain_text("aws s3 ls s3://")
    expect(page.locator('[data-quota="GPUs"]')).to_contain_text("1 of 4")
    screenshot(page, "team-dashboard")
