"""Single sign-on in real Chromium against a real OpenID Connect provider (node's oidc-provider on
loopback): the login page's button → the provider's login page → back in the portal with the roles the
group claims map to; a callback with a state the portal did not send gets the portal's own page, and
starting again works."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from portal.accounts.models import IdentityRoleMapping
from portal.audit.models import AuditEvent
from portal.teams.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Role, Source = IdentityRoleMapping.Role, IdentityRoleMapping.Source


@pytest.fixture
def mappings(demo):
    IdentityRoleMapping.objects.create(source=Source.OIDC, group="ml-churn", role=Role.REQUESTER,
                                       team=demo.teams["churn-modelling"])
    IdentityRoleMapping.objects.create(source=Source.OIDC, group="portal-admins", role=Role.ADMIN)
    return demo.teams


def sign_in_at_the_provider(page, login: str) -> None:
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password: the test provider's login page takes any")
    page.get_by_role("button", name="Sign-in").click()


def test_a_person_logs_in_with_sso_and_lands_with_the_mapped_roles(
    page, live_server, single_sign_on, mappings, screenshot
):
    page.goto(f"{live_server.url}/login/?next=/teams/churn-modelling/")
    screenshot(page, "login-with-sso")
    page.get_by_role("link", name="Log in with Test IdP").click()
    expect(page).to_have_url(re.compile("^" + re.escape(single_sign_on.issuer + "/")))  # at the provider
    sign_in_at_the_provider(page, "alice")

    page.wait_for_url(f"{live_server.url}/teams/churn-modelling/")
    expect(page.locator(".who")).to_have_text("Alice Archer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Churn")  # her team's dashboard opens
    alice = get_user_model().objects.get(username="alice")
    assert set(Membership.objects.filter(user=alice).values_list("team__slug", flat=True)) == {"churn-modelling"}
    assert alice.is_staff
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Resource templates")).to_be_visible()  # the admin role, in the admin
    assert AuditEvent.objects.filter(verb="login.succeeded", actor=alice).count() == 1


def test_a_tampered_callback_gets_a_clear_page_and_starting_again_works(
    page, live_server, single_sign_on, mappings, screenshot
):
    seen: list[str] = []

    def tamper(route):
        """The portal's redirect to the provider, with another state than the one it keeps in the session:
        the provider hands that state back, so the callback URL carries it (redirects themselves cannot be
        intercepted). The portal's session cookie travels as set: route.fetch shares the browser's cookies."""
        answer = route.fetch(max_redirects=0)
        parts = urlsplit(answer.headers["location"])
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        seen.append(query["state"])
        query["state"] = "forged-" + query["state"]
        route.fulfill(status=302, headers={"Location": urlunsplit(parts._replace(query=urlencode(query)))})

    page.route("**/sso/start/**", tamper)
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Log in with Test IdP").click()
    sign_in_at_the_provider(page, "alice")
    expect(page.get_by_role("heading", name="Single sign-on did not work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("not started from this browser")
    screenshot(page, "sso-failed")
    assert seen and not get_user_model().objects.filter(username="alice").exists()
    assert AuditEvent.objects.get(verb="login.failed").data["reason"] == "bad_state"

    page.unroute("**/sso/start/**")
    page.get_by_role("link", name="Log in with Test IdP again").click()  # the provider remembers her
    expect(page.locator(".who")).to_have_text("Alice Archer")


def test_logging_out_ends_the_providers_session_too(page, live_server, single_sign_on, mappings, screenshot):
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Log in with Test IdP").click()
    sign_in_at_the_provider(page, "alice")
    page.wait_for_url(re.compile("^" + re.escape(live_server.url)))
    expect(page.locator(".who")).to_have_text("Alice Archer")

    page.get_by_role("button", name=re.compile("Log out", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile("^" + re.escape(single_sign_on.issuer + "/")))  # the provider's logout
    screenshot(page, "sso-logout")
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.IGNORECASE)).click()
    page.wait_for_url(f"{live_server.url}/login/")

    # Signed out at the provider as well: SSO asks who you are again instead of letting the next person in.
    page.get_by_role("link", name="Log in with Test IdP").click()
    expect(page.locator("input[name=login]")).to_be_visible()
