"""The portal's pages keep their own Content-Security-Policy in real Chromium: no inline script or
style, htmx from our static files, nothing refused — checked by the browser conftest on every page."""

import pytest
from playwright.sync_api import expect

from portal.teams.models import Quota

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")  # htmx polling and swaps have had their turn


def test_the_detector_sees_a_violation(page, context, live_server):
    """The conftest's check can fail: a style attribute set from the page is refused and reported."""
    page.goto(f"{live_server.url}/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    expect(page.locator("body")).not_to_have_css("color", "rgb(255, 0, 0)")
    page.wait_for_function("true")  # let the report arrive
    found = context.csp_violations
    assert [v["directive"] for v in found if "directive" in v] == ["style-src-attr"]  # the page's event
    assert any("Content Security Policy" in v.get("console", "") for v in found)  # the console's error
    context.csp_violations.clear()


def test_requester_pages_keep_the_policy(page, live_server, demo, login, approved_request):
    team = demo.teams["churn-modelling"]
    Quota.objects.create(team=team, max_vms=4, max_gpus=2, max_monthly_usd=5000)
    request = approved_request([(demo.versions["cpu-vm"], {"name": "csp-vm", "instance_type": "t3.large",
                                                           "disk_size_gb": 40, "purpose": "notebooks"})])
    login(page, "requester", "requester-demo")
    for path in ("/", "/catalog/", "/requests/", f"/requests/{request.pk}/", f"/teams/{team.slug}/"):
        visit(page, live_server.url + path)
    expect(page.locator('[data-quota="Virtual machines"] .bar span')).to_have_attribute("style", "width: 25%;")  # by JS

    visit(page, f"{live_server.url}/requests/new/bundle/ml-starter/")
    page.get_by_label("Repository name").fill("Bad Name")  # the inline field check (htmx) answers
    page.get_by_label("Repository name").press("Tab")
    expect(page.locator("#id_i0-name_error")).to_contain_text("lowercase letters")
    expect(page.locator("#estimate")).to_contain_text("Estimated cost")  # the estimate panel (htmx)


def test_approver_and_admin_pages_keep_the_policy(page, live_server, demo, login):
    login(page, "approver", "approver-demo")
    for path in ("/approvals/", "/approvals/delegations/"):
        visit(page, live_server.url + path)
    page.get_by_role("button", name="Log out").click()

    login(page, "admin", "admin-demo")
    for path in ("/admin/", "/admin/catalog/templateversion/", "/admin/catalog/resourcetemplate/",
                 "/admin/accounts/user/", "/admin/audit/auditevent/", "/admin/axes/accessattempt/",
                 "/admin/approvals/approvalrule/add/"):
        visit(page, live_server.url + path)
    visit(page, f"{live_server.url}/admin/catalog/templateversion/{demo.versions['ci-pipeline'].pk}/change/")
    expect(page.locator("#form-preview")).to_have_css("border-top-style", "solid")  # its CSS is a static file now


def test_the_lockout_page_keeps_the_policy(page, live_server, demo):
    page.goto(f"{live_server.url}/login/")
    for attempt in range(5):
        page.get_by_label("Username").fill("requester")
        page.get_by_label("Password").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    expect(page.locator("#locked-out")).to_contain_text("paused for 15 minutes")


def test_the_access_tokens_page_keeps_the_policy(page, live_server, demo, login):
    """Create a token (its secret and copy button), then revoke it through the confirm dialog."""
    login(page, "requester", "requester-demo")
    visit(page, f"{live_server.url}/account/tokens/")
    page.get_by_label("Name").fill("csp check")
    page.get_by_label("Request: ask for, change, withdraw, retry and cancel requests").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#secret")).to_contain_text("pat_")
    expect(page.get_by_role("button", name="Copy the token")).to_be_visible()
    page.get_by_role("link", name="Back to your tokens").click()
    expect(page.locator("#tokens")).to_contain_text("csp check")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke the token csp check").click()
    expect(page.locator(".flashes")).to_contain_text("is revoked")
