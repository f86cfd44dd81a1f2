"""Single sign-on (OpenID Connect) against a real provider (node's oidc-provider on loopback): the code flow
with PKCE, claims mapped to roles, refusals shown on a page of ours and audited, local login switched off.
The browser's path through it is tests/browser/test_single_sign_on.py."""

from __future__ import annotations

import html
import logging
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client

from portal.accounts.admin_group import PORTAL_ADMINS
from portal.accounts.models import IdentityRoleMapping
from portal.accounts.single_sign_on import SignOnFailed, SingleSignOnBackend
from portal.audit.models import AuditEvent
from portal.teams.models import Membership
from tests.fixtures.oidc_provider import sign_in_at_provider

Role, Source = IdentityRoleMapping.Role, IdentityRoleMapping.Source
FAILED = "Single sign-on did not work"


def text(response) -> str:
    return html.unescape(response.content.decode())


def teams_of(user) -> dict[str, str]:
    return dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))


def sso_login(client: Client, login: str, next_path: str = ""):
    """The whole code flow: the portal's start page → the provider (login form) → the portal's callback."""
    start = client.get("/sso/start/" + (f"?{urlencode({'next': next_path})}" if next_path else ""))
    assert start.status_code == 302, text(start)
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43  # PKCE
    assert query["nonce"] and query["state"]
    callback = sign_in_at_provider(start["Location"], login)
    return client.get(callback.replace("http://testserver", ""))


@pytest.fixture
def mappings(demo):
    teams = demo.teams
    IdentityRoleMapping.objects.create(source=Source.OIDC, group="ml-churn", role=Role.REQUESTER,
                                       team=teams["churn-modelling"])
    IdentityRoleMapping.objects.create(source=Source.OIDC, group="finance-approvers", role=Role.APPROVER,
                                       team=teams["finance"])
    IdentityRoleMapping.objects.create(source=Source.OIDC, group="portal-admins", role=Role.ADMIN)
    # A directory mapping with the same name is not a claim mapping: it neither grants nor manages.
    IdentityRoleMapping.objects.create(source=Source.DIRECTORY, group="everyone", role=Role.APPROVER,
                                       team=teams["infosec"])
    return teams


def test_a_person_signs_in_and_lands_with_the_mapped_roles(single_sign_on, mappings, client):
    response = sso_login(client, "alice", next_path="/requests/")
    assert response.status_code == 302 and response["Location"] == "/requests/"
    assert client.session["_auth_user_backend"] == "portal.accounts.single_sign_on.SingleSignOnBackend"
    alice = get_user_model().objects.get(username="alice")
    assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Archer", "alice@sso.test")
    assert not alice.has_usable_password()
    assert teams_of(alice) == {"churn-modelling": "member"}  # "Everyone" is only a directory mapping
    assert alice.is_staff and alice.groups.filter(name=PORTAL_ADMINS).exists()
    assert client.get("/requests/").status_code == 200
    assert client.get("/admin/catalog/resourcetemplate/").status_code == 200  # the admin role works
    added = AuditEvent.objects.get(verb="membership.added")
    assert added.data == {"user": "alice", "role": "member", "as": "requester", "group": "ml-churn",
                          "via": "single sign-on"}
    assert AuditEvent.objects.get(verb="user.staff_granted").data["via"] == "single sign-on"
    login = AuditEvent.objects.get(verb="login.succeeded")
    assert login.actor == alice and login.data["via"] == "single sign-on"
    assert login.data["issuer"] == single_sign_on.issuer and login.data["ip"] == "127.0.0.1"


def test_roles_follow_the_claims_at_each_login(single_sign_on, mappings, client, settings):
    bob = get_user_model().objects.create_user("bob", email="old@example.test")  # an existing account is used
    Membership.objects.create(user=bob, team=mappings["churn-modelling"])  # mapped team, no claim for it
    Membership.objects.create(user=bob, team=mappings["mlops-enablement"])  # unmapped: left alone
    assert sso_login(client, "bob").status_code == 302
    bob.refresh_from_db()
    assert bob.email == "bob@sso.test"
    assert teams_of(bob) == {"finance": "member", "mlops-enablement": "member"}
    assert not bob.is_staff
    removed = AuditEvent.objects.get(verb="membership.removed")
    assert removed.data["via"] == "single sign-on" and "single sign-on claim value" in removed.data["why"]
    before = AuditEvent.objects.exclude(verb="login.succeeded").count()
    client.logout()
    assert sso_login(client, "bob").status_code == 302  # nothing changed: nothing recorded but the login
    assert AuditEvent.objects.exclude(verb="login.succeeded").count() == before
    assert AuditEvent.objects.filter(verb="login.succeeded").count() == 2


def test_a_tampered_state_is_refused_with_a_clear_page(single_sign_on, mappings, client):
    start = client.get("/sso/start/")
    callback = sign_in_at_provider(start["Location"], "alice")
    tampered = callback.replace("state=", "state=x")
    response = client.get(tampered.replace("http://testserver", ""))
    assert response.status_code == 400
    assert FAILED in text(response) and "not started from this browser" in text(response)
    assert "_auth_user_id" not in client.session and not get_user_model().objects.filter(username="alice").exists()
    failed = AuditEvent.objects.get(verb="login.failed")
    assert failed.data["reason"] == "bad_state" and failed.data["via"] == "single sign-on"
    # The real state still works once; used again, it is refused too.
    assert client.get(callback.replace("http://testserver", "")).status_code == 302
    client.logout()
    assert client.get(callback.replace("http://testserver", "")).status_code == 400


@pytest.mark.parametrize(("query", "says"), [
    ("error=access_denied&error_description=Call+0800-FRAUD", "declined the sign-in"),
    ("error=<script>", "did not sign you in (script)"),
    ("code=abc", "not started from this browser"),
    ("", "not started from this browser"),
])
def test_a_callback_without_a_usable_answer_is_a_clear_page(single_sign_on, client, db, query, says):
    response = client.get(f"/sso/callback/?{query}")
    assert response.status_code in (400, 403) and FAILED in text(response) and says in text(response)
    assert "0800-FRAUD" not in text(response) and "<script>" not in response.content.decode()


def test_a_code_the_provider_refuses_is_a_clear_page(single_sign_on, client, db):
    start = client.get("/sso/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(f"/sso/callback/?code=forged-code&state={state}")
    assert response.status_code == 400 and "refused to finish this sign-in" in text(response)
    assert AuditEvent.objects.get(verb="login.failed").data["reason"] == "code_refused"


def test_a_provider_that_cannot_be_reached_is_a_clear_page(single_sign_on, client, db, settings):
    settings.PORTAL_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: refused at once
    response = client.get("/sso/start/")
    assert response.status_code == 503 and "cannot be reached right now" in text(response)


def test_a_person_without_a_username_claim_is_refused(single_sign_on, client, db):
    response = sso_login(client, "nameless")
    assert response.status_code == 403 and "did not say who you are" in text(response)
    assert not get_user_model().objects.filter(email="nameless@sso.test").exists()


def test_no_account_is_made_when_creating_them_is_off(single_sign_on, client, db, settings):
    settings.OIDC_CREATE_USER = False
    response = sso_login(client, "alice")
    assert response.status_code == 403 and "no account on this portal" in text(response)
    assert AuditEvent.objects.get(verb="login.failed").data["username"] == "alice"


def test_a_disabled_account_is_refused(single_sign_on, client, db):
    get_user_model().objects.create_user("alice", is_active=False)
    response = sso_login(client, "alice")
    assert response.status_code == 403 and "disabled" in text(response)
    assert "_auth_user_id" not in client.session


def test_an_account_with_its_own_password_is_never_taken_over(single_sign_on, client, db):
    local = get_user_model().objects.create_user("alice", password="pw-alice-local", email="local@example.org")
    response = sso_login(client, "alice")
    assert response.status_code == 403 and "already exists on this portal with its own password" in text(response)
    assert "_auth_user_id" not in client.session
    local.refresh_from_db()
    assert local.email == "local@example.org"  # nothing copied from the provider
    local.set_unusable_password()  # an admin links it
    local.save()
    assert sso_login(client, "alice").status_code == 302 and client.session["_auth_user_id"] == str(local.pk)


# --- the ID token's checks, with tokens signed by the provider's own key (its JWKS verifies them) -----

def id_token(provider, **changes) -> str:
    now = int(time.time())
    claims = {"iss": provider.issuer, "aud": provider.client_id, "sub": "alice", "iat": now, "exp": now + 300,
              "nonce": "n-1"}
    claims.update(changes)
    return provider.sign({k: v for k, v in claims.items() if v is not None})


@pytest.mark.parametrize(("changes", "reason"), [
    ({"aud": "another-app"}, "token_audience"),
    ({"aud": ["another-app", "portal-tests"], "azp": "another-app"}, "token_audience"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "token_expired"),
    ({"iss": "https://elsewhere.example"}, "token_issuer"),
    ({"iat": int(time.time()) + 3600}, "token_not_yet_valid"),
    ({"nonce": "another-login"}, "token_invalid"),
    ({"exp": None}, "token_invalid"),
])
def test_the_backend_refuses_tokens_the_provider_signed_that_do_not_fit(single_sign_on, db, changes, reason):
    backend = SingleSignOnBackend()
    assert backend.verify_token(id_token(single_sign_on), nonce="n-1")["sub"] == "alice"  # the control
    with pytest.raises(SignOnFailed) as refused:
        backend.verify_token(id_token(single_sign_on, **changes), nonce="n-1")
    assert refused.value.reason == reason


def test_a_token_signed_by_another_key_is_refused(single_sign_on, db):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = single_sign_on.sign({"iss": single_sign_on.issuer, "aud": single_sign_on.client_id, "sub": "alice",
                                 "iat": int(time.time()), "exp": int(time.time()) + 300, "nonce": "n"}, key=stranger)
    with pytest.raises(SignOnFailed) as refused:
        SingleSignOnBackend().verify_token(token, nonce="n")
    assert refused.value.reason == "token_invalid"


def test_an_expired_id_token_at_the_callback_is_a_clear_page(single_sign_on, mappings, client, monkeypatch):
    """The whole callback with the provider's answer replaced by an expired (but genuinely signed) token."""
    expired = id_token(single_sign_on, exp=int(time.time()) - 600, iat=int(time.time()) - 4000)
    real_get_token = SingleSignOnBackend.get_token

    def get_token(self, payload):
        answer = real_get_token(self, payload)
        return {**answer, "id_token": expired}

    monkeypatch.setattr(SingleSignOnBackend, "get_token", get_token)
    response = sso_login(client, "alice")
    assert response.status_code == 403 and "token has expired" in text(response)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(verb="login.failed").data["reason"] == "token_expired"


def test_secrets_and_tokens_are_never_logged_nor_audited(single_sign_on, mappings, client, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    tokens: list[str] = []
    real_get_token = SingleSignOnBackend.get_token

    def get_token(self, payload):
        answer = real_get_token(self, payload)
        tokens.extend(v for k, v in answer.items() if k.endswith("token"))
        return answer

    monkeypatch.setattr(SingleSignOnBackend, "get_token", get_token)
    assert sso_login(client, "alice").status_code == 302
    assert len(tokens) >= 2  # access and ID tokens
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (single_sign_on.client_secret, *tokens):
        assert secret not in logged
        assert not AuditEvent.objects.filter(data__icontains=secret).exists()
        assert secret not in str(dict(client.session))


# --- switches -------------------------------------------------------------------------------------

def test_sso_is_off_without_an_issuer(client, db):
    from django.conf import settings

    assert settings.PORTAL_OIDC is False and settings.PORTAL_LOCAL_LOGIN is True
    assert client.get("/sso/start/").status_code == 404
    assert client.get("/sso/callback/?code=a&state=b").status_code == 404
    assert "Log in with" not in text(client.get("/login/"))


def test_with_local_login_off_the_page_offers_only_sso_and_passwords_are_refused(
    single_sign_on, mappings, client, settings, demo
):
    settings.PORTAL_LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [b.replace("django.contrib.auth.backends.ModelBackend",
                                                  "portal.accounts.local_login.NoPasswordBackend")
                                        for b in settings.AUTHENTICATION_BACKENDS]
    page = text(client.get("/login/"))
    assert "Log in with Test IdP" in page and 'name="password"' not in page
    response = client.post("/login/", {"username": "requester", "password": "requester-demo"})
    assert response.status_code == 403 and "turned off" in text(response)
    assert "_auth_user_id" not in client.session
    # Not merely the page: the admin's own login form cannot check a local password either.
    response = client.post("/admin/login/", {"username": "admin", "password": "admin-demo", "next": "/admin/"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    # Single sign-on still logs in, and the admin's permissions still come from the Portal admins group.
    assert sso_login(client, "alice").status_code == 302
    assert client.get("/admin/catalog/resourcetemplate/").status_code == 200


def test_logging_out_after_sso_goes_on_to_the_providers_logout_and_a_password_login_does_not(
        single_sign_on, mappings, client, settings, make_user):
    from portal.accounts.single_sign_on import provider_metadata

    sso_login(client, "alice")
    answer = client.post("/logout/")
    end = urlsplit(answer["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == provider_metadata()["end_session_endpoint"]
    assert parse_qs(end.query) == {"client_id": [settings.OIDC_RP_CLIENT_ID],
                                   "post_logout_redirect_uri": ["http://testserver/login/"]}
    assert "_auth_user_id" not in client.session  # the portal's own session ended first

    # A password login has no provider session: logging out stays in the portal.
    make_user("bob")
    assert client.post("/login/", {"username": "bob", "password": "pw-bob"}).status_code == 302
    assert client.post("/logout/")["Location"] == "/login/"

    # Turned off: only the portal's session ends.
    settings.PORTAL_OIDC_LOGOUT = False
    sso_login(client, "alice")
    assert client.post("/logout/")["Location"] == "/login/"
